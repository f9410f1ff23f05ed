import Foundation

/// The pure matching run: taking part, rules, candidates, preferences, assignment, counts.
public enum MatchingEngine {
    /// Cores to use by default.
    public static var defaultParallelism: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// One run at date `date`, generating candidates on `parallelism` cores.
    /// The result does not depend on `parallelism` nor on the order of input rows.
    public static func run(input: MatchingInput, policy: Policy, date: Day, strategy: Strategy,
                           parallelism: Int = defaultParallelism) async -> MatchingResult {
        var run = Run(input: input, policy: policy, date: date)
        let clock = ContinuousClock(), start = clock.now
        let output = await run.generator.generate(shardCount: max(1, parallelism) * 4)
        return run.finish(output, candidatesStarted: start, strategy: strategy)
    }

    /// The same run on the calling thread.
    public static func runSequentially(input: MatchingInput, policy: Policy, date: Day,
                                       strategy: Strategy) -> MatchingResult {
        var run = Run(input: input, policy: policy, date: date)
        let clock = ContinuousClock(), start = clock.now
        let output = run.generator.generateSequentially()
        return run.finish(output, candidatesStarted: start, strategy: strategy)
    }

    /// Whether a vacancy takes part at `date` (section 1).
    public static func takesPart(_ v: Vacancy, at date: Day) -> Bool {
        !v.withdrawn && (v.expiresOn.map { $0 >= date } ?? true)
    }

    /// Whether a worker takes part (section 1).
    public static func takesPart(_ w: Worker) -> Bool { !w.withdrawn }
}

/// The state of one run between its steps.
private struct Run {
    let policy: Policy
    let date: Day
    let whoListEdition: String
    let workers: [Worker]
    let vacancies: [Vacancy]
    var generator: CandidateGenerator
    /// (worker index or -1, vacancy index or -1, reason) of the entity rules.
    var entityExclusions: [(Int, Int, ExclusionReason)] = []
    var minWageUnknown = 0
    var timings = StepTimings()

    init(input: MatchingInput, policy: Policy, date: Day) {
        let clock = ContinuousClock(), start = clock.now
        self.policy = policy
        self.date = date
        whoListEdition = input.whoListEdition
        let w = input.workers.filter(MatchingEngine.takesPart)
        workers = w.byteOrderPermutation(\.id).map { w[$0] }
        let v = input.vacancies.filter { MatchingEngine.takesPart($0, at: date) }
        vacancies = v.byteOrderPermutation(\.id).map { v[$0] }
        let context = RuleContext(input: input, policy: policy, date: date)
        var instance = CompiledInstance(workers: workers, vacancies: vacancies, policy: policy,
                                        usdPerUnit: context.usdPerUnit,
                                        whoCountries: Set(input.whoList.map(\.country)))
        for (i, vacancy) in vacancies.enumerated() {
            let reasons = EthicalRules.reasons(for: vacancy, context)
            instance.vacancyEligible[i] = reasons.isEmpty
            entityExclusions += reasons.map { (-1, i, $0) }
            if context.minimumWages[vacancy.destinationCountry] == nil { minWageUnknown += 1 }
        }
        for (i, worker) in workers.enumerated() {
            let reasons = EthicalRules.reasons(for: worker, context)
            instance.workerEligible[i] = reasons.isEmpty
            entityExclusions += reasons.map { (i, -1, $0) }
        }
        generator = CandidateGenerator(instance: instance, scorer: FitScorer(weights: policy.weights), policy: policy,
                                       thresholdMicro: Int32(clamping: FitScore.thresholdMicro(minFit: policy.minFit)))
        timings.rules = clock.now - start
    }

    /// Worker ranks, assignment, exclusions and counts, from the generated candidates.
    mutating func finish(_ output: ShardOutput, candidatesStarted: ContinuousClock.Instant,
                         strategy: Strategy) -> MatchingResult {
        let clock = ContinuousClock()
        let inst = generator.instance
        let candidates = rankedCandidates(output.candidates)
        let problem = AssignmentProblem(workerCount: inst.workerCount,
                                        // At most Int32.max (the flow's edge type): more than
                                        // any run has workers, so no vacancy's limit changes.
                                        capacities: inst.openings.indices.map {
                                            inst.vacancyEligible[$0] ? inst.openings[$0].clamped(to: Int(Int32.max)) : 0
                                        },
                                        candidates: candidates)
        timings.candidates = clock.now - candidatesStarted
        timings.scoredPairs = output.scored
        let assignStart = clock.now
        let matches = problem.solve(strategy).map { problem.candidates[$0] }
        timings.assign = clock.now - assignStart

        let (exclusions, exclusionCounts) = sortedExclusions(output.pairExclusions)
        var counts = RunCounts()
        counts.workers = inst.workerCount
        counts.vacancies = inst.vacancyCount
        counts.openings = inst.openings.sum()
        counts.eligibleWorkers = inst.workerEligible.filter { $0 }.count
        counts.eligibleVacancies = inst.vacancyEligible.filter { $0 }.count
        counts.eligibleOpenings = inst.openings.indices.lazy.filter { inst.vacancyEligible[$0] }
            .map { inst.openings[$0] }.sum()
        counts.candidates = candidates.count
        counts.matched = matches.count
        counts.unmatchedWorkers = counts.eligibleWorkers - matches.count
        counts.unfilledOpenings = counts.eligibleOpenings - Count(matches.count)
        var perReason: [String: Int] = [:]
        for (reason, count) in exclusionCounts where count > 0 { perReason[reason.rawValue] = count }
        return MatchingResult(strategy: strategy, runDate: date, policy: policy, whoListEdition: whoListEdition,
                              workerIds: inst.workerIds, vacancyIds: inst.vacancyIds, exclusions: exclusions,
                              problem: problem, matches: matches, counts: counts,
                              fitSumMicro: matches.reduce(0) { $0 + $1.fitMicro },
                              workerRankSum: matches.reduce(0) { $0 + $1.workerRank },
                              exclusionCounts: perReason, minWageUnknown: minWageUnknown, timings: timings,
                              instance: inst, scorer: generator.scorer)
    }

    /// Section 5: each worker's candidates by destination preference, wage in
    /// USD cents (higher first), then vacancy id; `worker_rank` is the position.
    /// The last two keys are one order on vacancies, computed once.
    private func rankedCandidates(_ pairs: [ScoredPair]) -> [Candidate] {
        let inst = generator.instance
        var wageOrder = [UInt64](repeating: 0, count: inst.vacancyCount)
        let byWage = inst.vacancyIds.indices.sorted { a, b in
            inst.wageCents[a] != inst.wageCents[b] ? inst.wageCents[a] > inst.wageCents[b] : a < b
        }
        for (position, v) in byWage.enumerated() { wageOrder[v] = UInt64(position) }
        var out: [Candidate] = []
        out.reserveCapacity(pairs.count)
        var keys: [(key: UInt64, offset: Int)] = []
        var i = 0
        while i < pairs.count {
            var j = i
            while j < pairs.count && pairs[j].worker == pairs[i].worker { j += 1 }
            let w = Int(pairs[i].worker)
            // Key: preference position, then wage order (unique per vacancy).
            keys.removeAll(keepingCapacity: true)
            for k in i..<j {
                let position = UInt64(inst.preferencePosition(w, Int(pairs[k].vacancy)))
                keys.append((position << 32 | wageOrder[Int(pairs[k].vacancy)], k - i))
            }
            keys.sort { $0.key < $1.key }
            var rank = [Int](repeating: 0, count: j - i)
            for (position, entry) in keys.enumerated() { rank[entry.offset] = position + 1 }
            for k in i..<j {
                out.append(Candidate(worker: w, vacancy: Int(pairs[k].vacancy), fitMicro: Int(pairs[k].fitMicro),
                                     workerRank: rank[k - i]))
            }
            i = j
        }
        return out
    }

    /// Entity and pair exclusions in the order of `exclusions.csv`: subject
    /// (`pair` < `vacancy` < `worker`), worker id, vacancy id (empty first;
    /// index order is id order), reason bytes.
    private func sortedExclusions(_ pairs: [PairExclusion]) -> ([Exclusion], [ExclusionReason: Int]) {
        let inst = generator.instance
        // Subjects and reasons ranked by their bytes once, so rows compare as integers.
        let subjects = Exclusion.Subject.allCases.sorted { bytesLess($0.rawValue, $1.rawValue) }
        let reasons = ExclusionReason.allCases.sorted { bytesLess($0.rawValue, $1.rawValue) }
        let subjectRank = Dictionary(uniqueKeysWithValues: subjects.enumerated().map { ($1, $0) })
        let reasonRank = Dictionary(uniqueKeysWithValues: reasons.enumerated().map { ($1, Int32($0)) })
        var count = [Int](repeating: 0, count: reasons.count)
        var rows: [(subject: Int, worker: Int32, vacancy: Int32, reason: Int32)] = []
        rows.reserveCapacity(pairs.count + entityExclusions.count)
        let pair = subjectRank[.pair]!, worker = subjectRank[.worker]!, vacancy = subjectRank[.vacancy]!
        for p in pairs { rows.append((pair, p.worker, p.vacancy, reasonRank[p.reason]!)) }
        for (w, v, reason) in entityExclusions {
            rows.append((w >= 0 ? worker : vacancy, Int32(w), Int32(v), reasonRank[reason]!))
        }
        // Nearly in order already (pairs come by worker and vacancy): the stable sort runs fast.
        rows.sort { a, b in
            if a.subject != b.subject { return a.subject < b.subject }
            if a.worker != b.worker { return a.worker < b.worker }
            if a.vacancy != b.vacancy { return a.vacancy < b.vacancy }
            return a.reason < b.reason
        }
        for r in rows { count[Int(r.reason)] += 1 }
        let counts = Dictionary(uniqueKeysWithValues: reasons.enumerated().map { ($1, count[$0]) })
        return (rows.map {
            Exclusion(subject: subjects[$0.subject], workerId: $0.worker >= 0 ? inst.workerIds[Int($0.worker)] : nil,
                      vacancyId: $0.vacancy >= 0 ? inst.vacancyIds[Int($0.vacancy)] : nil,
                      reason: reasons[Int($0.reason)].rawValue)
        }, counts)
    }
}
