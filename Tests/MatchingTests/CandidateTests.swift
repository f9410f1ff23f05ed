import Testing
import PropertyBased
@testable import Matching

/// Candidates (MATCHING.md section 4) and preferences (section 5).
@Suite struct CandidateTests {
    func run(_ input: MatchingInput, _ policy: Policy = .default) -> MatchingResult {
        MatchingEngine.runSequentially(input: input, policy: policy, date: runDate, strategy: .stable)
    }

    @Test func wageCentsRoundHalfAwayFromZero() {
        // 1000.005 USD is 100000.5 cents, rounded to 100001: a worker asking 1000.01 accepts it.
        let v = vacancy("V", wage: "1000.005", currency: "USD")
        var input = baseInput(workers: [worker("A", minWageUSD: "1000.01"), worker("B", minWageUSD: "1000.02")],
                              vacancies: [v])
        input.minimumWages = []
        #expect(run(input).candidates.map { run(input).workerId(of: $0) } == ["A"])
        // 1000.004 USD is 100000.4 cents, rounded to 100000: below 1000.01.
        input.vacancies = [vacancy("V", wage: "1000.004", currency: "USD")]
        #expect(run(input).candidates.isEmpty)
    }

    /// Wages past `Int128` cents (10^45 USD) compare exactly: the condition and the worker's
    /// ranking by wage see the same order as for ordinary ones.
    @Test func wagesPastOneHundredTwentyEightBitsCompareExactly() {
        let big = "1" + String(repeating: "0", count: 45)
        let vs = [vacancy("a", wage: big, currency: "USD"), vacancy("b", wage: big + ".005", currency: "USD"),
                  vacancy("c", wage: big + ".004", currency: "USD"), vacancy("d", wage: "3000", currency: "USD"),
                  vacancy("e", wage: "9" + String(repeating: "0", count: 45), currency: "USD")]
        var input = baseInput(workers: [worker("W", minWageUSD: big + ".01"), worker("X", minWageUSD: big),
                                        worker("Y")], vacancies: vs)
        input.minimumWages = []
        let r = run(input)
        func ranked(_ w: String) -> [String] {
            r.candidates.filter { r.workerId(of: $0) == w }.sorted { $0.workerRank < $1.workerRank }.map { r.vacancyId(of: $0) }
        }
        // b rounds up to big + 0.01 (half away from zero); c rounds down to big.
        #expect(ranked("W") == ["e", "b"])
        #expect(ranked("X") == ["e", "b", "a", "c"])
        #expect(ranked("Y") == ["e", "b", "a", "c", "d"])
    }

    @Test func availabilityOnlyWhenBothDatesAreSet() {
        var v = vacancy("V")
        v.startDate = day("2027-03-01")
        var sameDay = worker("A"), later = worker("B"), noDate = worker("C")
        sameDay.availableFrom = day("2027-03-01")
        later.availableFrom = day("2027-03-02")
        let r = run(baseInput(workers: [sameDay, later, noDate], vacancies: [v]))
        #expect(r.candidates.map { r.workerId(of: $0) } == ["A", "C"])
        later.availableFrom = day("2099-01-01")
        let open = run(baseInput(workers: [later], vacancies: [vacancy("V")]))
        #expect(open.candidates.count == 1)
    }

    @Test func minFitIsComparedExactly() {
        // 0.825 exactly (occupation 0.3): candidate at min_fit 0.825, not at 0.8250001.
        let input = baseInput(workers: [worker("W", occupations: [("2231", "1")])], vacancies: [vacancy("V")])
        var p = Policy()
        p.minFit = dec("0.825")
        #expect(run(input, p).candidates.count == 1)
        p.minFit = dec("0.8250001")
        #expect(run(input, p).candidates.isEmpty)
        // fit_micro is what counts: 0.7666666... rounds to 766667 >= 0.7666665e6.
        p.weights = Policy.Weights(occupation: dec("2"), skills: dec("1"), experience: dec("1"), languages: dec("1"),
                                   education: dec("1"))
        p.minFit = dec("0.7666665")
        #expect(run(input, p).candidates.first?.fitMicro == 766_667)
        p.minFit = dec("0.7666671")
        #expect(run(input, p).candidates.isEmpty)
    }

    @Test func workerRanksByPreferenceThenWageThenId() {
        let vs = [vacancy("b", destination: "CA", wage: "3000", currency: "USD"),
                  vacancy("a", destination: "CA", wage: "3000", currency: "USD"),
                  vacancy("c", destination: "CA", wage: "3500", currency: "USD"),
                  vacancy("d", destination: "DE", wage: "2500", currency: "EUR"),
                  vacancy("E", destination: "DE", wage: "5000", currency: "EUR")]
        var input = baseInput(workers: [worker("W", preferred: ["DE", "CA"]), worker("X")], vacancies: vs)
        input.minimumWages = []
        let r = run(input)
        func ranks(_ w: String) -> [String] {
            r.candidates.filter { r.workerId(of: $0) == w }.sorted { $0.workerRank < $1.workerRank }.map { r.vacancyId(of: $0) }
        }
        // DE first (higher wage first), then CA: 3500, then 3000 by id bytes ("a" < "b").
        #expect(ranks("W") == ["E", "d", "c", "a", "b"])
        // No preference: wages 5500 (E), 3500 (c), 3000 (a, b), 2750 (d); "E" < "a" in bytes but wage decides first.
        #expect(ranks("X") == ["E", "c", "a", "b", "d"])
    }

    /// Candidates, ranks and every exclusion equal the brute force over all pairs,
    /// whatever min_fit (0 included) and weights: the indexes and bounds lose nothing.
    @Test func candidatesEqualBruteForce() async {
        await randomInstances(count: 150, workers: 0...40, vacancies: 0...15) { _, input, policy in
            let expected = Reference.run(input, policy, runDate)
            let run = MatchingEngine.runSequentially(input: input, policy: policy, date: runDate, strategy: .greedy)
            #expect(run.candidateKeys == expected.candidates)
            #expect(run.exclusionKeys == expected.exclusions)
        }
    }

    /// Shards split the work but not the answer.
    @Test func shardingDoesNotChangeTheOutput() async {
        await randomInstances(count: 40, workers: 0...40, vacancies: 0...10) { _, input, policy in
            let one = MatchingEngine.runSequentially(input: input, policy: policy, date: runDate, strategy: .stable)
            let many = await MatchingEngine.run(input: input, policy: policy, date: runDate, strategy: .stable, parallelism: 3)
            #expect(one.candidateKeys == many.candidateKeys)
            #expect(one.exclusionKeys == many.exclusionKeys)
        }
    }
}
