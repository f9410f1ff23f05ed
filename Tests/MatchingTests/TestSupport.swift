import Matching

/// A small deterministic generator (SplitMix64) so that a property test's seed rebuilds its instance.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A decimal literal for tests: `dec("6.4")`.
func dec(_ text: String) -> ExactDecimal {
    guard let d = ExactDecimal(exactly: text) else { fatalError("bad decimal \(text)") }
    return d
}

/// A day literal for tests.
func day(_ text: String) -> Day {
    guard let d = Day(text) else { fatalError("bad day \(text)") }
    return d
}

let runDate = day("2026-11-29")

/// A vacancy with every condition met unless a test changes it.
func vacancy(_ id: String, isco: String = "2221", destination: String = "DE", openings: Count = 1,
             wage: String = "3000", currency: String = "EUR", hours: String = "40",
             contract: [String] = ["en"], skills: [RequiredSkill] = [], languages: [LanguageLevel] = [],
             minEducation: Int? = nil, experience: String? = nil, employer: String = "E1",
             recruiter: String? = nil) -> Vacancy {
    Vacancy(id: id, employerId: employer, recruiterId: recruiter, isco: isco, title: "t",
            destinationCountry: destination, openings: openings, requiredSkills: skills,
            requiredLanguages: languages, minEducation: minEducation,
            minExperienceYears: experience.map(dec), monthlyWage: dec(wage), currency: currency,
            hoursPerWeek: dec(hours), contractLanguages: contract)
}

/// A worker who takes part and passes every rule unless a test changes it.
func worker(_ id: String, occupations: [(String, String)] = [("2221", "5")], origin: String = "PH",
            birthYear: Int = 1990, education: Int = 4, skills: [(String, Int)] = [],
            languages: [(String, CEFR)] = [("en", .b2)], preferred: [String] = [],
            minWageUSD: String? = nil, consent: Bool = true, recruiter: String? = nil) -> Worker {
    Worker(id: id, originCountry: origin, birthYear: birthYear, educationLevel: education,
           occupations: occupations.map { Occupation(isco: $0.0, years: dec($0.1)) },
           skills: skills.map { WorkerSkill(code: $0.0, level: $0.1) },
           languages: languages.map { LanguageLevel(code: $0.0, level: $0.1) },
           preferredDestinations: preferred, minMonthlyWageUSD: minWageUSD.map(dec), consent: consent,
           recruiterId: recruiter)
}

/// Reference data shared by hand-made instances: EUR at 1.1, a German minimum wage, the WHO list.
func baseInput(workers: [Worker] = [], vacancies: [Vacancy] = []) -> MatchingInput {
    MatchingInput(employers: [Employer(id: "E1", name: "e", country: "DE")],
                  recruiters: [Recruiter(id: "R1", name: "r", licenseCountry: "PH", licenseNumber: "L1",
                                         licenseExpires: day("2030-01-01"))],
                  vacancies: vacancies, workers: workers,
                  minimumWages: [MinimumWage(country: "DE", monthlyAmount: dec("2000"), currency: "EUR")],
                  fxRates: [FXRate(currency: "EUR", usdPerUnit: dec("1.1"))],
                  whoList: [WHOListEntry(country: "AF", name: "Afghanistan", whoRegion: "EMR")],
                  whoListEdition: "2023")
}

extension MatchingResult {
    /// Exclusions as `subject/worker/vacancy/reason` strings, in result order.
    var exclusionKeys: [String] {
        exclusions.map { "\($0.subject.rawValue)/\($0.workerId ?? "")/\($0.vacancyId ?? "")/\($0.reason)" }
    }

    /// Candidates as `worker/vacancy/fit/rank` strings, in result order.
    var candidateKeys: [String] {
        candidates.map { "\(workerId(of: $0))/\(vacancyId(of: $0))/\($0.fitMicro)/\($0.workerRank)" }
    }
}
