import BigInt
import Testing
import PropertyBased
import Matching

/// The output files of MATCHING.md section 7 and the run as a whole.
@Suite struct OutputFilesTests {
    /// V1 takes W1 (fit 1) and W2 (0.9, ISCO 3 digits); w4 (0.75) finds V1 full. Nobody reads
    /// v3's German contract, V2 has 50 hours, W3 gave no consent.
    func handRun() -> MatchingResult {
        let input = baseInput(
            workers: [worker("w4", occupations: [("5120", "2")]), worker("W2", occupations: [("2222", "2")]),
                      worker("W3", consent: false), worker("W1")],
            vacancies: [vacancy("v3", isco: "5120", contract: ["de"]), vacancy("V1", openings: 2),
                        vacancy("V2", hours: "50")])
        return MatchingEngine.runSequentially(input: input, policy: .default, date: runDate, strategy: .stable)
    }

    @Test func handRunFiles() {
        let r = handRun()
        #expect(OutputFiles.matchesCSV(r) == """
            worker_id,vacancy_id,fit,worker_rank
            W1,V1,1.000000,1
            W2,V1,0.900000,1

            """)
        #expect(OutputFiles.candidatesCSV(r) == """
            worker_id,vacancy_id,fit,worker_rank
            W1,V1,1.000000,1
            W2,V1,0.900000,1
            w4,V1,0.750000,1

            """)
        #expect(OutputFiles.exclusionsCSV(r) == """
            subject,worker_id,vacancy_id,reason
            pair,W1,v3,CONTRACT_LANGUAGE_NOT_UNDERSTOOD
            pair,W2,v3,CONTRACT_LANGUAGE_NOT_UNDERSTOOD
            pair,w4,v3,CONTRACT_LANGUAGE_NOT_UNDERSTOOD
            vacancy,,V2,EXCESSIVE_HOURS
            worker,W3,,NO_CONSENT

            """)
        #expect(OutputFiles.summaryJSON(r, policySHA256: "abc", inputSHA256: "def") == """
            {
              "strategy": "stable",
              "run_date": "2026-11-29",
              "policy_sha256": "abc",
              "input_sha256": "def",
              "who_list_edition": "2023",
              "counts": {
                "workers": 4,
                "vacancies": 3,
                "openings": 4,
                "eligible_workers": 3,
                "eligible_vacancies": 2,
                "eligible_openings": 3,
                "candidates": 3,
                "matched": 2,
                "unmatched_workers": 1,
                "unfilled_openings": 1
              },
              "fit_sum": "1.900000",
              "worker_rank_sum": 2,
              "exclusions": {
                "CONTRACT_LANGUAGE_NOT_UNDERSTOOD": 3,
                "EXCESSIVE_HOURS": 1,
                "NO_CONSENT": 1
              },
              "warnings": {
                "MIN_WAGE_UNKNOWN": 0
              }
            }

            """)
    }

    @Test func emptyRunStillListsTheWarning() {
        let r = MatchingEngine.runSequentially(input: MatchingInput(), policy: .default, date: runDate, strategy: .optimal)
        let json = OutputFiles.summaryJSON(r, policySHA256: "", inputSHA256: "")
        #expect(json.contains("  \"exclusions\": {},\n  \"warnings\": {\n    \"MIN_WAGE_UNKNOWN\": 0\n  }\n}\n"))
        #expect(json.contains("\"strategy\": \"optimal\""))
        #expect(json.contains("\"who_list_edition\": \"unknown\""))
        #expect(OutputFiles.matchesCSV(r) == "worker_id,vacancy_id,fit,worker_rank\n")
    }

    @Test func exclusionsSortEmptyFirstByBytes() {
        let rows = [Exclusion(subject: .worker, workerId: "a", vacancyId: nil, reason: "UNDERAGE"),
                    Exclusion(subject: .pair, workerId: "a", vacancyId: "b", reason: "WHO_SAFEGUARD_LIST"),
                    Exclusion(subject: .pair, workerId: "Z", vacancyId: "b", reason: "WHO_SAFEGUARD_LIST"),
                    Exclusion(subject: .pair, workerId: "a", vacancyId: "B", reason: "WHO_SAFEGUARD_LIST"),
                    Exclusion(subject: .worker, workerId: "a", vacancyId: nil, reason: "NO_CONSENT")]
        let sorted = rows.sorted(by: Exclusion.fileOrder).map { "\($0.workerId ?? "")/\($0.vacancyId ?? "")/\($0.reason)" }
        #expect(sorted == ["Z/b/WHO_SAFEGUARD_LIST", "a/B/WHO_SAFEGUARD_LIST", "a/b/WHO_SAFEGUARD_LIST",
                           "a//NO_CONSENT", "a//UNDERAGE"])
    }

    /// The files depend on the input's content, not on the order of its rows or unordered list items.
    @Test func shuffledInputGivesIdenticalFiles() async {
        await randomInstances(count: 60, workers: 0...30, vacancies: 0...10) { r, input, policy in
            let shuffled = r.shuffled(input)
            for strategy in Strategy.allCases {
                let a = MatchingEngine.runSequentially(input: input, policy: policy, date: runDate, strategy: strategy)
                let b = await MatchingEngine.run(input: shuffled, policy: policy, date: runDate, strategy: strategy,
                                                 parallelism: 2)
                #expect(OutputFiles.matchesCSV(a) == OutputFiles.matchesCSV(b))
                #expect(OutputFiles.candidatesCSV(a) == OutputFiles.candidatesCSV(b))
                #expect(OutputFiles.exclusionsCSV(a) == OutputFiles.exclusionsCSV(b))
                #expect(OutputFiles.summaryJSON(a, policySHA256: "p", inputSHA256: "i")
                    == OutputFiles.summaryJSON(b, policySHA256: "p", inputSHA256: "i"))
            }
        }
    }

    /// The counts hang together on random runs, and matches are stable (for `stable`) candidates.
    @Test func countsAreConsistent() async {
        await randomInstances(count: 60, workers: 0...30, vacancies: 0...10) { _, input, policy in
            let res = MatchingEngine.runSequentially(input: input, policy: policy, date: runDate, strategy: .stable)
            let c = res.counts
            #expect(c.workers == input.workers.filter { !$0.withdrawn }.count)
            #expect(c.eligibleWorkers == c.workers - Set(res.exclusions.filter { $0.subject == .worker }.map(\.workerId)).count)
            #expect(c.eligibleVacancies == c.vacancies - Set(res.exclusions.filter { $0.subject == .vacancy }.map(\.vacancyId)).count)
            #expect(c.unmatchedWorkers == c.eligibleWorkers - c.matched)
            #expect(c.unfilledOpenings == c.eligibleOpenings - Count(c.matched))
            // The openings are summed exactly, however large (RandomInstance makes some past 64 bits).
            let taking = Set(res.vacancyIds)
            let excluded = Set(res.exclusions.filter { $0.subject == .vacancy }.map(\.vacancyId))
            let takingPart = input.vacancies.filter { taking.contains($0.id) }
            #expect(c.openings == takingPart.map(\.openings).sum())
            #expect(c.eligibleOpenings == takingPart.filter { !excluded.contains($0.id) }.map(\.openings).sum())
            #expect(res.exclusionCounts.values.reduce(0, +) == res.exclusions.count)
            #expect(res.exclusions == res.exclusions.sorted(by: Exclusion.fileOrder))
            #expect(res.fitSumMicro == res.matches.reduce(0) { $0 + $1.fitMicro })
            #expect(res.problem.blockingPairs(matched: res.matches.map { m in
                res.candidates.firstIndex(of: m)!
            }).isEmpty)
            // A breakdown is recomputed exactly from the criteria: the weighted mean rounds to fit_micro.
            for cand in res.candidates.prefix(5) {
                let b = res.breakdown(of: cand)
                let w = policy.weights
                let parts = [(w.occupation, b.occupation), (w.skills, b.skills), (w.experience, b.experience),
                             (w.languages, b.languages), (w.education, b.education)]
                let total = parts.reduce(Q(0)) { $0 + Q($1.0) }
                let fit = parts.reduce(Q(0)) { $0 + Q($1.0) * Q(BigInt($1.1.numerator), BigInt($1.1.denominator)) } / total
                #expect((fit * Q(1_000_000)).roundedHalfUp == cand.fitMicro)
            }
        }
    }
}
