/// The counts of `summary.json` (MATCHING.md section 7).
public struct RunCounts: Sendable, Hashable {
    /// Taking part (section 1).
    public var workers = 0, vacancies = 0
    /// Sums of the openings as written: exact, whatever their size (FEEDS.md sets no bound).
    public var openings: Count = 0
    /// Taking part and without an exclusion of their own.
    public var eligibleWorkers = 0, eligibleVacancies = 0
    public var eligibleOpenings: Count = 0
    public var candidates = 0, matched = 0
    /// Among the eligible.
    public var unmatchedWorkers = 0
    public var unfilledOpenings: Count = 0

    /// The counts as `summary.json` keys, in the spec's order, with their decimal digits.
    public var keyed: [(String, String)] {
        [("workers", "\(workers)"), ("vacancies", "\(vacancies)"), ("openings", openings.description),
         ("eligible_workers", "\(eligibleWorkers)"), ("eligible_vacancies", "\(eligibleVacancies)"),
         ("eligible_openings", eligibleOpenings.description), ("candidates", "\(candidates)"),
         ("matched", "\(matched)"), ("unmatched_workers", "\(unmatchedWorkers)"),
         ("unfilled_openings", unfilledOpenings.description)]
    }
}

/// How long each step of a run took, and how much scoring work candidate generation did.
public struct StepTimings: Sendable, Hashable {
    /// Taking part, compiling the instance, worker and vacancy rules.
    public var rules: Duration = .zero
    /// Candidate generation (with pair rules) and worker ranks.
    public var candidates: Duration = .zero
    /// The assignment strategy.
    public var assign: Duration = .zero
    /// Pairs whose fit was computed (all eligible pairs would be eligible workers x eligible vacancies).
    public var scoredPairs = 0
}

/// Everything one matching run computes (MATCHING.md sections 1-7).
public struct MatchingResult: Sendable {
    public let strategy: Strategy
    public let runDate: Day
    public let policy: Policy
    public let whoListEdition: String
    /// Taking-part workers' ids, sorted by bytes; `Candidate.worker` indexes it.
    public let workerIds: [String]
    /// Taking-part vacancies' ids, sorted by bytes; `Candidate.vacancy` indexes it.
    public let vacancyIds: [String]
    /// Sorted as `exclusions.csv`.
    public let exclusions: [Exclusion]
    /// The candidates (sorted by worker, vacancy) and each vacancy's openings (0 when excluded).
    public let problem: AssignmentProblem
    /// Sorted by worker.
    public let matches: [Candidate]
    public let counts: RunCounts
    /// Sum of `fit_micro` over the matches.
    public let fitSumMicro: Int
    public let workerRankSum: Int
    /// Rows of `exclusions.csv` per reason (reasons without rows are absent).
    public let exclusionCounts: [String: Int]
    /// Taking-part vacancies whose destination has no minimum wage on file.
    public let minWageUnknown: Int
    public let timings: StepTimings
    let instance: CompiledInstance
    let scorer: FitScorer

    /// Every candidate, sorted by (worker, vacancy).
    public var candidates: [Candidate] { problem.candidates }

    public func workerId(of c: Candidate) -> String { workerIds[c.worker] }
    public func vacancyId(of c: Candidate) -> String { vacancyIds[c.vacancy] }

    /// The exact per-criterion breakdown of a candidate's fit (recomputed: it is not stored per candidate).
    public func breakdown(of c: Candidate) -> FitBreakdown { scorer.breakdown(instance, c.worker, c.vacancy) }
}
