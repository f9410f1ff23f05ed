import Matching

/// A field of a feed, as its table in FEEDS.md lists it.
public struct FieldSpec: Sendable, Hashable {
    public let name: String
    /// A required field is a required CSV column and must not be absent.
    public let required: Bool
    /// For lists of objects: the keys of an NDJSON item, in CSV part order.
    public let itemKeys: [String]?

    init(_ name: String, _ required: Bool, items itemKeys: [String]? = nil) {
        self.name = name; self.required = required; self.itemKeys = itemKeys
    }
}

extension FeedKind {
    /// The fields in the order of FEEDS.md's tables, which is the order rows are checked in.
    public var fields: [FieldSpec] {
        switch self {
        case .employers:
            return [.init("employer_id", true), .init("name", true), .init("country", true),
                    .init("sector", false), .init("iris_certified", false), .init("blocklisted", false)]
        case .recruiters:
            return [.init("recruiter_id", true), .init("name", true), .init("license_country", true),
                    .init("license_number", false), .init("license_expires", false),
                    .init("iris_certified", false), .init("blocklisted", false)]
        case .vacancies:
            return [.init("vacancy_id", true), .init("employer_id", true), .init("recruiter_id", false),
                    .init("isco_code", true), .init("title", true), .init("destination_country", true),
                    .init("openings", true),
                    .init("required_skills", false, items: ["code", "min_level", "essential"]),
                    .init("required_languages", false, items: ["code", "level"]),
                    .init("min_education", false), .init("min_experience_years", false),
                    .init("monthly_wage", true), .init("currency", true), .init("hours_per_week", true),
                    .init("contract_months", false), .init("contract_languages", false),
                    .init("worker_fee", false), .init("passport_retention", false),
                    .init("g2g_agreement", false), .init("start_date", false), .init("expires_on", false)]
        case .workers:
            return [.init("worker_id", true), .init("origin_country", true), .init("birth_year", true),
                    .init("gender", false), .init("education_level", true),
                    .init("occupations", true, items: ["isco", "years"]),
                    .init("skills", false, items: ["code", "level"]),
                    .init("languages", false, items: ["code", "level"]),
                    .init("preferred_destinations", false), .init("min_monthly_wage_usd", false),
                    .init("available_from", false), .init("consent", true), .init("recruiter_id", false)]
        case .minimumWages:
            return [.init("country", true), .init("monthly_amount", true), .init("currency", true)]
        case .fxRates:
            return [.init("currency", true), .init("usd_per_unit", true)]
        case .whoList:
            return [.init("country", true), .init("name", true), .init("who_region", true)]
        }
    }

    /// The field whose value identifies a row (the key of DUPLICATE_KEY).
    public var keyField: String { fields[0].name }
}

/// The first problem found in a row's fields.
struct FieldProblem: Error {
    var field: String
    var reason: RejectionReason
    var detail: String
}

/// Reads one row's fields in table order, stopping at the first problem.
///
/// Fields are asked for by position in `FeedKind.fields`, one after the other
/// (the record builders follow the tables; a debug assertion checks the names),
/// so that no row pays for looking names up.
struct RowFields {
    let names: [FieldSpec]
    let limits: InputLimits
    let cell: (Int) -> Cell
    private var next = 0
    /// The key, once its field has been read and found valid.
    private(set) var key: String?

    init(fields: [FieldSpec], limits: InputLimits = .standard, cell: @escaping (Int) -> Cell) {
        self.names = fields; self.limits = limits; self.cell = cell
    }

    mutating func optional<T>(_ name: String, _ type: ValueType<T>) throws(FieldProblem) -> T? {
        assert(names[next].name == name, "\(name) read out of table order")
        let c = cell(next)
        next += 1
        if case .absent = c { return nil }
        // The limits first: no later check (nor its message) handles an oversized value.
        if let n = c.valueBytes, n > limits.fieldBytes {
            throw FieldProblem(field: name, reason: .invalidValue,
                               detail: "the value has \(n) bytes, over the limit of \(InputLimits.size(limits.fieldBytes)) per field")
        }
        if type.isList, let n = c.listItems, n > limits.listItems {
            throw FieldProblem(field: name, reason: .invalidValue,
                               detail: "the list has \(n) items, over the limit of \(limits.listItems) per list")
        }
        guard let value = type.parse(c) else {
            let limit = c.isNumberPastDigitLimits
                ? " (numbers are read up to 1,000 digits before the point and 1,000 after)" : ""
            throw FieldProblem(field: name, reason: .invalidValue, detail: "\(c.shown) is not \(type.expected(for: c))\(limit)"
                               + (c.hasOnlyTheWrongJSONType(for: type) ? Self.wrongJSONType : "")
                               + (type.explain?(c).map { ": \($0)" } ?? ""))
        }
        return value
    }

    static let wrongJSONType = ": the value is right, its JSON type is not (integers and decimals are JSON numbers, "
        + "booleans JSON true or false, everything else a JSON string)"

    mutating func required<T>(_ name: String, _ type: ValueType<T>) throws(FieldProblem) -> T {
        guard let value = try optional(name, type) else {
            throw FieldProblem(field: name, reason: .missingField, detail: "the field is required")
        }
        return value
    }

    /// Reads the key field (always required, always first).
    mutating func key(_ name: String, _ type: ValueType<String>) throws(FieldProblem) -> String {
        let value = try required(name, type)
        key = value
        return value
    }
}

extension Values {
    static let requiredSkills = list("code:min_level:E|O", parts: ["code", "min_level", "essential"],
                                     checks: [PartCheck(skillCode), PartCheck(skillLevel), PartCheck(essential)],
                                     code: \RequiredSkill.code) { p in
        guard let code = skillCode.parse(p[0]), let level = skillLevel.parse(p[1]),
              let essential = essential.parse(p[2]) else { return nil }
        return RequiredSkill(code: code, minLevel: level, essential: essential)
    }
    static let workerSkills = list("code:level", parts: ["code", "level"], checks: [PartCheck(skillCode), PartCheck(skillLevel)],
                                   code: \WorkerSkill.code) { p in
        guard let code = skillCode.parse(p[0]), let level = skillLevel.parse(p[1]) else { return nil }
        return WorkerSkill(code: code, level: level)
    }
    static let occupations = list("isco:years", parts: ["isco", "years"], checks: [PartCheck(isco), PartCheck(nonNegativeDecimal)],
                                  code: \Occupation.isco) { p in
        guard let isco = isco.parse(p[0]), let years = nonNegativeDecimal.parse(p[1]) else { return nil }
        return Occupation(isco: isco, years: years)
    }

    static func languageLevels(_ language: ValueType<String>) -> ValueType<[LanguageLevel]> {
        list("code:level (CEFR)", parts: ["code", "level"], checks: [PartCheck(language), PartCheck(cefr)],
             code: \LanguageLevel.code) { p in
            guard let code = language.parse(p[0]), let level = cefr.parse(p[1]) else { return nil }
            return LanguageLevel(code: code, level: level)
        }
    }

    /// Reads the fields of one row of `kind`, in table order.
    func record(_ kind: FeedKind, _ r: inout RowFields) throws(FieldProblem) -> FeedRecord {
        typealias V = Values
        switch kind {
        case .employers:
            return .employer(Employer(
                id: try r.key("employer_id", V.identifier), name: try r.required("name", V.text),
                country: try r.required("country", country), sector: try r.optional("sector", V.text),
                irisCertified: try r.optional("iris_certified", V.boolean) ?? false,
                blocklisted: try r.optional("blocklisted", V.boolean) ?? false))
        case .recruiters:
            return .recruiter(Recruiter(
                id: try r.key("recruiter_id", V.identifier), name: try r.required("name", V.text),
                licenseCountry: try r.required("license_country", country),
                licenseNumber: try r.optional("license_number", V.text),
                licenseExpires: try r.optional("license_expires", V.date),
                irisCertified: try r.optional("iris_certified", V.boolean) ?? false,
                blocklisted: try r.optional("blocklisted", V.boolean) ?? false))
        case .vacancies:
            return .vacancy(Vacancy(
                id: try r.key("vacancy_id", V.identifier),
                employerId: try r.required("employer_id", V.identifier),
                recruiterId: try r.optional("recruiter_id", V.identifier),
                isco: try r.required("isco_code", V.isco), title: try r.required("title", V.text),
                destinationCountry: try r.required("destination_country", country),
                openings: try r.required("openings", V.positiveCount),
                requiredSkills: try r.optional("required_skills", V.requiredSkills) ?? [],
                requiredLanguages: try r.optional("required_languages", languageLevels) ?? [],
                minEducation: try r.optional("min_education", V.education),
                minExperienceYears: try r.optional("min_experience_years", V.nonNegativeDecimal),
                monthlyWage: try r.required("monthly_wage", V.positiveDecimal),
                currency: try r.required("currency", currency),
                hoursPerWeek: try r.required("hours_per_week", V.positiveDecimal),
                contractMonths: try r.optional("contract_months", V.positiveCount),
                contractLanguages: try r.optional("contract_languages", languages) ?? [],
                workerFee: try r.optional("worker_fee", V.nonNegativeDecimal) ?? .zero,
                passportRetention: try r.optional("passport_retention", V.boolean) ?? false,
                g2gAgreement: try r.optional("g2g_agreement", V.boolean) ?? false,
                startDate: try r.optional("start_date", V.date),
                expiresOn: try r.optional("expires_on", V.date)))
        case .workers:
            return .worker(Worker(
                id: try r.key("worker_id", V.identifier),
                originCountry: try r.required("origin_country", country),
                birthYear: try r.required("birth_year", V.birthYear),
                gender: try r.optional("gender", V.gender),
                educationLevel: try r.required("education_level", V.education),
                occupations: try r.required("occupations", V.occupations),
                skills: try r.optional("skills", V.workerSkills) ?? [],
                languages: try r.optional("languages", languageLevels) ?? [],
                preferredDestinations: try r.optional("preferred_destinations", countries) ?? [],
                minMonthlyWageUSD: try r.optional("min_monthly_wage_usd", V.wholeCents),
                availableFrom: try r.optional("available_from", V.date),
                consent: try r.required("consent", V.boolean),
                recruiterId: try r.optional("recruiter_id", V.identifier)))
        case .minimumWages:
            return .minimumWage(MinimumWage(
                country: try r.key("country", country),
                monthlyAmount: try r.required("monthly_amount", V.positiveDecimal),
                currency: try r.required("currency", currency)))
        case .fxRates:
            let code = try r.key("currency", currency)
            // USD is 1 by definition; a file may repeat that but not contradict it.
            let rate = code == "USD" ? V.usdRate : V.positiveDecimal
            return .fxRate(FXRate(currency: code, usdPerUnit: try r.required("usd_per_unit", rate)))
        case .whoList:
            return .whoEntry(WHOListEntry(
                country: try r.key("country", country), name: try r.required("name", V.text),
                whoRegion: try r.required("who_region", V.text)))
        }
    }
}
