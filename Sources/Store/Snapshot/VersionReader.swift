import Matching
import Postgres

/// Reads the recorded versions of a run's snapshot into the engine's model.
///
/// Every query joins `run_snapshot` on (key, version), so it reads exactly the
/// versions recorded, never the current ones. Table and column names are this
/// file's constants; values travel as bind parameters.
struct VersionReader {
    let db: Connection
    let runId: Int64
    /// Per snapshot kind (`worker`, `vacancy`...), the only keys to read; a kind not named is read whole.
    var only: [String: [String]] = [:]

    /// Rows of the `*_versions` table `table` for the snapshot's `kind`, first column the key.
    private func rows(_ kind: String, _ table: String, key: String, _ columns: String) throws -> PostgresRows {
        var params = [PostgresValue(runId)]
        if let keys = only[kind] { params.append(.textArray(keys)) }
        return try db.query("""
            SELECT v.\(key), \(columns)
            FROM run_snapshot s JOIN \(table) v ON v.\(key) = s.key AND v.version = s.version
            WHERE s.run_id = $1 AND s.kind = '\(kind)'\(params.count > 1 ? " AND s.key = ANY($2)" : "")
            ORDER BY v.\(key) COLLATE "C"
            """, params: params)
    }

    private func each<T>(_ kind: String, _ table: String, key: String, _ columns: String,
                         _ make: (Cells) throws -> T) throws -> [T] {
        try rows(kind, table, key: key, columns).map { try make(Cells(row: $0, kind: kind)) }
    }

    /// A list column (0004) selected as its items joined by `,`, which no item holds.
    private static func list(_ column: String) -> String { "array_to_string(v.\(column), ',')" }

    func employers() throws -> [Employer] {
        try each("employer", "employer_versions", key: "employer_id",
                 "v.name, v.country, v.sector, v.iris_certified, v.blocklisted") { c in
            Employer(id: try c.text(0), name: try c.text(1), country: try c.text(2), sector: try c.optionalText(3),
                     irisCertified: try c.bool(4), blocklisted: try c.bool(5))
        }
    }

    func recruiters() throws -> [Recruiter] {
        try each("recruiter", "recruiter_versions", key: "recruiter_id",
                 "v.name, v.license_country, v.license_number, v.license_expires, v.iris_certified, v.blocklisted") { c in
            Recruiter(id: try c.text(0), name: try c.text(1), licenseCountry: try c.text(2),
                      licenseNumber: try c.optionalText(3), licenseExpires: try c.optionalDay(4),
                      irisCertified: try c.bool(5), blocklisted: try c.bool(6))
        }
    }

    func vacancies() throws -> [Vacancy] {
        try each("vacancy", "vacancy_versions", key: "vacancy_id", """
            v.employer_id, v.recruiter_id, v.isco_code, v.title, v.destination_country, v.openings,
            v.min_education, v.min_experience_years, v.monthly_wage, v.currency, v.hours_per_week,
            v.contract_months, v.worker_fee, v.passport_retention, v.g2g_agreement, v.start_date, v.expires_on,
            \(Self.list("required_skills")), \(Self.list("required_languages")), \(Self.list("contract_languages"))
            """) { c in
            Vacancy(id: try c.text(0), employerId: try c.text(1), recruiterId: try c.optionalText(2), isco: try c.text(3),
                    title: try c.text(4), destinationCountry: try c.text(5), openings: try c.count(6),
                    requiredSkills: try c.items(18, ListItems.requiredSkill),
                    requiredLanguages: try c.items(19, ListItems.languageLevel),
                    minEducation: try c.optionalInt(7), minExperienceYears: try c.optionalDecimal(8),
                    monthlyWage: try c.decimal(9), currency: try c.text(10), hoursPerWeek: try c.decimal(11),
                    contractMonths: try c.optionalCount(12), contractLanguages: try c.items(20) { String($0) },
                    workerFee: try c.decimal(13), passportRetention: try c.bool(14),
                    g2gAgreement: try c.bool(15), startDate: try c.optionalDay(16),
                    expiresOn: try c.optionalDay(17))
        }
    }

    func workers() throws -> [Worker] {
        try each("worker", "worker_versions", key: "worker_id", """
            v.origin_country, v.birth_year, v.gender, v.education_level, v.min_monthly_wage_usd,
            v.available_from, v.consent, v.recruiter_id, \(Self.list("occupations")), \(Self.list("skills")),
            \(Self.list("languages")), \(Self.list("preferred_destinations"))
            """) { c in
            Worker(id: try c.text(0), originCountry: try c.text(1), birthYear: try c.int(2), gender: try c.gender(3),
                   educationLevel: try c.int(4), occupations: try c.items(9, ListItems.occupation),
                   skills: try c.items(10, ListItems.workerSkill), languages: try c.items(11, ListItems.languageLevel),
                   preferredDestinations: try c.items(12) { String($0) },
                   minMonthlyWageUSD: try c.optionalDecimal(5), availableFrom: try c.optionalDay(6),
                   consent: try c.bool(7), recruiterId: try c.optionalText(8))
        }
    }

    func minimumWages() throws -> [MinimumWage] {
        try each("minimum_wage", "minimum_wage_versions", key: "country", "v.monthly_amount, v.currency") { c in
            MinimumWage(country: try c.text(0), monthlyAmount: try c.decimal(1), currency: try c.text(2))
        }
    }

    func fxRates() throws -> [FXRate] {
        try each("fx_rate", "fx_rate_versions", key: "currency", "v.usd_per_unit") { c in
            FXRate(currency: try c.text(0), usdPerUnit: try c.decimal(1))
        }
    }
}

/// The cells of one row, decoded into the model's types; a value the model
/// cannot hold is a `SnapshotError.badValue` naming the row and column.
private struct Cells {
    let row: PostgresRow
    let kind: String

    func text(_ i: Int) throws -> String { try row.decode(i) }
    func optionalText(_ i: Int) throws -> String? { try row.decodeIfPresent(i) }
    func bool(_ i: Int) throws -> Bool { try row.decode(i) }
    func int(_ i: Int) throws -> Int { try row.decode(i) }
    func optionalInt(_ i: Int) throws -> Int? { try row.decodeIfPresent(i) }

    func decimal(_ i: Int) throws -> ExactDecimal {
        let t = try text(i)
        guard let d = ExactDecimal(exactly: t) else { throw bad(i, t) }
        return d
    }

    func optionalDecimal(_ i: Int) throws -> ExactDecimal? {
        try row.isNull(i) ? nil : decimal(i)
    }

    /// A `whole_count` (0006): plain digits of any length.
    func count(_ i: Int) throws -> Count {
        let t = try text(i)
        guard let n = Count(t) else { throw bad(i, t) }
        return n
    }

    func optionalCount(_ i: Int) throws -> Count? {
        try row.isNull(i) ? nil : count(i)
    }

    func optionalDay(_ i: Int) throws -> Day? {
        guard let t = try optionalText(i) else { return nil }
        guard let d = Day(t) else { throw bad(i, t) }
        return d
    }

    func cefr(_ i: Int) throws -> CEFR {
        let t = try text(i)
        guard let level = CEFR(code: Substring(t)) else { throw bad(i, t) }
        return level
    }

    /// A list column joined by `,` (see `VersionReader.list`), each item parsed by `parse`.
    func items<T>(_ i: Int, _ parse: (Substring) -> T?) throws -> [T] {
        let t = try text(i)
        guard !t.isEmpty else { return [] }
        return try t.split(separator: ",", omittingEmptySubsequences: false).map { item in
            guard let value = parse(item) else { throw bad(i, String(item)) }
            return value
        }
    }

    func gender(_ i: Int) throws -> Gender? {
        guard let t = try optionalText(i) else { return nil }
        guard let g = Gender(rawValue: t) else { throw bad(i, t) }
        return g
    }

    private func bad(_ i: Int, _ text: String) -> SnapshotError {
        SnapshotError.badValue(kind: kind, key: (try? self.text(0)) ?? "?", column: "\(i + 1)", text: text)
    }
}
