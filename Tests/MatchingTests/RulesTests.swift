import Testing
@testable import Matching

/// The ethical-recruitment rules (MATCHING.md section 2) and taking part (section 1), at their boundaries.
@Suite struct RulesTests {
    func run(_ input: MatchingInput, _ policy: Policy = .default) -> MatchingResult {
        MatchingEngine.runSequentially(input: input, policy: policy, date: runDate, strategy: .stable)
    }

    func vacancyReasons(_ v: Vacancy, _ input: MatchingInput? = nil, _ policy: Policy = .default) -> [String] {
        var i = input ?? baseInput()
        i.vacancies = [v]
        return run(i, policy).exclusions.filter { $0.subject == .vacancy }.map(\.reason)
    }

    func workerReasons(_ w: Worker, _ input: MatchingInput? = nil, _ policy: Policy = .default) -> [String] {
        var i = input ?? baseInput()
        i.workers = [w]
        return run(i, policy).exclusions.filter { $0.subject == .worker }.map(\.reason)
    }

    /// Section 4, condition 3 compares whole cents: the vacancy's wage converted exactly and
    /// rounded to cents, the worker's minimum rounded up to cents. The report explains pairs
    /// with these same functions, so its sentences agree with the engine.
    @Test func wageCentsForTheWorkersMinimum() {
        // 2234.565 EUR at 1.1 = 2458.0215 USD: 245802 cents.
        #expect(vacancy("V", wage: "2234.565").monthlyWageUSDCents(usdPerUnit: dec("1.1")) == 245_802)
        #expect(vacancy("V", wage: "0.005").monthlyWageUSDCents(usdPerUnit: dec("1")) == 1)
        #expect(worker("W", minWageUSD: "1358.02").minMonthlyWageUSDCents == 135_802)
        #expect(worker("W", minWageUSD: "1358.021").minMonthlyWageUSDCents == 135_803)
        #expect(worker("W", minWageUSD: "7").minMonthlyWageUSDCents == 700)
        #expect(worker("W").minMonthlyWageUSDCents == nil)
        // The engine agrees: a worker asking one cent more than the wage gets no candidate.
        let v = vacancy("V", openings: 2, wage: "2234.565")
        let input = baseInput(workers: [worker("A", minWageUSD: "2458.02"), worker("B", minWageUSD: "2458.03")],
                              vacancies: [v])
        let result = run(input)
        #expect(result.candidates.map(result.workerId(of:)) == ["A"])
    }

    @Test func excessiveHoursAbove48Only() {
        #expect(vacancyReasons(vacancy("V", hours: "48")) == [])
        #expect(vacancyReasons(vacancy("V", hours: "48.01")) == ["EXCESSIVE_HOURS"])
        var p = Policy()
        p.maxWeeklyHours = dec("40.5")
        #expect(vacancyReasons(vacancy("V", hours: "40.5"), nil, p) == [])
        #expect(vacancyReasons(vacancy("V", hours: "41"), nil, p) == ["EXCESSIVE_HOURS"])
    }

    @Test func feePassportAndContract() {
        var v = vacancy("V", contract: [])
        v.workerFee = dec("0.01")
        v.passportRetention = true
        // Several reasons for one subject: each recorded (sorted by reason bytes).
        #expect(vacancyReasons(v) == ["NO_WRITTEN_CONTRACT", "PASSPORT_RETENTION", "RECRUITMENT_FEE_CHARGED"])
        v = vacancy("V")
        v.workerFee = .zero
        #expect(vacancyReasons(v) == [])
    }

    @Test func wageEqualToTheMinimumIsNotBelow() {
        // 2000 EUR at 1.1 = 2200 USD minimum. 2200 USD is equal; 1999.99 EUR is below.
        #expect(vacancyReasons(vacancy("V", wage: "2200", currency: "USD")) == [])
        #expect(vacancyReasons(vacancy("V", wage: "2000", currency: "EUR")) == [])
        #expect(vacancyReasons(vacancy("V", wage: "1999.99", currency: "EUR")) == ["WAGE_BELOW_MINIMUM"])
        #expect(vacancyReasons(vacancy("V", wage: "2199.999", currency: "USD")) == ["WAGE_BELOW_MINIMUM"])
    }

    @Test func fxMissingForTheVacancyOrTheMinimumWageCurrency() {
        // No rate for the vacancy's currency: FX_RATE_MISSING, and the wage is not compared.
        #expect(vacancyReasons(vacancy("V", wage: "1", currency: "CAD")) == ["FX_RATE_MISSING"])
        // The destination's minimum is in a currency without a rate.
        var input = baseInput()
        input.minimumWages.append(MinimumWage(country: "CA", monthlyAmount: dec("2500"), currency: "CAD"))
        #expect(vacancyReasons(vacancy("V", destination: "CA", wage: "1", currency: "USD"), input) == ["FX_RATE_MISSING"])
        // USD needs no rate even when the file does not list it.
        input.minimumWages.append(MinimumWage(country: "US", monthlyAmount: dec("1000"), currency: "USD"))
        #expect(vacancyReasons(vacancy("V", destination: "US", wage: "1000", currency: "USD"), input) == [])
        #expect(vacancyReasons(vacancy("V", destination: "US", wage: "999", currency: "USD"), input) == ["WAGE_BELOW_MINIMUM"])
    }

    @Test func minWageUnknownCountsTakingPartVacanciesExcludedOrNot() {
        var input = baseInput()
        var expired = vacancy("X", destination: "PH")
        expired.expiresOn = day("2026-11-28")
        input.vacancies = [vacancy("A", destination: "PH"), vacancy("B", destination: "PH", hours: "60"),
                           vacancy("C", destination: "DE"), expired]
        let r = run(input)
        #expect(r.minWageUnknown == 2)
        #expect(OutputFiles.summaryJSON(r, policySHA256: "p", inputSHA256: "i").contains("\"MIN_WAGE_UNKNOWN\": 2"))
    }

    @Test func blocklistsAndLicences() {
        var input = baseInput()
        input.employers[0].blocklisted = true
        #expect(vacancyReasons(vacancy("V"), input) == ["EMPLOYER_BLOCKLISTED"])

        input = baseInput()
        input.recruiters = [
            Recruiter(id: "OK", name: "r", licenseCountry: "PH", licenseNumber: "L", licenseExpires: runDate),
            Recruiter(id: "OLD", name: "r", licenseCountry: "PH", licenseNumber: "L", licenseExpires: day("2026-11-28")),
            Recruiter(id: "NONE", name: "r", licenseCountry: "PH"),
            Recruiter(id: "BAD", name: "r", licenseCountry: "PH", licenseNumber: "L", blocklisted: true),
        ]
        // A licence that expires on the run date is still valid.
        #expect(vacancyReasons(vacancy("V", recruiter: "OK"), input) == [])
        #expect(vacancyReasons(vacancy("V", recruiter: "OLD"), input) == ["RECRUITER_LICENSE_EXPIRED"])
        #expect(vacancyReasons(vacancy("V", recruiter: "NONE"), input) == ["RECRUITER_UNLICENSED"])
        #expect(vacancyReasons(vacancy("V", recruiter: "BAD"), input) == ["RECRUITER_BLOCKLISTED"])
        // The same rules for a worker's recruiter.
        #expect(workerReasons(worker("W", recruiter: "OK"), input) == [])
        #expect(workerReasons(worker("W", recruiter: "OLD"), input) == ["RECRUITER_LICENSE_EXPIRED"])
        #expect(workerReasons(worker("W", recruiter: "NONE"), input) == ["RECRUITER_UNLICENSED"])
        #expect(workerReasons(worker("W", recruiter: "BAD"), input) == ["RECRUITER_BLOCKLISTED"])
    }

    @Test func underageUsesTheLowerBoundOfTheAge() {
        // Run in 2026: born 2007 is at least 18 (2026 - 2007 - 1 = 18); born 2008 may be 17.
        #expect(workerReasons(worker("W", birthYear: 2007)) == [])
        #expect(workerReasons(worker("W", birthYear: 2008)) == ["UNDERAGE"])
        var p = Policy()
        p.minAge = 21
        #expect(workerReasons(worker("W", birthYear: 2004), nil, p) == [])
        #expect(workerReasons(worker("W", birthYear: 2005), nil, p) == ["UNDERAGE"])
        #expect(workerReasons(worker("W", birthYear: 2010, consent: false)) == ["NO_CONSENT", "UNDERAGE"])
    }

    @Test func takingPartAtTheRunDate() {
        var expiresToday = vacancy("T"), expired = vacancy("X"), withdrawn = vacancy("Y", hours: "99")
        expiresToday.expiresOn = runDate
        expired.expiresOn = day("2026-11-28")
        withdrawn.withdrawn = true
        var gone = worker("G", consent: false)
        gone.withdrawn = true
        let r = run(baseInput(workers: [worker("W"), gone], vacancies: [expiresToday, expired, withdrawn]))
        #expect(r.vacancyIds == ["T"])
        #expect(r.workerIds == ["W"])
        // Who does not take part gets no exclusion row and counts nowhere.
        #expect(r.exclusions.isEmpty)
        #expect(r.counts.vacancies == 1 && r.counts.workers == 1 && r.counts.openings == 1)
    }

    /// Openings past `Int32` and `Int` (FEEDS.md sets no bound) are counted exactly in
    /// summary.json, and such a vacancy takes every candidate it has.
    @Test func openingsOfAnySizeAreCountedExactly() {
        let huge = Count("99999999999999999999")!
        var excluded = vacancy("X", openings: huge, hours: "99")
        excluded.contractMonths = huge
        let input = baseInput(workers: [worker("W1"), worker("W2"), worker("W3")],
                              vacancies: [vacancy("A", openings: 3_000_000_000), vacancy("B", openings: huge), excluded])
        for strategy in Strategy.allCases {
            let r = MatchingEngine.runSequentially(input: input, policy: .default, date: runDate, strategy: strategy)
            #expect(r.counts.openings == Count("200000000002999999998"))
            #expect(r.counts.eligibleOpenings == Count("100000000002999999999"))
            #expect(r.counts.matched == 3)
            #expect(r.counts.unfilledOpenings == Count("100000000002999999996"))
            let summary = OutputFiles.summaryJSON(r, policySHA256: "p", inputSHA256: "i")
            #expect(summary.contains("\"openings\": 200000000002999999998,"))
            #expect(summary.contains("\"unfilled_openings\": 100000000002999999996\n"))
        }
    }

    @Test func whoSafeguardListForHealthJobsWithoutG2G() {
        let nurse = worker("W", origin: "AF")
        var health = vacancy("V", isco: "2221")
        #expect(run(baseInput(workers: [nurse], vacancies: [health])).exclusionKeys == ["pair/W/V/WHO_SAFEGUARD_LIST"])
        health.g2gAgreement = true
        let exempt = run(baseInput(workers: [nurse], vacancies: [health]))
        #expect(exempt.exclusions.isEmpty && exempt.candidates.count == 1)
        // Not a health code, or not from a listed country: no exclusion.
        let cook = run(baseInput(workers: [worker("W", occupations: [("5120", "5")], origin: "AF")],
                                 vacancies: [vacancy("V", isco: "5120")]))
        #expect(cook.exclusions.isEmpty && cook.candidates.count == 1)
        #expect(run(baseInput(workers: [worker("W", origin: "PH")], vacancies: [vacancy("V")])).exclusions.isEmpty)
        // One-digit prefixes work too.
        var p = Policy()
        p.healthIscoPrefixes = ["5"]
        let custom = run(baseInput(workers: [worker("W", occupations: [("5120", "5")], origin: "AF")],
                                   vacancies: [vacancy("V", isco: "5120")]), p)
        #expect(custom.exclusionKeys == ["pair/W/V/WHO_SAFEGUARD_LIST"])
    }

    @Test func contractLanguageAtB1OrAbove() {
        let v = vacancy("V", contract: ["de", "en"])
        #expect(run(baseInput(workers: [worker("W", languages: [("en", .b1)])], vacancies: [v])).candidates.count == 1)
        #expect(run(baseInput(workers: [worker("W", languages: [("en", .a2), ("fr", .c2)])], vacancies: [v])).exclusionKeys
            == ["pair/W/V/CONTRACT_LANGUAGE_NOT_UNDERSTOOD"])
        var p = Policy()
        p.contractLanguageMin = .a2
        #expect(run(baseInput(workers: [worker("W", languages: [("en", .a2)])], vacancies: [v]), p).candidates.count == 1)
        // Both pair rules can fire for one pair.
        #expect(run(baseInput(workers: [worker("W", origin: "AF", languages: [])], vacancies: [v])).exclusionKeys
            == ["pair/W/V/CONTRACT_LANGUAGE_NOT_UNDERSTOOD", "pair/W/V/WHO_SAFEGUARD_LIST"])
    }

    @Test func pairRulesOnlyForPairsThatWouldOtherwiseBeCandidates() {
        // Nobody reads German: the contract rule would fire for every pair that gets that far.
        var v = vacancy("V", contract: ["de"], skills: [RequiredSkill(code: "x", minLevel: 2, essential: true)])
        v.startDate = day("2027-01-31")
        // Occupation 0 and skills 0: 0.15 + 0.15 + 0.1 = 0.4 < min_fit.
        let weak = worker("A", occupations: [("7112", "1")], languages: [])
        let far = worker("B", languages: [], preferred: ["CA"])
        let poor = worker("C", languages: [], minWageUSD: "3300.01")  // the wage is 3000 EUR = 3300.00 USD
        var late = worker("D", languages: [])
        late.availableFrom = day("2027-02-01")
        let control = worker("E", languages: [], minWageUSD: "3300")
        let r = run(baseInput(workers: [weak, far, poor, late, control], vacancies: [v]))
        #expect(r.exclusionKeys == ["pair/E/V/CONTRACT_LANGUAGE_NOT_UNDERSTOOD"])
        #expect(r.candidates.isEmpty)
    }

    @Test func ruleTableIsDataWithSources() {
        let reasons = EthicalRules.all.map { "\($0.subject.rawValue):\($0.reason.rawValue)" }
        #expect(reasons.count == 17)  // 10 vacancy, 5 worker, 2 pair rules
        #expect(Set(EthicalRules.all.map(\.reason)) == Set(ExclusionReason.allCases))
        let hours = EthicalRules.all.first { $0.reason == .excessiveHours }
        #expect(hours?.source == "ILO C1 art. 2 (8 hours a day, 48 a week)")
        #expect(hours?.subject == .vacancy)
        #expect(EthicalRules.all.filter { $0.reason == .recruiterLicenseExpired }.map(\.subject) == [.vacancy, .worker])
        #expect(EthicalRules.all.first { $0.reason == .whoSafeguardList }?.subject == .pair)
    }
}
