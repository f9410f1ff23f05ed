import Feeds
import Foundation
import Matching
import Postgres
import Store

/// Test-only stand-in for the feed loader: writes a `MatchingInput` into the
/// tables of `Schema/0001_core.sql` as version-1 current rows (feed_id NULL), by
/// COPY, with `content_sha256` the SHA-256 of each entity's `canonicalText`.
///
/// Kept small and apart so the tests can switch to the loader
/// (`labourmatch load KIND FILE`) once it is merged: `seedFixtures` is the one
/// place to change.
enum FixtureSeeder {
    /// The good fixtures as `labourmatch match` reads them (CSV, default WHO list).
    static func fixtureInputs(policy: String? = nil) throws -> RunInputs {
        func f(_ name: String) -> String { projectRoot.appendingPathComponent("Fixtures/\(name).csv").path }
        let files = RunInputFiles(employers: f("employers"), recruiters: f("recruiters"), vacancies: f("vacancies"),
                                  workers: f("workers"), minimumWages: f("minimum-wages"), fxRates: f("fx-rates"),
                                  whoList: projectRoot.appendingPathComponent("Reference/who-safeguards-2023.csv").path,
                                  policy: policy)
        return try RunInputs.read(files, codes: try CodeLists.system())
    }

    /// Loads the good fixtures into `db`.
    static func seedFixtures(_ db: Connection) throws {
        try seed(db, try fixtureInputs().input)
    }

    /// Writes every row of `input` (but the WHO list, which 0001 ships) as version 1.
    static func seed(_ db: Connection, _ input: MatchingInput) throws {
        try db.transaction { tx in
            try copy(tx, "employers (employer_id)", input.employers.map { [$0.id] })
            try copy(tx, "employer_versions (employer_id, version, name, country, sector, iris_certified, blocklisted, content_sha256)",
                     input.employers.map { [$0.id, "1", $0.name, $0.country, $0.sector, bool($0.irisCertified),
                                            bool($0.blocklisted), sha($0)] })
            try copy(tx, "recruiters (recruiter_id)", input.recruiters.map { [$0.id] })
            try copy(tx, """
                recruiter_versions (recruiter_id, version, name, license_country, license_number, license_expires,
                                    iris_certified, blocklisted, content_sha256)
                """, input.recruiters.map { [$0.id, "1", $0.name, $0.licenseCountry, $0.licenseNumber,
                                             $0.licenseExpires?.description, bool($0.irisCertified),
                                             bool($0.blocklisted), sha($0)] })
            try copy(tx, "vacancies (vacancy_id)", input.vacancies.map { [$0.id] })
            try copyVacancies(tx, input.vacancies, version: 1)
            try copy(tx, "workers (worker_id)", input.workers.map { [$0.id] })
            try copyWorkers(tx, input.workers, version: 1)
            try copy(tx, "minimum_wages (country)", input.minimumWages.map { [$0.country] })
            try copy(tx, "minimum_wage_versions (country, version, monthly_amount, currency, content_sha256)",
                     input.minimumWages.map { [$0.country, "1", $0.monthlyAmount.description, $0.currency, sha($0)] })
            try copy(tx, "fx_rates (currency)", input.fxRates.map { [$0.currency] })
            try copy(tx, "fx_rate_versions (currency, version, usd_per_unit, content_sha256)",
                     input.fxRates.map { [$0.currency, "1", $0.usdPerUnit.description, sha($0)] })
        }
    }

    /// Writes `worker` as the next version of its key, the old one no longer current
    /// (what a delta load of a changed row does).
    static func writeNewVersion(_ db: Connection, of worker: Worker) throws {
        try db.transaction { tx in
            let version: Int = try tx.query("""
                UPDATE worker_versions SET is_current = false WHERE worker_id = $1 AND is_current RETURNING version
                """, params: [PostgresValue(worker.id)])[0].decode(0)
            try copyWorkers(tx, [worker], version: version + 1)
        }
    }

    /// Withdraws a vacancy as a snapshot load does: a new version, marked withdrawn, after the
    /// current one (versions are append-only: the old one is only retired).
    static func withdraw(_ db: Connection, vacancy id: String) throws {
        try db.transaction { tx in
            try tx.execute("""
                CREATE TEMP TABLE withdrawn ON COMMIT DROP AS
                SELECT * FROM vacancy_versions WHERE vacancy_id = $1 AND is_current
                """, params: [PostgresValue(id)])
            try tx.execute("UPDATE withdrawn SET version = version + 1, withdrawn = true")
            try tx.execute("UPDATE vacancy_versions SET is_current = false WHERE vacancy_id = $1 AND is_current",
                           params: [PostgresValue(id)])
            try tx.execute("INSERT INTO vacancy_versions SELECT * FROM withdrawn")
        }
    }

    private static func copyVacancies(_ db: Connection, _ vacancies: [Vacancy], version: Int) throws {
        let v = String(version)
        try copy(db, """
            vacancy_versions (vacancy_id, version, employer_id, recruiter_id, isco_code, title, destination_country,
                openings, min_education, min_experience_years, monthly_wage, currency, hours_per_week, contract_months,
                worker_fee, passport_retention, g2g_agreement, start_date, expires_on, required_skills,
                required_languages, contract_languages, content_sha256)
            """, vacancies.map {
            [$0.id, v, $0.employerId, $0.recruiterId, $0.isco, $0.title, $0.destinationCountry, String($0.openings),
             $0.minEducation.map(String.init), $0.minExperienceYears?.description, $0.monthlyWage.description,
             $0.currency, $0.hoursPerWeek.description, $0.contractMonths.map(String.init), $0.workerFee.description,
             bool($0.passportRetention), bool($0.g2gAgreement), $0.startDate?.description, $0.expiresOn?.description,
             array($0.requiredSkills.map(ListItems.text)), array($0.requiredLanguages.map(ListItems.text)),
             array($0.contractLanguages), sha($0)]
        })
    }

    private static func copyWorkers(_ db: Connection, _ workers: [Worker], version: Int) throws {
        let v = String(version)
        try copy(db, """
            worker_versions (worker_id, version, origin_country, birth_year, gender, education_level,
                min_monthly_wage_usd, available_from, consent, recruiter_id, occupations, skills, languages,
                preferred_destinations, content_sha256)
            """, workers.map {
            [$0.id, v, $0.originCountry, String($0.birthYear), $0.gender?.rawValue, String($0.educationLevel),
             $0.minMonthlyWageUSD?.description, $0.availableFrom?.description, bool($0.consent), $0.recruiterId,
             array($0.occupations.map(ListItems.text)), array($0.skills.map(ListItems.text)),
             array($0.languages.map(ListItems.text)), array($0.preferredDestinations), sha($0)]
        })
    }

    /// A list column (0004) as an array literal: its items never need quoting.
    private static func array(_ items: [String]) -> String { "{" + items.joined(separator: ",") + "}" }

    private static func copy(_ db: Connection, _ target: String, _ rows: [[String?]]) throws {
        try db.copyIn("COPY \(target) FROM STDIN") { w in
            for row in rows { try w.writeTextRow(row) }
        }
    }

    private static func bool(_ b: Bool) -> String { b ? "t" : "f" }
    private static func sha(_ e: some CanonicalEncodable) -> String { RunInputs.sha256Hex(e.canonicalText) }
}
