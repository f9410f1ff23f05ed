import Matching

extension Policy {
    /// The policy whose `canonicalText` is `text` (what a stored run keeps), or nil
    /// when `text` is not exactly such a text.
    public init?(canonicalText text: String) {
        guard text.hasSuffix("\n") else { return nil }
        var values: [String: String] = [:]
        for line in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard let eq = line.firstIndex(of: "=") else { return nil }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        func decimal(_ key: String) -> ExactDecimal? { values[key].flatMap { ExactDecimal(exactly: $0) } }
        guard let minFit = decimal("min_fit"), let hours = decimal("max_weekly_hours"),
              let minAge = values["min_age"].flatMap({ Int($0) }),
              let level = values["contract_language_min"].flatMap({ CEFR(code: Substring($0)) }),
              let prefixes = values["health_isco_prefixes"],
              let occupation = decimal("weights.occupation"), let skills = decimal("weights.skills"),
              let experience = decimal("weights.experience"), let languages = decimal("weights.languages"),
              let education = decimal("weights.education") else { return nil }
        self.init(minFit: minFit, maxWeeklyHours: hours, minAge: minAge, contractLanguageMin: level,
                  healthIscoPrefixes: prefixes.isEmpty ? [] : prefixes.split(separator: ",").map(String.init),
                  weights: Weights(occupation: occupation, skills: skills, experience: experience,
                                   languages: languages, education: education))
        // Anything the fields above did not take (an unknown key, a value written
        // otherwise) makes the text differ from this policy's own.
        guard canonicalText == text else { return nil }
    }
}
