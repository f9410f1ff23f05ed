import Matching

/// Writes a run's input back as feed files in FEEDS.md's CSV, and its policy as TOML, so
/// that `RunInputs.read` reads them to the same input and policy, hence the same
/// `input_sha256` and `policy_sha256`: an auditor exports a stored run's inputs and
/// reproduces the run with `labourmatch match`, or reads the rows behind every figure.
///
/// Every column of the feed is written, in FEEDS.md's order, an absent value as an empty
/// cell; text is quoted only when it must be (RFC 4180); decimals are written shortest
/// (`2.50` as `2.5`, the same value); booleans `true`/`false`; lists `a;b`, parts `x:y`.
public enum FeedWriter {
    /// A file to write: its name and its text.
    public struct File: Sendable, Hashable {
        public var name: String
        public var text: String
    }

    /// The names of the files `files(_:)` writes, by kind.
    public static func fileName(_ kind: FeedKind, whoListEdition: String) -> String {
        switch kind {
        case .employers: return "employers.csv"
        case .recruiters: return "recruiters.csv"
        case .vacancies: return "vacancies.csv"
        case .workers: return "workers.csv"
        case .minimumWages: return "minimum-wages.csv"
        case .fxRates: return "fx-rates.csv"
        // The edition is read back from the name (`RunInputs.whoListEdition`): `unknown` must
        // give a name without four digits.
        case .whoList: return whoListEdition == "unknown" ? "who-list.csv" : "who-list-\(whoListEdition).csv"
        }
    }

    /// The seven feed files of `input`, rows in the order given.
    public static func files(_ input: MatchingInput) -> [File] {
        func file(_ kind: FeedKind, _ rows: [[String?]]) -> File {
            File(name: fileName(kind, whoListEdition: input.whoListEdition),
                 text: csv(header: kind.fields.map(\.name), rows: rows))
        }
        return [
            file(.employers, input.employers.map { e in
                [e.id, e.name, e.country, e.sector, bool(e.irisCertified), bool(e.blocklisted)]
            }),
            file(.recruiters, input.recruiters.map { r in
                [r.id, r.name, r.licenseCountry, r.licenseNumber, r.licenseExpires?.description,
                 bool(r.irisCertified), bool(r.blocklisted)]
            }),
            file(.vacancies, input.vacancies.map { v in
                [v.id, v.employerId, v.recruiterId, v.isco, v.title, v.destinationCountry, v.openings.description,
                 list(v.requiredSkills.map { "\($0.code):\($0.minLevel):\($0.essential ? "E" : "O")" }),
                 list(v.requiredLanguages.map { "\($0.code):\($0.level)" }),
                 v.minEducation.map(String.init), v.minExperienceYears?.description, v.monthlyWage.description,
                 v.currency, v.hoursPerWeek.description, v.contractMonths?.description, list(v.contractLanguages),
                 v.workerFee.description, bool(v.passportRetention), bool(v.g2gAgreement),
                 v.startDate?.description, v.expiresOn?.description]
            }),
            file(.workers, input.workers.map { w in
                [w.id, w.originCountry, String(w.birthYear), w.gender?.rawValue, String(w.educationLevel),
                 list(w.occupations.map { "\($0.isco):\($0.years)" }),
                 list(w.skills.map { "\($0.code):\($0.level)" }),
                 list(w.languages.map { "\($0.code):\($0.level)" }),
                 list(w.preferredDestinations), w.minMonthlyWageUSD?.description, w.availableFrom?.description,
                 bool(w.consent), w.recruiterId]
            }),
            file(.minimumWages, input.minimumWages.map { [$0.country, $0.monthlyAmount.description, $0.currency] }),
            file(.fxRates, input.fxRates.map { [$0.currency, $0.usdPerUnit.description] }),
            file(.whoList, input.whoList.map { [$0.country, $0.name, $0.whoRegion] }),
        ]
    }

    /// The policy as TOML (MATCHING.md section 8), every key written, numbers as their
    /// decimals (which `PolicyReader` takes as the decimals written), in `tomlNumber`'s form.
    public static func policyTOML(_ policy: Policy) -> String {
        func number(_ value: ExactDecimal) -> String { tomlNumber(value) }
        let prefixes = policy.healthIscoPrefixes.map { "\"\($0)\"" }.joined(separator: ", ")
        let w = policy.weights
        return """
            min_fit = \(number(policy.minFit))
            max_weekly_hours = \(number(policy.maxWeeklyHours))
            min_age = \(policy.minAge)
            contract_language_min = "\(policy.contractLanguageMin)"
            health_isco_prefixes = [\(prefixes)]

            [weights]
            occupation = \(number(w.occupation))
            skills = \(number(w.skills))
            experience = \(number(w.experience))
            languages = \(number(w.languages))
            education = \(number(w.education))

            """
    }

    /// `value` as a TOML number that reads back as the same decimal: its plain digits
    /// (`0.35`, `48`; `.0` after an integer past 64 bits, which TOML refuses as an integer),
    /// or, past 100 characters, the shortest of its significant digits with a point after
    /// any of them and an exponent (`1e-320`, `3000000000000000000001e286`, `1.234e-9`):
    /// toml++ refuses a number past 128 characters, and no literal it took is shorter than
    /// that shortest form.
    static func tomlNumber(_ value: ExactDecimal) -> String {
        var plain = value.description
        if !plain.contains("."), Int64(plain) == nil { plain += ".0" }
        guard plain.count > 100 else { return plain }
        var digits = Substring(plain)
        let sign = digits.hasPrefix("-") ? "-" : ""
        if !sign.isEmpty { digits = digits.dropFirst() }
        var exponent = 0
        if let point = digits.firstIndex(of: ".") {
            exponent = -digits.distance(from: point, to: digits.endIndex) + 1
            digits = digits[..<point] + digits[digits.index(after: point)...]
        }
        digits = digits.drop { $0 == "0" }
        while digits.last == "0" {
            digits = digits.dropLast()
            exponent += 1
        }
        guard !digits.isEmpty else { return plain }
        var best = plain
        for point in 1...digits.count {
            let head = digits.prefix(point), tail = digits.dropFirst(point)
            let form = "\(sign)\(head)\(tail.isEmpty ? "" : ".")\(tail)e\(exponent + tail.count)"
            if form.count < best.count { best = form }
        }
        return best
    }

    private static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    /// A list cell: nil (an empty cell) for no items.
    private static func list(_ items: [String]) -> String? {
        items.isEmpty ? nil : items.joined(separator: ";")
    }

    private static func csv(header: [String], rows: [[String?]]) -> String {
        var out = header.joined(separator: ",") + "\n"
        for row in rows {
            out += row.map { RunInputs.csvField($0 ?? "") }.joined(separator: ",") + "\n"
        }
        return out
    }
}
