import Feeds
import Matching

/// A column of a staging table: its name (that of the table it feeds) and the type of that
/// table's column (its domain), so that the COPY into staging, which runs on the server while
/// the client is still parsing, already does the domain checks, and the merge copies checked values.
struct StageColumn: Sendable {
    let name: String
    let type: String
    init(_ name: String, _ type: String) { self.name = name; self.type = type }
}

/// How one feed kind is stored: its tables of 0001 and how an accepted record
/// becomes the data part of a staging row. Table and column names are
/// constants of this file; no value from a feed ever becomes SQL text.
struct EntityTable: Sendable {
    let kind: FeedKind
    /// The identity table (`vacancies`); nil for the WHO list, stored by edition.
    let identity: String?
    /// The versions table (`vacancy_versions`); nil for the WHO list.
    let versions: String?
    /// The key column of the identity and versions tables.
    let key: String
    /// The content columns of the versions table (all but key and bookkeeping), in staging
    /// order; the lists of 0004 are arrays of item domains among them.
    let columns: [StageColumn]
    /// Writes `columns` of an accepted record.
    let encode: @Sendable (FeedRecord, inout CopyLine) -> Void
    /// The first value, in table order, that the reader accepts but the database cannot
    /// hold (see `StoreLimits`): its field and a sentence; nil when the record can be stored.
    let check: @Sendable (FeedRecord) -> (field: String, detail: String)?

    static func of(_ kind: FeedKind) -> EntityTable {
        switch kind {
        case .employers: return employers
        case .recruiters: return recruiters
        case .vacancies: return vacancies
        case .workers: return workers
        case .minimumWages: return minimumWages
        case .fxRates: return fxRates
        case .whoList: return whoList
        }
    }

    static let employers = EntityTable(
        kind: .employers, identity: "employers", versions: "employer_versions", key: "employer_id",
        columns: [.init("name", "text"), .init("country", "country_code"), .init("sector", "text"),
                  .init("iris_certified", "boolean"), .init("blocklisted", "boolean")],
        encode: { record, out in
            guard case .employer(let e) = record else { preconditionFailure("not an employer") }
            out.text(e.name); out.plain(e.country); out.text(e.sector)
            out.bool(e.irisCertified); out.bool(e.blocklisted)
        },
        check: { record in
            guard case .employer(let e) = record else { return nil }
            return StoreLimits.firstNUL([("name", e.name), ("sector", e.sector)])
        })

    static let recruiters = EntityTable(
        kind: .recruiters, identity: "recruiters", versions: "recruiter_versions", key: "recruiter_id",
        columns: [.init("name", "text"), .init("license_country", "country_code"), .init("license_number", "text"),
                  .init("license_expires", "date"), .init("iris_certified", "boolean"),
                  .init("blocklisted", "boolean")],
        encode: { record, out in
            guard case .recruiter(let r) = record else { preconditionFailure("not a recruiter") }
            out.text(r.name); out.plain(r.licenseCountry); out.text(r.licenseNumber); out.day(r.licenseExpires)
            out.bool(r.irisCertified); out.bool(r.blocklisted)
        },
        check: { record in
            guard case .recruiter(let r) = record else { return nil }
            return StoreLimits.firstNUL([("name", r.name), ("license_number", r.licenseNumber)])
        })

    static let vacancies = EntityTable(
        kind: .vacancies, identity: "vacancies", versions: "vacancy_versions", key: "vacancy_id",
        columns: [.init("employer_id", "identifier"), .init("recruiter_id", "identifier"),
                  .init("isco_code", "isco_code"), .init("title", "text"), .init("destination_country", "country_code"), .init("openings", "whole_count"),
                  .init("min_education", "isced_level"), .init("min_experience_years", "numeric"),
                  .init("monthly_wage", "numeric"), .init("currency", "currency_code"),
                  .init("hours_per_week", "numeric"), .init("contract_months", "whole_count"),
                  .init("worker_fee", "numeric"), .init("passport_retention", "boolean"),
                  .init("g2g_agreement", "boolean"), .init("start_date", "date"), .init("expires_on", "date"),
                  .init("required_skills", "required_skill_item[]"),
                  .init("required_languages", "language_level_item[]"), .init("contract_languages", "language_code[]")],
        encode: { record, out in
            guard case .vacancy(let v) = record else { preconditionFailure("not a vacancy") }
            out.plain(v.employerId); out.text(v.recruiterId); out.plain(v.isco); out.text(v.title)
            out.plain(v.destinationCountry); out.count(v.openings); out.int(v.minEducation)
            out.decimal(v.minExperienceYears); out.decimal(v.monthlyWage); out.plain(v.currency)
            out.decimal(v.hoursPerWeek); out.count(v.contractMonths); out.decimal(v.workerFee)
            out.bool(v.passportRetention); out.bool(v.g2gAgreement); out.day(v.startDate); out.day(v.expiresOn)
            out.list(v.requiredSkills) { $0.item($1) }
            out.list(v.requiredLanguages) { $0.item($1) }
            out.list(v.contractLanguages) { $0.item($1) }
        },
        check: { record in
            guard case .vacancy(let v) = record else { return nil }
            return StoreLimits.firstNUL([("title", v.title)])
        })

    static let workers = EntityTable(
        kind: .workers, identity: "workers", versions: "worker_versions", key: "worker_id",
        columns: [.init("origin_country", "country_code"), .init("birth_year", "smallint"), .init("gender", "text"),
                  .init("education_level", "isced_level"), .init("min_monthly_wage_usd", "numeric"),
                  .init("available_from", "date"), .init("consent", "boolean"), .init("recruiter_id", "identifier"),
                  .init("occupations", "occupation_item[]"), .init("skills", "worker_skill_item[]"),
                  .init("languages", "language_level_item[]"), .init("preferred_destinations", "country_code[]")],
        encode: { record, out in
            guard case .worker(let w) = record else { preconditionFailure("not a worker") }
            out.plain(w.originCountry); out.int(w.birthYear); out.text(w.gender?.rawValue)
            out.int(w.educationLevel); out.decimal(w.minMonthlyWageUSD); out.day(w.availableFrom)
            out.bool(w.consent); out.text(w.recruiterId)
            out.list(w.occupations) { $0.item($1) }
            out.list(w.skills) { $0.item($1) }
            out.list(w.languages) { $0.item($1) }
            out.list(w.preferredDestinations) { $0.item($1) }
        },
        check: { _ in nil })

    static let minimumWages = EntityTable(
        kind: .minimumWages, identity: "minimum_wages", versions: "minimum_wage_versions", key: "country",
        columns: [.init("monthly_amount", "numeric"), .init("currency", "currency_code")],
        encode: { record, out in
            guard case .minimumWage(let m) = record else { preconditionFailure("not a minimum wage") }
            out.decimal(m.monthlyAmount); out.plain(m.currency)
        },
        check: { _ in nil })

    static let fxRates = EntityTable(
        kind: .fxRates, identity: "fx_rates", versions: "fx_rate_versions", key: "currency",
        columns: [.init("usd_per_unit", "numeric")],
        encode: { record, out in
            guard case .fxRate(let f) = record else { preconditionFailure("not an exchange rate") }
            out.decimal(f.usdPerUnit)
        },
        check: { _ in nil })

    static let whoList = EntityTable(
        kind: .whoList, identity: nil, versions: nil, key: "country",
        columns: [.init("name", "text"), .init("who_region", "text")],
        encode: { record, out in
            guard case .whoEntry(let w) = record else { preconditionFailure("not a WHO list entry") }
            out.text(w.name); out.text(w.whoRegion)
        },
        check: { record in
            guard case .whoEntry(let w) = record else { return nil }
            return StoreLimits.firstNUL([("name", w.name)]) ?? StoreLimits.whoRegion(w.whoRegion)
        })
}

/// What the tables of 0001 refuse beyond FEEDS.md's rules. The reader
/// accepts these values, so the loader rejects their rows as INVALID_VALUE
/// rather than let one row fail the whole load.
enum StoreLimits {
    /// The WHO regions `who_list_entries.who_region` allows.
    static let whoRegions: Set<String> = ["AFR", "AMR", "SEAR", "EUR", "EMR", "WPR"]

    /// The first free-text value holding U+0000, which a PostgreSQL text value cannot.
    static func firstNUL(_ texts: [(field: String, value: String?)]) -> (field: String, detail: String)? {
        for (field, value) in texts where value?.utf8.contains(0) == true {
            return (field, "the text holds a NUL character, which the database cannot store")
        }
        return nil
    }

    static func whoRegion(_ region: String) -> (field: String, detail: String)? {
        guard !whoRegions.contains(where: { $0.utf8.elementsEqual(region.utf8) }) else { return nil }
        return ("who_region", "'\(region)' is not a WHO region (AFR, AMR, SEAR, EUR, EMR, WPR)")
    }
}

extension FeedRecord {
    /// The UTF-8 bytes of the canonical text of the record's content (Matching's
    /// `CanonicalEncodable`): what `content_sha256` hashes.
    var canonicalBytes: [UInt8] {
        switch self {
        case .employer(let e): return e.canonicalBytes
        case .recruiter(let r): return r.canonicalBytes
        case .vacancy(let v): return v.canonicalBytes
        case .worker(let w): return w.canonicalBytes
        case .minimumWage(let m): return m.canonicalBytes
        case .fxRate(let f): return f.canonicalBytes
        case .whoEntry(let w): return w.canonicalBytes
        }
    }
}
