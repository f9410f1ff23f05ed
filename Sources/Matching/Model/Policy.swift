/// The effective matching policy (MATCHING.md section 8): thresholds and weights.
///
/// Numbers are kept as the decimals written (`0.35` is 35/100), so that the
/// canonical text and the fit arithmetic are exact. Reading TOML is the
/// `Feeds` module's job; this type only holds and prints the values.
public struct Policy: Sendable, Hashable {
    public var minFit: ExactDecimal
    public var maxWeeklyHours: ExactDecimal
    public var minAge: Int
    public var contractLanguageMin: CEFR
    /// ISCO prefixes (1 to 4 digits) that mark a health occupation.
    public var healthIscoPrefixes: [String]
    public var weights: Weights

    /// The five criterion weights of the fit score.
    public struct Weights: Sendable, Hashable {
        public var occupation: ExactDecimal
        public var skills: ExactDecimal
        public var experience: ExactDecimal
        public var languages: ExactDecimal
        public var education: ExactDecimal

        public init(occupation: ExactDecimal, skills: ExactDecimal, experience: ExactDecimal,
                    languages: ExactDecimal, education: ExactDecimal) {
            self.occupation = occupation; self.skills = skills; self.experience = experience
            self.languages = languages; self.education = education
        }

        /// 0.25, 0.35, 0.15, 0.15, 0.10.
        public static let `default` = Weights(
            occupation: ExactDecimal(mantissa: 25, scale: 2), skills: ExactDecimal(mantissa: 35, scale: 2),
            experience: ExactDecimal(mantissa: 15, scale: 2), languages: ExactDecimal(mantissa: 15, scale: 2),
            education: ExactDecimal(mantissa: 10, scale: 2))
    }

    public init(minFit: ExactDecimal = ExactDecimal(mantissa: 5, scale: 1),
                maxWeeklyHours: ExactDecimal = ExactDecimal(48), minAge: Int = 18,
                contractLanguageMin: CEFR = .b1, healthIscoPrefixes: [String] = ["22", "32"],
                weights: Weights = .default) {
        self.minFit = minFit; self.maxWeeklyHours = maxWeeklyHours; self.minAge = minAge
        self.contractLanguageMin = contractLanguageMin; self.healthIscoPrefixes = healthIscoPrefixes
        self.weights = weights
    }

    /// The defaults of MATCHING.md section 8.
    public static let `default` = Policy()

    /// The canonical text whose SHA-256 is `policy_sha256`: `key=value` lines,
    /// LF-terminated, keys sorted by bytes, shortest decimals, prefixes sorted.
    public var canonicalText: String {
        let prefixes = healthIscoPrefixes.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let lines: [(String, String)] = [
            ("contract_language_min", contractLanguageMin.description),
            ("health_isco_prefixes", prefixes.joined(separator: ",")),
            ("max_weekly_hours", maxWeeklyHours.description),
            ("min_age", String(minAge)),
            ("min_fit", minFit.description),
            ("weights.education", weights.education.description),
            ("weights.experience", weights.experience.description),
            ("weights.languages", weights.languages.description),
            ("weights.occupation", weights.occupation.description),
            ("weights.skills", weights.skills.description),
        ]
        return lines.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { "\($0.0)=\($0.1)\n" }.joined()
    }
}
