import Testing
import PropertyBased
import Matching

/// Random small instances that reach every rule, every criterion tier and
/// every tie: ids whose byte order differs from a locale's, ISCO codes
/// sharing 2, 3 or 4 digits, decimals with up to three places (some moved past 64 bits), odd weights,
/// some openings past 64 bits.
struct RandomInstance {
    var rng: SplitMix

    init(seed: UInt64) { rng = SplitMix(seed: seed) }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }
    mutating func subset<T>(_ xs: [T], max: Int) -> [T] { Array(xs.shuffled(using: &rng).prefix(int(0...max))) }

    /// A decimal with up to `places` decimals in [0, limit]; one in ten moved by 10^-k
    /// (k 19 to 30), past what 64 bits hold, to reach the engine's exact long paths.
    mutating func decimal(_ limit: Int, places: Int = 2) -> ExactDecimal {
        let s = int(0...places)
        var p = 1
        for _ in 0..<s { p *= 10 }
        let value = ExactDecimal(mantissa: Int64(int(0...(limit * p))), scale: s)
        guard chance(0.1), value.isPositive else { return value }
        let k = int(19...30)
        let moved = value.bigScaled(to: k) + (chance(0.5) ? 1 : -1)
        return ExactDecimal(digits: moved, scale: k)
    }

    /// Openings 1 to 3; one in twelve of 10 to 30 digits, past what `Int32` (the
    /// assignment's capacities) and `Int` hold, so the counts must be exact sums.
    mutating func openings() -> Count {
        chance(1.0 / 12) ? Count(String(repeating: "9", count: int(10...30)))! : Count(int(1...3))
    }

    static let iscos = ["2221", "2222", "2231", "2211", "3221", "3222", "5120", "2612", "7112"]
    static let countries = ["DE", "CA", "PH", "AF", "US", "FR"]
    static let skillCodes = ["care", "cook", "weld", "drive", "a.b"]
    static let languageCodes = ["en", "de", "fr", "ar"]
    static let idChars = ["a", "B", "b", "0", "9", "-", ".", "_", "Z"]

    mutating func id(_ prefix: String, _ used: inout Set<String>) -> String {
        while true {
            let s = prefix + (0..<int(0...3)).map { _ in pick(RandomInstance.idChars) }.joined()
            if used.insert(s).inserted { return s }
        }
    }

    mutating func policy() -> Policy {
        var p = Policy()
        p.minFit = pick([dec("0"), dec("0.3"), dec("0.5"), dec("0.5000005"), dec("0.7"), decimal(1, places: 3)])
        if chance(0.5) {
            p.weights = Policy.Weights(occupation: decimal(3, places: 3), skills: decimal(3, places: 3),
                                       experience: decimal(3, places: 3), languages: decimal(3, places: 3),
                                       education: decimal(3, places: 3))
            if p.weights.occupation.isZero { p.weights.occupation = dec("0.07") }
        }
        p.maxWeeklyHours = chance(0.8) ? dec("48") : dec("40.5")
        p.contractLanguageMin = pick([.b1, .a2, .c1])
        p.healthIscoPrefixes = pick([["22", "32"], ["2"], ["2221"], []])
        return p
    }

    mutating func input(workers nw: ClosedRange<Int>, vacancies nv: ClosedRange<Int>) -> MatchingInput {
        var used = Set<String>()
        let employers = (0..<4).map { i in Employer(id: "E\(i)", name: "e", country: "DE", blocklisted: i == 3 && chance(0.5)) }
        let recruiters = [
            Recruiter(id: "R0", name: "r", licenseCountry: "PH", licenseNumber: "L", licenseExpires: day("2027-01-01")),
            Recruiter(id: "R1", name: "r", licenseCountry: "PH", licenseNumber: nil),
            Recruiter(id: "R2", name: "r", licenseCountry: "PH", licenseNumber: "L", licenseExpires: day("2026-11-28"),
                      blocklisted: chance(0.5)),
        ]
        var vacancies: [Vacancy] = []
        for _ in 0..<int(nv) {
            let skills = subset(RandomInstance.skillCodes, max: 3).map {
                RequiredSkill(code: $0, minLevel: int(1...4), essential: chance(0.6))
            }
            let languages = subset(RandomInstance.languageCodes, max: 2).map {
                LanguageLevel(code: $0, level: CEFR(rawValue: int(1...6))!)
            }
            var v = Vacancy(id: id("v", &used), employerId: "E\(int(0...3))", recruiterId: chance(0.9) ? nil : "R\(int(0...2))",
                            isco: pick(RandomInstance.iscos), title: "t",
                            destinationCountry: chance(0.1) ? "FR" : pick(["DE", "CA", "PH", "AF", "US"]),
                            openings: openings(), requiredSkills: skills, requiredLanguages: languages,
                            minEducation: chance(0.5) ? int(0...8) : nil,
                            minExperienceYears: chance(0.6) ? decimal(8) : nil,
                            monthlyWage: ExactDecimal(mantissa: Int64(int(150_000...600_000)) * 10 + Int64(int(0...9)), scale: 3),
                            currency: chance(0.05) ? "XAF" : chance(0.1) ? "PHP" : pick(["EUR", "CAD", "USD"]),
                            hoursPerWeek: chance(0.1) ? dec("48.01") : pick([dec("40"), dec("48")]),
                            contractLanguages: chance(0.9) ? subset(RandomInstance.languageCodes, max: 2) + ["en"] : [],
                            workerFee: chance(0.9) ? .zero : dec("10"), passportRetention: chance(0.05),
                            g2gAgreement: chance(0.3), startDate: chance(0.5) ? day("2027-0\(int(1...9))-01") : nil,
                            expiresOn: chance(0.8) ? nil : pick([day("2026-11-28"), day("2026-11-29"), day("2027-01-01")]),
                            withdrawn: chance(0.05))
            var seen = Set<String>()
            v.contractLanguages = v.contractLanguages.filter { seen.insert($0).inserted }
            vacancies.append(v)
        }
        var workers: [Worker] = []
        for _ in 0..<int(nw) {
            let occupations = subset(RandomInstance.iscos, max: 3).map { Occupation(isco: $0, years: decimal(10)) }
            workers.append(Worker(
                id: id("w", &used), originCountry: pick(["PH", "AF", "BD", "IN"]), birthYear: int(2006...2009) - (chance(0.8) ? 20 : 0),
                educationLevel: int(0...8),
                occupations: occupations.isEmpty ? [Occupation(isco: pick(RandomInstance.iscos), years: decimal(10))] : occupations,
                skills: subset(RandomInstance.skillCodes, max: 4).map { WorkerSkill(code: $0, level: int(1...4)) },
                languages: (chance(0.7) ? ["en"] + subset(["de", "fr", "ar"], max: 2) : subset(RandomInstance.languageCodes, max: 3))
                    .map { LanguageLevel(code: $0, level: CEFR(rawValue: int(1...6))!) },
                preferredDestinations: chance(0.5) ? [] : subset(RandomInstance.countries, max: 3),
                minMonthlyWageUSD: chance(0.5) ? nil : ExactDecimal(mantissa: Int64(int(0...300_000)), scale: 2),
                availableFrom: chance(0.5) ? nil : day("2027-0\(int(1...9))-01"),
                consent: chance(0.95), recruiterId: chance(0.85) ? nil : "R\(int(0...2))", withdrawn: chance(0.05)))
        }
        return MatchingInput(
            employers: employers, recruiters: recruiters, vacancies: vacancies, workers: workers,
            minimumWages: [MinimumWage(country: "DE", monthlyAmount: dec("2000"), currency: "EUR"),
                           MinimumWage(country: "CA", monthlyAmount: dec("2500"), currency: "CAD"),
                           MinimumWage(country: "US", monthlyAmount: dec("1256.67"), currency: "USD"),
                           MinimumWage(country: "FR", monthlyAmount: dec("180000"), currency: "XAF")],
            fxRates: [FXRate(currency: "EUR", usdPerUnit: dec("1.085")), FXRate(currency: "CAD", usdPerUnit: dec("0.7325")),
                      FXRate(currency: "PHP", usdPerUnit: dec("0.01745"))],
            whoList: [WHOListEntry(country: "AF", name: "Afghanistan", whoRegion: "EMR"),
                      WHOListEntry(country: "BD", name: "Bangladesh", whoRegion: "SEAR")],
            whoListEdition: "2023")
    }

    /// The same rows in another order, list items too where their order carries no meaning.
    mutating func shuffled(_ input: MatchingInput) -> MatchingInput {
        var out = input
        out.employers.shuffle(using: &rng); out.recruiters.shuffle(using: &rng)
        out.minimumWages.shuffle(using: &rng); out.fxRates.shuffle(using: &rng); out.whoList.shuffle(using: &rng)
        out.vacancies = input.vacancies.shuffled(using: &rng).map { v in
            var v = v
            v.requiredSkills.shuffle(using: &rng); v.requiredLanguages.shuffle(using: &rng)
            v.contractLanguages.shuffle(using: &rng)
            return v
        }
        out.workers = input.workers.shuffled(using: &rng).map { w in
            var w = w
            w.occupations.shuffle(using: &rng); w.skills.shuffle(using: &rng); w.languages.shuffle(using: &rng)
            return w
        }
        return out
    }
}

/// Runs `body` on `count` random instances (policy, then input, from one seed), as a property test.
func randomInstances(count: Int, workers: ClosedRange<Int>, vacancies: ClosedRange<Int>,
                     sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: (inout RandomInstance, MatchingInput, Policy) async -> Void) async {
    await propertyCheck(count: count, input: Gen.int(in: 0...Int.max), perform: { seed in
        var r = RandomInstance(seed: UInt64(seed))
        let policy = r.policy()
        let input = r.input(workers: workers, vacancies: vacancies)
        await body(&r, input, policy)
    }, sourceLocation: sourceLocation)
}
