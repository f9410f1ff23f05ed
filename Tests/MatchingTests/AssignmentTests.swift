import Testing
import PropertyBased
import Matching

/// The strategies of MATCHING.md section 6 on assignment problems built directly.
@Suite struct AssignmentTests {
    /// `(worker, vacancy, fit, rank)` rows.
    func problem(_ workers: Int, _ capacities: [Int], _ rows: [(Int, Int, Int, Int)]) -> AssignmentProblem {
        AssignmentProblem(workerCount: workers, capacities: capacities,
                          candidates: rows.map { Candidate(worker: $0.0, vacancy: $0.1, fitMicro: $0.2, workerRank: $0.3) })
    }

    func pairs(_ p: AssignmentProblem, _ matched: [Int]) -> [String] {
        matched.map { "w\(p.candidates[$0].worker)-v\(p.candidates[$0].vacancy)" }
    }

    @Test func stableLetsVacanciesKeepTheWorkersTheyRankHigher() {
        // Both want v0 (one opening); v0 ranks w1 higher (fit), so w0 falls back to v1.
        let p = problem(2, [1, 1], [(0, 0, 700_000, 1), (0, 1, 900_000, 2), (1, 0, 800_000, 1)])
        #expect(pairs(p, p.solve(.stable)) == ["w0-v1", "w1-v0"])
        // Equal fits: the lower worker id (index) wins.
        let tie = problem(2, [1, 1], [(0, 0, 800_000, 1), (1, 0, 800_000, 1), (1, 1, 600_000, 2)])
        #expect(pairs(tie, tie.solve(.stable)) == ["w0-v0", "w1-v1"])
        // Capacity 2 holds both.
        let wide = problem(2, [2, 1], [(0, 0, 700_000, 1), (1, 0, 800_000, 1)])
        #expect(pairs(wide, wide.solve(.stable)) == ["w0-v0", "w1-v0"])
    }

    @Test func greedyTakesHighestFitsFirst() {
        let p = problem(2, [1, 1], [(0, 0, 900_000, 2), (0, 1, 800_000, 1), (1, 0, 850_000, 1)])
        #expect(pairs(p, p.solve(.greedy)) == ["w0-v0"])
        // Ties on fit: worker id, then vacancy id.
        let tie = problem(2, [1, 1], [(0, 1, 800_000, 1), (0, 0, 800_000, 2), (1, 0, 800_000, 1)])
        // (w0, v0) comes before (w0, v1) and (w1, v0), which then find no room.
        #expect(pairs(tie, tie.solve(.greedy)) == ["w0-v0"])
    }

    @Test func optimalMaximisesFitThenMinimisesRanks() {
        // Greedy gets 0.9; optimal 0.8 + 0.85.
        let p = problem(2, [1, 1], [(0, 0, 900_000, 2), (0, 1, 800_000, 1), (1, 0, 850_000, 1)])
        #expect(pairs(p, p.solve(.optimal)) == ["w0-v1", "w1-v0"])
        // Same fit sum both ways: the smaller rank sum (each worker's first choice).
        let ranks = problem(2, [1, 1], [(0, 0, 500_000, 2), (0, 1, 500_000, 1), (1, 0, 500_000, 1), (1, 1, 500_000, 2)])
        #expect(pairs(ranks, ranks.solve(.optimal)) == ["w0-v1", "w1-v0"])
        // A fit of 0 adds nothing and is never matched.
        let zero = problem(1, [1], [(0, 0, 0, 1)])
        #expect(zero.solve(.optimal).isEmpty)
        #expect(zero.solve(.stable).count == 1)
    }

    @Test func blockingPairsAreFound() {
        let p = problem(2, [1, 1], [(0, 0, 700_000, 1), (0, 1, 900_000, 2), (1, 0, 800_000, 1), (1, 1, 500_000, 2)])
        // w1 at v1 while v0 (held by w0) ranks w1 higher and w1 prefers v0.
        let bad = [0, 3]  // (w0, v0) and (w1, v1): candidates are sorted by (worker, vacancy)
        #expect(pairs(p, p.blockingPairs(matched: bad)) == ["w1-v0"])
        #expect(p.blockingPairs(matched: p.solve(.stable)).isEmpty)
        // Nobody matched: every candidate blocks.
        #expect(p.blockingPairs(matched: []).count == 4)
    }

    /// A random problem: up to 5 workers, 4 vacancies, fits with ties and zeros, distinct ranks per worker.
    static func randomProblem(_ seed: Int) -> AssignmentProblem {
        var rng = SplitMix(seed: UInt64(seed))
        let workers = Int.random(in: 0...5, using: &rng), vacancies = Int.random(in: 1...4, using: &rng)
        let capacities = (0..<vacancies).map { _ in Int.random(in: 0...2, using: &rng) }
        var rows: [Candidate] = []
        for w in 0..<workers {
            let mine = (0..<vacancies).filter { _ in Bool.random(using: &rng) }
            let ranks = Array(1...max(1, mine.count)).shuffled(using: &rng)
            for (i, v) in mine.enumerated() {
                let fit = [0, 500_000, 600_000, 600_000, 750_000, 1_000_000].randomElement(using: &rng)!
                rows.append(Candidate(worker: w, vacancy: v, fitMicro: fit, workerRank: ranks[i]))
            }
        }
        return AssignmentProblem(workerCount: workers, capacities: capacities, candidates: rows.shuffled(using: &rng))
    }

    /// Every feasible matching (candidate indices), by brute force.
    static func allMatchings(_ p: AssignmentProblem) -> [[Int]] {
        var out: [[Int]] = []
        var room = p.capacities
        func go(_ w: Int, _ chosen: [Int]) {
            if w == p.workerCount { out.append(chosen); return }
            go(w + 1, chosen)
            for (i, c) in p.candidates.enumerated() where c.worker == w && room[c.vacancy] > 0 {
                room[c.vacancy] -= 1
                go(w + 1, chosen + [i])
                room[c.vacancy] += 1
            }
        }
        go(0, [])
        return out
    }

    /// Stability written from the spec's words, apart from `blockingPairs`.
    static func isStable(_ p: AssignmentProblem, _ m: [Int]) -> Bool {
        for (i, c) in p.candidates.enumerated() where !m.contains(i) {
            let mine = m.first { p.candidates[$0].worker == c.worker }
            let workerWould = mine.map { c.workerRank < p.candidates[$0].workerRank } ?? true
            let held = m.filter { p.candidates[$0].vacancy == c.vacancy }.map { p.candidates[$0] }
            let vacancyWould = held.count < p.capacities[c.vacancy]
                || held.contains { h in c.fitMicro > h.fitMicro || (c.fitMicro == h.fitMicro && c.worker < h.worker) }
            if workerWould && vacancyWould { return false }
        }
        return true
    }

    static func valid(_ p: AssignmentProblem, _ m: [Int]) -> Bool {
        let workers = m.map { p.candidates[$0].worker }
        let perVacancy = Dictionary(grouping: m, by: { p.candidates[$0].vacancy })
        return Set(workers).count == workers.count && perVacancy.allSatisfy { $0.value.count <= p.capacities[$0.key] }
            && m.allSatisfy { p.candidates.indices.contains($0) }
    }

    static func totals(_ p: AssignmentProblem, _ m: [Int]) -> (fit: Int, rank: Int) {
        (m.reduce(0) { $0 + p.candidates[$1].fitMicro }, m.reduce(0) { $0 + p.candidates[$1].workerRank })
    }

    @Test func stableIsStableAndWorkerOptimal() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            let p = AssignmentTests.randomProblem(seed)
            let m = p.solve(.stable)
            #expect(AssignmentTests.valid(p, m))
            #expect(p.blockingPairs(matched: m).isEmpty)
            #expect(AssignmentTests.isStable(p, m))
            // No worker does better in any stable matching (unmatched ranks worst).
            func rank(_ m: [Int], _ w: Int) -> Int { m.first { p.candidates[$0].worker == w }.map { p.candidates[$0].workerRank } ?? Int.max }
            for other in AssignmentTests.allMatchings(p) where AssignmentTests.isStable(p, other) {
                for w in 0..<p.workerCount { #expect(rank(m, w) <= rank(other, w)) }
            }
            // The stability checker agrees with the spec's words on every matching.
            for other in AssignmentTests.allMatchings(p) {
                #expect(p.blockingPairs(matched: other.sorted()).isEmpty == AssignmentTests.isStable(p, other))
            }
        }
    }

    /// A capacity a vacancy cannot fill (more than its candidates; the engine passes openings of
    /// 10^20 as `Int32.max`) costs no memory of its size (the optimal strategy once sized a
    /// table by the sum of capacities: 25 GB and a crash). Stable and greedy give the same
    /// matching; optimal one with the same sums, valid under the real capacities (which of
    /// several optimal matchings it returns may differ: seed 959809106759584243 is such a case).
    @Test func capacitiesPastTheCandidatesChangeNothing() async {
        func check(_ seed: Int) {
            let p = AssignmentTests.randomProblem(seed)
            var candidates = [Int](repeating: 0, count: p.capacities.count)
            for c in p.candidates { candidates[c.vacancy] += 1 }
            let huge = AssignmentProblem(workerCount: p.workerCount, capacities: p.capacities.indices.map {
                p.capacities[$0] >= candidates[$0] && p.capacities[$0] > 0 ? Int(Int32.max) : p.capacities[$0]
            }, candidates: p.candidates)
            for strategy in [Strategy.stable, .greedy] {
                #expect(huge.solve(strategy) == p.solve(strategy), "seed \(seed), \(strategy)")
            }
            let optimal = huge.solve(.optimal)
            #expect(AssignmentTests.valid(p, optimal), "seed \(seed)")
            let (got, want) = (AssignmentTests.totals(p, optimal), AssignmentTests.totals(p, p.solve(.optimal)))
            #expect(got.fit == want.fit && got.rank == want.rank, "seed \(seed)")
        }
        check(959809106759584243)
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { check($0) }
    }

    @Test func optimalEqualsBruteForceAndBeatsTheOthers() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            let p = AssignmentTests.randomProblem(seed)
            let best = AssignmentTests.allMatchings(p).map { AssignmentTests.totals(p, $0) }
                .max { $0.fit != $1.fit ? $0.fit < $1.fit : $0.rank > $1.rank }!
            let optimal = p.solve(.optimal)
            #expect(AssignmentTests.valid(p, optimal))
            let got = AssignmentTests.totals(p, optimal)
            #expect(got.fit == best.fit && got.rank == best.rank)
            #expect(optimal.allSatisfy { p.candidates[$0].fitMicro > 0 })
            for strategy in [Strategy.stable, .greedy] {
                let m = p.solve(strategy)
                #expect(AssignmentTests.valid(p, m))
                #expect(AssignmentTests.totals(p, m).fit <= got.fit)
            }
        }
    }
}
