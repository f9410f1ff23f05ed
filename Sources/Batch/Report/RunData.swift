import Foundation
import Matching
import Postgres
import Store

/// Everything the audit report of one run is made from: the run's record, its
/// executions, its stored results and the input its snapshot recorded.
///
/// `load` reads it from the database; `AuditReport(current:other:)` and
/// `Explanation` are pure functions of it, so they are tested without a server.
public struct RunData: Sendable {
    public var run: RunRecord
    public var executions: [ExecutionRecord]
    public var results: RunResults
    /// Exactly the row versions the run's snapshot recorded (workers with their
    /// profile fields, vacancies with their requirements, rates).
    public var input: MatchingInput
    /// The run's effective policy, read back from its stored canonical text.
    public var policy: Policy
    /// The loads whose versions the snapshot took, and its WHO list edition (`RunSnapshot.loads`).
    public var loads: [RunSnapshot.LoadRead]
    /// Of the rows an explanation reads, those the snapshot recorded whose version rows are gone
    /// (removed after the run, with the guards off): set by the loaders for `Explanation`, which
    /// tells them apart from ids the snapshot never had and names them where a rule's evidence
    /// is missing. Empty from the whole-run `load`.
    public var versionsGone: [RunSnapshot.Recorded] = []

    public init(run: RunRecord, executions: [ExecutionRecord], results: RunResults, input: MatchingInput,
                policy: Policy, loads: [RunSnapshot.LoadRead] = []) {
        self.run = run; self.executions = executions; self.results = results; self.input = input
        self.policy = policy; self.loads = loads
    }

    /// Reads run `runId`: its record, executions, stored results, snapshot input and policy;
    /// `input`, when given, is the snapshot's input already read (`RunSnapshot.input`).
    public static func load(_ db: Connection, runId: Int64, input: MatchingInput? = nil) throws -> RunData {
        let (run, policy) = try record(db, runId: runId)
        guard let results = try RunResults.read(db, runId: runId) else {
            throw RunLookupError.noResults(runId, run.status)
        }
        return RunData(run: run, executions: try JobRepository.executions(db, runId: runId), results: results,
                       input: try input ?? RunSnapshot.input(db, runId: runId), policy: policy,
                       loads: try RunSnapshot.loads(db, runId: runId))
    }

    /// Reads what `Explanation` needs of run `runId` about `worker` and `vacancy`, however
    /// large the run: the results that bear on them (`RunResults.read(_:runId:worker:vacancies:)`),
    /// and of the snapshot the worker's version, the versions of the vacancies those results
    /// name (every vacancy that took part, for an eligible worker without a candidate), their
    /// employers and recruiters, the rates and minimum wages (no other rows). The
    /// explanation is the same as from `load`; `ReportTests` checks it for every worker.
    public static func load(_ db: Connection, runId: Int64, worker: String, vacancy: String?) throws -> RunData {
        let (run, policy) = try record(db, runId: runId)
        guard var (results, vacancies) = try RunResults.read(db, runId: runId, worker: worker,
                                                             vacancies: vacancy.map { [$0] } ?? [])
        else { throw RunLookupError.noResults(runId, run.status) }
        // An eligible worker without a candidate: why not is told over every vacancy that took part.
        // Their participant rows and versions only (not their matches: the tally needs none).
        if results.participants.contains(where: { $0.subject == "worker" && $0.id == worker && $0.eligible && $0.candidates == 0 }) {
            let known = Set(results.participants.filter { $0.subject == "vacancy" }.map(\.id))
            let others = try RunResults.vacancyParticipants(db, runId: runId).filter { !known.contains($0.id) }
            results = RunResults(matches: results.matches, topCandidates: results.topCandidates,
                                 participants: results.participants + others, exclusions: results.exclusions,
                                 summaryJSON: results.summaryJSON)
            vacancies = Array(Set(vacancies + others.map(\.id))).sorted()
        }
        var input = try RunSnapshot.input(db, runId: runId, only: ["worker": [worker], "vacancy": vacancies,
                                                                   "employer": [], "recruiter": []])
        // The employers and recruiters those rows name: what their rules read (`RuleEvidence`).
        let named = try RunSnapshot.input(db, runId: runId, only: ["worker": [], "vacancy": []].merging(Self.named(input)) { a, _ in a })
        (input.employers, input.recruiters) = (named.employers, named.recruiters)
        var data = RunData(run: run, executions: try JobRepository.executions(db, runId: runId), results: results,
                           input: input, policy: policy)
        data.versionsGone = try gone(db, runId: runId, input: input, workers: [worker],
                                     vacancies: Array(Set(vacancies + (vacancy.map { [$0] } ?? []))).sorted())
        return data
    }

    /// The employers `input`'s vacancies name and the recruiters its vacancies and workers name,
    /// by kind, sorted.
    private static func named(_ input: MatchingInput) -> [String: [String]] {
        ["employer": Array(Set(input.vacancies.map(\.employerId))).sorted(),
         "recruiter": Set(input.workers.compactMap(\.recruiterId) + input.vacancies.compactMap(\.recruiterId)).sorted()]
    }

    /// Of the snapshot's rows of `workers`, `vacancies`, the employers and recruiters `input`'s
    /// rows name, and every minimum wage and rate, those whose version rows are gone.
    private static func gone(_ db: Connection, runId: Int64, input: MatchingInput, workers: [String],
                             vacancies: [String]) throws -> [RunSnapshot.Recorded] {
        try RunSnapshot.missingVersionRows(db, runId: runId, only: ["worker": workers, "vacancy": vacancies]
                                            .merging(named(input)) { a, _ in a })
    }

    /// Reads what `Explanation` needs of run `runId` about `vacancy` alone: its results
    /// (`RunResults.read(_:runId:vacancy:)`), and of the snapshot its version, its employer and
    /// recruiter, the versions of the workers matched there, the rates and minimum wages.
    public static func load(_ db: Connection, runId: Int64, vacancy: String) throws -> RunData {
        let (run, policy) = try record(db, runId: runId)
        guard let results = try RunResults.read(db, runId: runId, vacancy: vacancy) else {
            throw RunLookupError.noResults(runId, run.status)
        }
        var input = try RunSnapshot.input(db, runId: runId, only: [
            "worker": Set(results.matches.map(\.workerId)).sorted(), "vacancy": [vacancy], "employer": [], "recruiter": []])
        let named = try RunSnapshot.input(db, runId: runId, only: [
            "worker": [], "vacancy": [], "employer": input.vacancies.map(\.employerId),
            "recruiter": input.vacancies.compactMap(\.recruiterId)])
        (input.employers, input.recruiters) = (named.employers, named.recruiters)
        var data = RunData(run: run, executions: try JobRepository.executions(db, runId: runId), results: results,
                           input: input, policy: policy)
        data.versionsGone = try gone(db, runId: runId, input: input, workers: Set(results.matches.map(\.workerId)).sorted(),
                                     vacancies: [vacancy])
        return data
    }

    private static func record(_ db: Connection, runId: Int64) throws -> (RunRecord, Policy) {
        guard let run = try JobRepository.run(db, runId: runId) else { throw RunLookupError.noSuchRun(runId) }
        guard let policy = Policy(canonicalText: run.policyText) else { throw RunLookupError.badPolicy(runId) }
        return (run, policy)
    }
}

/// Lookups over one run's data, built once: who took part, who matched what,
/// who was excluded and why, each worker's stored candidates.
struct RunIndex {
    let data: RunData
    let workers: [String: Worker]
    let vacancies: [String: Vacancy]
    let workerParticipants: [String: RunResults.Participant]
    let vacancyParticipants: [String: RunResults.Participant]
    let matchByWorker: [String: RunResults.Pair]
    let matchesByVacancy: [String: [RunResults.Pair]]
    let topByWorker: [String: [RunResults.TopCandidate]]
    let workerExclusions: [String: [String]]
    let vacancyExclusions: [String: [String]]
    /// Each worker's pair exclusions, by vacancy id then reason (bytes).
    let pairExclusionsByWorker: [String: [Exclusion]]
    /// Pairs (distinct workers) the pair rules refused, per vacancy: a pair that several rules
    /// refused has a row for each, but counts once.
    let refusedPairsByVacancy: [String: Int]
    let usdPerUnit: [String: ExactDecimal]
    /// The least `fit_micro` of a candidate under the run's policy.
    let thresholdMicro: Int

    init(_ data: RunData) {
        self.data = data
        let r = data.results
        workers = Dictionary(data.input.workers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        vacancies = Dictionary(data.input.vacancies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        workerParticipants = Dictionary(r.participants.filter { $0.subject == "worker" }.map { ($0.id, $0) },
                                        uniquingKeysWith: { a, _ in a })
        vacancyParticipants = Dictionary(r.participants.filter { $0.subject == "vacancy" }.map { ($0.id, $0) },
                                         uniquingKeysWith: { a, _ in a })
        matchByWorker = Dictionary(r.matches.map { ($0.workerId, $0) }, uniquingKeysWith: { a, _ in a })
        matchesByVacancy = Dictionary(grouping: r.matches, by: \.vacancyId)
        // Rows come in whatever order the server read them; lists are put in one order here.
        topByWorker = Dictionary(grouping: r.topCandidates, by: \.pair.workerId)
            .mapValues { $0.sorted { $0.position < $1.position } }
        var we: [String: [String]] = [:], ve: [String: [String]] = [:]
        var pew: [String: [Exclusion]] = [:], pev: [String: Set<String>] = [:]
        for e in r.exclusions {
            switch e.subject {
            case .worker: we[e.workerId ?? "", default: []].append(e.reason)
            case .vacancy: ve[e.vacancyId ?? "", default: []].append(e.reason)
            case .pair:
                pew[e.workerId ?? "", default: []].append(e)
                pev[e.vacancyId ?? "", default: []].insert(e.workerId ?? "")
            }
        }
        workerExclusions = we.mapValues { $0.sorted(by: bytesLess) }
        vacancyExclusions = ve.mapValues { $0.sorted(by: bytesLess) }
        pairExclusionsByWorker = pew.mapValues { list in
            list.sorted { a, b in
                a.vacancyId != b.vacancyId ? bytesLess(a.vacancyId ?? "", b.vacancyId ?? "") : bytesLess(a.reason, b.reason)
            }
        }
        refusedPairsByVacancy = pev.mapValues(\.count)
        var fx = Dictionary(data.input.fxRates.map { ($0.currency, $0.usdPerUnit) }, uniquingKeysWith: { a, _ in a })
        fx["USD"] = .one
        usdPerUnit = fx
        thresholdMicro = FitScore.thresholdMicro(minFit: data.policy.minFit)
    }

    /// The reasons the pair rules refused the pair for (bytes order), or nil when none did.
    func pairExclusions(_ worker: String, _ vacancy: String) -> [String]? {
        let reasons = (pairExclusionsByWorker[worker] ?? []).filter { $0.vacancyId == vacancy }.map(\.reason)
        return reasons.isEmpty ? nil : reasons
    }

    /// The stored candidate (one of the worker's five best by fit) for the pair, if any.
    func storedCandidate(_ worker: String, _ vacancy: String) -> RunResults.TopCandidate? {
        topByWorker[worker]?.first { $0.pair.vacancyId == vacancy }
    }

    /// The fit of a pair: the stored one when kept, else computed by the engine's scorer
    /// from the snapshot's rows under the run's weights.
    func fit(_ worker: String, _ vacancy: String) -> (fitMicro: Int, criteria: [String])? {
        if let m = matchByWorker[worker], m.vacancyId == vacancy { return (m.fitMicro, m.criteria) }
        if let t = storedCandidate(worker, vacancy) { return (t.pair.fitMicro, t.pair.criteria) }
        guard let w = workers[worker], let v = vacancies[vacancy] else { return nil }
        let s = FitScore.of(worker: w, vacancy: v, weights: data.policy.weights)
        let b = s.breakdown
        return (s.fitMicro, [b.occupation, b.skills, b.experience, b.languages, b.education].map(\.description))
    }

    /// The essential skills of `vacancy` that `worker` lacks or holds below the level asked.
    func missingEssentialSkills(_ worker: String, _ vacancy: String) -> [MissingSkill] {
        guard let w = workers[worker], let v = vacancies[vacancy] else { return [] }
        let levels = Dictionary(w.skills.map { ($0.code, $0.level) }, uniquingKeysWith: { a, b in max(a, b) })
        return v.requiredSkills.filter(\.essential).compactMap { s in
            let has = levels[s.code] ?? 0
            return has >= s.minLevel ? nil : MissingSkill(code: s.code, has: has, needs: s.minLevel)
        }.sorted { bytesLess($0.code, $1.code) }
    }

    /// Whether the run is optimal and every candidate of `worker` has fit 0, which optimal never
    /// matches (MATCHING.md section 6): its best stored candidate (they are its best by fit) has.
    func onlyFitZeroUnderOptimal(_ worker: String) -> Bool {
        data.run.key.strategy == .optimal && topByWorker[worker]?.first?.pair.fitMicro == 0
    }

    /// The worker's own conditions (MATCHING.md section 4.3) that `vacancy` breaks, as sentences.
    func brokenWorkerConditions(_ w: Worker, _ v: Vacancy) -> [String] {
        var broken: [String] = []
        if !w.preferredDestinations.isEmpty && !w.preferredDestinations.contains(v.destinationCountry) {
            broken.append("destination \(v.destinationCountry) is not among the worker's preferred destinations "
                          + w.preferredDestinations.joined(separator: ","))
        }
        if let least = w.minMonthlyWageUSDCents, let rate = usdPerUnit[v.currency] {
            let cents = v.monthlyWageUSDCents(usdPerUnit: rate)
            if cents < least {
                // What was compared, for recomputing by hand: the wage in USD cents, half away from zero.
                broken.append("wage \(v.monthlyWage) \(v.currency) x \(rate) = \(ReportFormat.usd(cents: cents)) USD is below "
                              + "the worker's minimum \(w.minMonthlyWageUSD!) USD")
            }
        }
        if let from = w.availableFrom, let start = v.startDate, start < from {
            broken.append("the worker is available from \(from), after the start date \(start)")
        }
        return broken
    }

    /// Whether worker `w` ranks vacancy `a` above `b` (MATCHING.md section 5): the destination's
    /// position in its preferred destinations, then the wage in USD cents (higher first), then
    /// the vacancy id (bytes). A vacancy whose wage cannot be converted ranks last.
    func workerRanks(_ w: Worker, _ a: Vacancy, above b: Vacancy) -> Bool {
        func position(_ v: Vacancy) -> Int {
            w.preferredDestinations.isEmpty ? 0 : w.preferredDestinations.firstIndex(of: v.destinationCountry) ?? .max
        }
        if position(a) != position(b) { return position(a) < position(b) }
        switch (usdPerUnit[a.currency].map(a.monthlyWageUSDCents), usdPerUnit[b.currency].map(b.monthlyWageUSDCents)) {
        case let (x?, y?) where x != y: return x > y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return bytesLess(a.id, b.id)
        }
    }

    /// Why `worker` and `vacancy` are, or are not, matched in this run: one sentence
    /// (MATCHING.md sections 1, 2, 4, 6 in that order).
    func pairStatus(_ worker: String, _ vacancy: String) -> String {
        let f = { (micro: Int) in FitScore.text(micro: micro) }
        guard workerParticipants[worker] != nil else { return "worker \(worker) did not take part in run \(data.run.runId)" }
        // Took part, but its version row is gone (removed after the run): what the run stored
        // (exclusions) is still told; what needs the row is not.
        let gone = vacancies[vacancy] == nil
            && (vacancyParticipants[vacancy] != nil || storedCandidate(worker, vacancy) != nil)
        if !gone, vacancyParticipants[vacancy] == nil || vacancies[vacancy] == nil {
            let why = vacancies[vacancy]?.expiresOn.map { "it expired on \($0), before the run date \(data.run.key.runDate)" }
                ?? "not in its snapshot: unknown, or withdrawn"
            return "vacancy \(vacancy) did not take part in run \(data.run.runId) (\(why))"
        }
        if let reasons = workerExclusions[worker] { return "worker excluded: " + reasons.joined(separator: ", ") }
        if let reasons = vacancyExclusions[vacancy] { return "vacancy excluded: " + reasons.joined(separator: ", ") }
        if let reasons = pairExclusions(worker, vacancy) {
            return "pair excluded: " + reasons.joined(separator: ", ")
        }
        guard let v = vacancies[vacancy] else {
            return "vacancy \(vacancy) took part in run \(data.run.runId), but " + Explanation.goneSentence
        }
        let match = matchByWorker[worker]
        if let match, match.vacancyId == vacancy {
            return "matched (fit \(f(match.fitMicro)), worker's rank \(match.workerRank))"
        }
        guard let fit = fit(worker, vacancy), let w = workers[worker] else { return "no data for the pair" }
        if fit.fitMicro < thresholdMicro {
            return "not a candidate: fit \(f(fit.fitMicro)) is below min_fit \(data.policy.minFit)"
        }
        let broken = brokenWorkerConditions(w, v)
        if !broken.isEmpty { return "not a candidate: " + broken.joined(separator: "; ") }
        let stored = storedCandidate(worker, vacancy)
        var text = "candidate (fit \(f(fit.fitMicro))"
        if let stored { text += ", worker's rank \(stored.pair.workerRank)" }
        text += ") but not matched: "
        let strategy = data.run.key.strategy
        if strategy == .optimal && fit.fitMicro == 0 {
            // Possible only when min_fit is 0: nobody outranked it (MATCHING.md section 6).
            return text + AuditReport.fitZeroSentence
        }
        var why: [String] = []
        if let match, let got = vacancies[match.vacancyId] {
            if strategy == .greedy {
                // Pairs are taken by fit, then worker id, then vacancy id (MATCHING.md section 6).
                if match.fitMicro > fit.fitMicro || (match.fitMicro == fit.fitMicro && bytesLess(match.vacancyId, vacancy)) {
                    why.append("the worker was matched earlier in the greedy order, to \(match.vacancyId) "
                               + "(fit \(f(match.fitMicro)))")
                }
            } else if workerRanks(w, got, above: v) {
                why.append("the worker got \(match.vacancyId), which it ranks higher (its rank \(match.workerRank))")
            }
        }
        // The vacancy ranks workers by fit, then worker id (MATCHING.md section 5), which is also
        // the order in which greedy takes a vacancy's pairs.
        let held = matchesByVacancy[vacancy] ?? []
        let ranksHigher = { (p: RunResults.Pair) in
            p.fitMicro > fit.fitMicro || (p.fitMicro == fit.fitMicro && bytesLess(p.workerId, worker))
        }
        if Count(held.count) >= v.openings && held.allSatisfy(ranksHigher), let lowest = held.map(\.fitMicro).min() {
            why.append("\(vacancy)'s \(v.openings) opening\(v.openings == 1 ? "" : "s") went to workers it ranks "
                       + "higher (fit \(f(lowest)) or more)")
        }
        if strategy == .optimal || (strategy == .greedy && why.isEmpty) {
            why.append("the \(strategy.rawValue) strategy chose otherwise (MATCHING.md section 6)")
        }
        return text + (why.isEmpty ? "outranked" : "outranked: " + why.joined(separator: "; "))
    }
}

/// An essential skill a matched worker lacks (`has` 0) or holds below the level asked.
public struct MissingSkill: Sendable, Hashable {
    public var code: String
    public var has: Int
    public var needs: Int

    /// `S12 (has 1, needs 3)` or `S12 (missing, needs 2)`.
    public var text: String { has == 0 ? "\(code) (missing, needs \(needs))" : "\(code) (has \(has), needs \(needs))" }
}

/// Byte order of UTF-8 strings (never the locale's).
func bytesLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
