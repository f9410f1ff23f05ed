/// Canonical, unambiguous text of a record's content: the basis of the input
/// fingerprint of a run and of the change detection of the feed loader.
///
/// Each field is written as `<utf8 length>:<text>;`, an absent field as `-;`,
/// so no value can be mistaken for a separator. List items whose order
/// carries no meaning are sorted by bytes; `preferred_destinations` keeps its
/// order. Booleans are `1`/`0`, decimals their shortest text (`2.50` is `2.5`).
public protocol CanonicalEncodable {
    /// The canonical text of the record's content (the key included).
    var canonicalText: String { get }
}

/// Builds canonical text field by field.
public struct CanonicalWriter {
    private(set) var text = ""

    public init(kind: String) { add(kind) }

    mutating func add(_ value: String?) {
        guard let value else { text += "-;"; return }
        text += "\(value.utf8.count):\(value);"
    }
    mutating func add(_ value: Bool) { add(value ? "1" : "0") }
    mutating func add(_ value: Int?) { add(value.map(String.init)) }
    mutating func add(_ value: ExactDecimal?) { add(value?.description) }
    mutating func add(_ value: Day?) { add(value?.description) }
    /// A list of items, each already canonical; sorted by bytes unless `ordered`.
    mutating func add(list items: [String], ordered: Bool = false) {
        let sorted = ordered ? items : items.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        add(String(sorted.count))
        for item in sorted { add(item) }
    }
}

extension Employer: CanonicalEncodable {
    public var canonicalText: String {
        var w = CanonicalWriter(kind: "employer")
        w.add(id); w.add(name); w.add(country); w.add(sector); w.add(irisCertified); w.add(blocklisted)
        return w.text
    }
}

extension Recruiter: CanonicalEncodable {
    public var canonicalText: String {
        var w = CanonicalWriter(kind: "recruiter")
        w.add(id); w.add(name); w.add(licenseCountry); w.add(licenseNumber); w.add(licenseExpires)
        w.add(irisCertified); w.add(blocklisted)
        return w.text
    }
}

extension Vacancy: CanonicalEncodable {
    public var canonicalText: String {
        var w = CanonicalWriter(kind: "vacancy")
        w.add(id); w.add(employerId); w.add(recruiterId); w.add(isco); w.add(title)
        w.add(destinationCountry); w.add(openings)
        w.add(list: requiredSkills.map { "\($0.code):\($0.minLevel):\($0.essential ? "E" : "O")" })
        w.add(list: requiredLanguages.map { "\($0.code):\($0.level)" })
        w.add(minEducation); w.add(minExperienceYears); w.add(monthlyWage); w.add(currency)
        w.add(hoursPerWeek); w.add(contractMonths); w.add(list: contractLanguages)
        w.add(workerFee); w.add(passportRetention); w.add(g2gAgreement); w.add(startDate); w.add(expiresOn)
        return w.text
    }
}

extension Worker: CanonicalEncodable {
    public var canonicalText: String {
        var w = CanonicalWriter(kind: "worker")
        w.add(id); w.add(originCountry); w.add(birthYear); w.add(gender?.rawValue); w.add(educationLevel)
        w.add(list: occupations.map { "\($0.isco):\($0.years)" })
        w.add(list: skills.map { "\($0.code):\($0.level)" })
        w.add(list: languages.map { "\($0.code):\($0.level)" })
        w.add(list: preferredDestinations, ordered: true)
        w.add(minMonthlyWageUSD); w.add(availableFrom); w.add(consent); w.add(recruiterId)
        return w.text
    }
}

extension MinimumWage: CanonicalEncodable {
    public var canonicalText: String {
        var w = CanonicalWriter(kind: "minimum_wage")
        w.add(country); w.add(monthlyAmount); w.add(currency)
        return w.text
    }
}

extension FXRate: CanonicalEncodable {
    public var canonicalText: String {
        var w = CanonicalWriter(kind: "fx_rate")
        w.add(currency); w.add(usdPerUnit)
        return w.text
    }
}

extension WHOListEntry: CanonicalEncodable {
    public var canonicalText: String {
        var w = CanonicalWriter(kind: "who_list")
        w.add(country); w.add(name); w.add(whoRegion)
        return w.text
    }
}

extension MatchingInput {
    /// The text whose SHA-256 is `input_sha256`: every accepted row of every
    /// input (taking part or not) and the WHO list with its edition, each
    /// section's records sorted by bytes so row order never matters.
    public var fingerprintText: String {
        var out = "labourmatch-input-v1\n"
        func section(_ name: String, _ records: [some CanonicalEncodable]) {
            let texts = records.map(\.canonicalText).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            out += "\(name) \(texts.count)\n"
            for t in texts { out += "\(t.utf8.count):\(t)\n" }
        }
        section("employers", employers)
        section("recruiters", recruiters)
        section("vacancies", vacancies)
        section("workers", workers)
        section("minimum_wages", minimumWages)
        section("fx_rates", fxRates)
        out += "who_list_edition \(whoListEdition.utf8.count):\(whoListEdition)\n"
        section("who_list", whoList)
        return out
    }
}
