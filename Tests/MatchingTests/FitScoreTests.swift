import BigInt
import Testing
import PropertyBased
@testable import Matching

/// Criteria of the fit score (MATCHING.md section 3), each by hand.
@Suite struct FitScoreTests {
    let weights = Policy.Weights.default

    func score(_ w: Worker, _ v: Vacancy, _ weights: Policy.Weights = .default) -> FitScore {
        FitScore.of(worker: w, vacancy: v, weights: weights)
    }

    @Test func specExampleRoundsExactlyWhereDoublesFail() {
        let v = vacancy("V", languages: [LanguageLevel(code: "de", level: .b1)], experience: "6.4")
        let w = worker("W", occupations: [("2221", "1")], languages: [("de", .a2)])
        let s = score(w, v)
        #expect(s.breakdown.experience == Ratio(5, 32))  // 1 / 6.4
        #expect(s.breakdown.languages == Ratio(1, 2))
        #expect(s.fitMicro == 798_438)
        // The reason for the exact path: the same sum in doubles rounds down.
        let naive = (0.25 * 1 + 0.35 * 1 + 0.15 * (1 / 6.4) + 0.15 * 0.5 + 0.1 * 1) * 1e6
        #expect(naive.rounded() == 798_437)
    }

    /// Long decimals are exact too: a hair under the example's one year rounds the other way,
    /// and years beyond the Double range (which would read as 0 or infinity) still divide exactly.
    @Test func longDecimalYearsAreExact() {
        let v = vacancy("V", languages: [LanguageLevel(code: "de", level: .b1)], experience: "6.4")
        func fit(_ years: String) -> FitScore { score(worker("W", occupations: [("2221", years)], languages: [("de", .a2)]), v) }
        #expect(fit("0.9999999999999999999999999").fitMicro == 798_437)
        #expect(fit("1.0000000000000000000000001").fitMicro == 798_438)
        #expect(fit("0.9999999999999999999999999").breakdown.experience
                == Ratio(BigUInt(10).power(25) - 1, 64 * BigUInt(10).power(24)))
        let tiny = "0." + String(repeating: "0", count: 400) + "1"
        let huge = "1" + String(repeating: "0", count: 400)
        for (years, required, expected) in [(tiny, tiny, Ratio(1, 1)), (tiny, tiny + "1", Ratio(10, 11)),
                                            (huge, huge + "0", Ratio(1, 10)), (huge, huge, Ratio(1, 1))] {
            let s = score(worker("W", occupations: [("2221", years)]), vacancy("V", experience: required))
            #expect(s.breakdown.experience == expected)
            // occupation 1, skills 1, languages 1, education 1: fit = 0.85 + 0.15 * experience.
            let micro = (850_000 * expected.denominator + 150_000 * expected.numerator) * 2 / expected.denominator
            #expect(s.fitMicro == Int((micro + 1) / 2))
        }
    }

    @Test func occupationTiersTakeTheBestOccupation() {
        let v = vacancy("V", isco: "2221")
        let cases: [([String], Ratio)] = [
            (["2221"], Ratio(1, 1)), (["2222"], Ratio(3, 5)), (["2231"], Ratio(3, 10)), (["3221"], Ratio(0, 1)),
            (["2231", "2222", "7112"], Ratio(3, 5)),
        ]
        for (codes, expected) in cases {
            let w = worker("W", occupations: codes.map { ($0, "1") })
            #expect(score(w, v).breakdown.occupation == expected, "\(codes)")
        }
        // Occupation 0.3 alone: 0.25 * 0.3 + 0.35 + 0.15 + 0.15 + 0.1 = 0.825 (no experience required).
        #expect(score(worker("W", occupations: [("2231", "1")]), v).fitMicro == 825_000)
    }

    @Test func skillsCreditsAndEssentialOptionalMix() {
        let required = [RequiredSkill(code: "a", minLevel: 3, essential: true),
                        RequiredSkill(code: "b", minLevel: 2, essential: true),
                        RequiredSkill(code: "c", minLevel: 1, essential: false)]
        let v = vacancy("V", skills: required)
        // a at 3 (1), b at 1 (one below: 0.5), c missing (0): 0.8 * 0.75 + 0.2 * 0 = 0.6.
        #expect(score(worker("W", skills: [("a", 3), ("b", 1)]), v).breakdown.skills == Ratio(3, 5))
        // a at 1 (two below: 0), b at 4 (1), c at 1 (1): 0.8 * 0.5 + 0.2 = 0.6.
        #expect(score(worker("W", skills: [("a", 1), ("b", 4), ("c", 1)]), v).breakdown.skills == Ratio(3, 5))
        // A missing skill with minimum 1 is "one below" but the worker lacks it: 0, not 0.5.
        let onlyOptional = vacancy("V", skills: [RequiredSkill(code: "c", minLevel: 1, essential: false)])
        #expect(score(worker("W"), onlyOptional).breakdown.skills == Ratio(0, 1))
        let onlyEssential = vacancy("V", skills: [RequiredSkill(code: "a", minLevel: 2, essential: true),
                                                  RequiredSkill(code: "b", minLevel: 2, essential: true)])
        #expect(score(worker("W", skills: [("a", 1), ("b", 2)]), onlyEssential).breakdown.skills == Ratio(3, 4))
        #expect(score(worker("W"), vacancy("V")).breakdown.skills == Ratio(1, 1))
    }

    @Test func experienceUsesYearsHalvedOnThreeDigitsAndCapsAtOne() {
        let v = vacancy("V", isco: "2221", experience: "4")
        #expect(score(worker("W", occupations: [("2221", "3")]), v).breakdown.experience == Ratio(3, 4))
        #expect(score(worker("W", occupations: [("2222", "3")]), v).breakdown.experience == Ratio(3, 8))
        #expect(score(worker("W", occupations: [("2231", "9")]), v).breakdown.experience == Ratio(0, 1))
        #expect(score(worker("W", occupations: [("2221", "9")]), v).breakdown.experience == Ratio(1, 1))
        // Best over occupations: half of 7 (3.5) beats 2 on the exact code.
        #expect(score(worker("W", occupations: [("2221", "2"), ("2222", "7")]), v).breakdown.experience == Ratio(7, 8))
        #expect(score(worker("W", occupations: [("7112", "0")]), vacancy("V")).breakdown.experience == Ratio(1, 1))
        #expect(score(worker("W", occupations: [("7112", "0")]), vacancy("V", experience: "0")).breakdown.experience == Ratio(1, 1))
    }

    @Test func languagesAndEducation() {
        let v = vacancy("V", languages: [LanguageLevel(code: "de", level: .b2), LanguageLevel(code: "en", level: .a1)],
                        minEducation: 5)
        // de at B1 (one below: 0.5), en missing (0): mean 0.25.
        let s = score(worker("W", education: 4, languages: [("de", .b1)]), v)
        #expect(s.breakdown.languages == Ratio(1, 4))
        #expect(s.breakdown.education == Ratio(1, 2))
        let t = score(worker("W", education: 3, languages: [("de", .c2), ("en", .a1)]), v)
        #expect(t.breakdown.languages == Ratio(1, 1))
        #expect(t.breakdown.education == Ratio(0, 1))
        #expect(score(worker("W", education: 8), v).breakdown.education == Ratio(1, 1))
        #expect(score(worker("W", education: 0, languages: []), vacancy("V")).breakdown.languages == Ratio(1, 1))
        #expect(score(worker("W", education: 0), vacancy("V")).breakdown.education == Ratio(1, 1))
    }

    @Test func weightsAreTheDecimalsWrittenAndNeedNotSumToOne() {
        // occupation 0.3, everything else 1: (2 * 0.3 + 1 + 1 + 1 + 1) / 6 = 0.7666...6 -> 766667.
        let w = Policy.Weights(occupation: dec("2"), skills: dec("1"), experience: dec("1"), languages: dec("1"),
                               education: dec("1"))
        #expect(score(worker("W", occupations: [("2231", "1")]), vacancy("V"), w).fitMicro == 766_667)
        // Only occupation weighted: the fit is the occupation criterion.
        let only = Policy.Weights(occupation: dec("0.1"), skills: .zero, experience: .zero, languages: .zero, education: .zero)
        #expect(score(worker("W", occupations: [("2222", "1")]), vacancy("V"), only).fitMicro == 600_000)
    }

    /// The fit depends on the weights' shares only, however large or small the decimals are
    /// (a session 12 review: weights whose Double sum overflowed, 1e308 twice, or was
    /// subnormal, 1e-320 five times, trapped the process; a lone 1e-400, 0 as a Double, made
    /// every fit 0). Random pairs, the same weights scaled by 10^e, against the reference.
    @Test func weightsFarOutsideTheDoubleRangeScoreAsTheirShares() async {
        func scaled(_ d: ExactDecimal, _ e: Int) -> ExactDecimal { ExactDecimal(jsonNumber: Substring("\(d)e\(e)"))! }
        let v = vacancy("V")
        let w = worker("W", occupations: [("2221", "1")])
        let one = Policy.Weights(occupation: ExactDecimal(jsonNumber: "1e-400")!, skills: .zero, experience: .zero, languages: .zero, education: .zero)
        #expect(score(w, v, one).fitMicro == 1_000_000)
        let huge = Policy.Weights(occupation: ExactDecimal(jsonNumber: "1e308")!, skills: ExactDecimal(jsonNumber: "1e308")!, experience: .zero, languages: .zero, education: .zero)
        #expect(score(w, v, huge).fitMicro == Reference.fitMicro(w, v, huge))
        let tiny = Policy.Weights(occupation: ExactDecimal(jsonNumber: "1e-320")!, skills: ExactDecimal(jsonNumber: "1e-320")!, experience: ExactDecimal(jsonNumber: "1e-320")!,
                                  languages: ExactDecimal(jsonNumber: "1e-320")!, education: ExactDecimal(jsonNumber: "1e-320")!)
        #expect(score(w, v, tiny).fitMicro == score(w, v, Policy.Weights(occupation: dec("1"), skills: dec("1"),
            experience: dec("1"), languages: dec("1"), education: dec("1"))).fitMicro)
        await propertyCheck(count: 100, input: Gen.int(in: 0...Int.max)) { seed in
            var r = RandomInstance(seed: UInt64(seed))
            let input = r.input(workers: 1...4, vacancies: 1...4)
            let weights = r.policy().weights
            for e in [308, 400, -320, -400] {
                let big = Policy.Weights(occupation: scaled(weights.occupation, e), skills: scaled(weights.skills, e),
                                         experience: scaled(weights.experience, e), languages: scaled(weights.languages, e),
                                         education: scaled(weights.education, e))
                for w in input.workers {
                    for v in input.vacancies {
                        #expect(score(w, v, big).fitMicro == score(w, v, weights).fitMicro, "\(w.id) \(v.id) 10^\(e)")
                    }
                }
            }
        }
    }

    @Test func thresholdIsExactForSubMicroMinimums() {
        #expect(FitScore.thresholdMicro(minFit: dec("0.5")) == 500_000)
        #expect(FitScore.thresholdMicro(minFit: dec("0.5000005")) == 500_001)
        #expect(FitScore.thresholdMicro(minFit: dec("0.5000000000001")) == 500_001)
        #expect(FitScore.thresholdMicro(minFit: dec("0")) == 0)
        #expect(FitScore.thresholdMicro(minFit: dec("1")) == 1_000_000)
    }

    @Test func fitTextHasSixDecimals() {
        #expect(FitScore.text(micro: 565_000) == "0.565000")
        #expect(FitScore.text(micro: 1_000_000) == "1.000000")
        #expect(FitScore.text(micro: 7) == "0.000007")
        #expect(FitScore.text(micro: 0) == "0.000000")
        #expect(FitScore.text(micro: 12_345_678) == "12.345678")
    }

    /// The engine's fit (fast path and exact fallback) equals the reference's exact rational on random pairs.
    @Test func fitMatchesExactReference() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            var r = RandomInstance(seed: UInt64(seed))
            let input = r.input(workers: 1...6, vacancies: 1...6)
            let weights = r.policy().weights
            for w in input.workers {
                for v in input.vacancies {
                    #expect(score(w, v, weights).fitMicro == Reference.fitMicro(w, v, weights), "\(w.id) \(v.id)")
                }
            }
        }
    }

    /// Each criterion's share (what `explain` prints) is `w_i * r_i / sum(w)` rounded half away
    /// from zero, exactly: checked against big-integer arithmetic written out here, on random
    /// criteria and policy weights; and the case a Double got wrong (0.15 * 3/32 = 0.0140625).
    @Test func sharesAreExactlyRounded() async {
        let example = [Ratio(1, 1), Ratio(1, 1), Ratio(3, 32), Ratio(1, 1), Ratio(1, 1)]
        #expect(FitScore.sharesMicro(example, weights: .default) == [250_000, 350_000, 14_063, 150_000, 100_000])
        #expect(Ratio("3/32") == Ratio(3, 32) && Ratio("6/64") == Ratio(3, 32) && Ratio("1") == Ratio(1, 1))
        #expect(Ratio("1/0") == nil && Ratio("-1/2") == nil && Ratio("1/") == nil && Ratio("") == nil)
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            var r = RandomInstance(seed: UInt64(seed))
            let weights = r.policy().weights
            var rng = SplitMix(seed: UInt64(seed))
            let ratios: [Ratio] = (0..<5).map { _ in
                let d = BigUInt(UInt64.random(in: 1...1_000_000, using: &rng))
                return Ratio(BigUInt(UInt64.random(in: 0...1_000_000, using: &rng)) % (d + 1), d)
            }
            let all = [weights.occupation, weights.skills, weights.experience, weights.languages, weights.education]
            let scale = all.map(\.scale).max() ?? 0
            let w = all.map { $0.isNegative ? BigUInt(0) : $0.bigScaled(to: scale).magnitude }
            let total = w.reduce(0, +)
            let expected: [Int] = (0..<5).map { i in
                guard total > 0 else { return 0 }
                let n = ratios[i].numerator, d = ratios[i].denominator
                return Int((2_000_000 * w[i] * n + d * total) / (2 * d * total))
            }
            #expect(FitScore.sharesMicro(ratios, weights: weights) == expected, "\(ratios) \(all)")
        }
    }

    /// The UInt128 path and the unbounded fallback agree, and the fallback handles what overflows UInt128.
    @Test func exactArithmeticFallbackAgrees() async {
        let m: [BigUInt] = [25, 35, 15, 15, 10]
        await propertyCheck(count: 200, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(seed: UInt64(seed))
            let ratios: [Ratio] = (0..<5).map { _ in
                let d = BigUInt(UInt64.random(in: 1...100_000, using: &rng))
                return Ratio(BigUInt(UInt64.random(in: 0...100_000, using: &rng)) % (d + 1), d)
            }
            let a = FitScorer.roundedMicro(ratios, m, 100, as: UInt128.self)
            let b = FitScorer.roundedMicro(ratios, m, 100, as: BigUInt.self)
            #expect(a != nil && a == b)
        }
        // Denominators of 10^30 overflow UInt128 once multiplied; the answer is still exact:
        // one criterion at 1, four at 1/2 - 10^-30: (25 + 75 * (0.5 - 10^-30)) / 100, just under
        // 0.625, so 625000 (a Double could not tell, the integers can).
        let big = BigUInt(10).power(30)
        let under = Ratio(big / 2 - 1, big)
        let huge = [Ratio(1, 1), under, under, under, under]
        #expect(FitScorer.roundedMicro(huge, m, 100, as: UInt128.self) == nil)
        #expect(FitScorer(weights: .default).exactMicro(huge) == 625_000)
        // Past UInt128 in the terms themselves (a ratio of long decimals in the years).
        let beyond = BigUInt(10).power(45)
        let wide = [Ratio(1, 1), Ratio(beyond / 2 + 1, beyond), Ratio(1, 2), Ratio(1, 2), Ratio(1, 2)]
        #expect(wide[1].numerator == beyond / 2 + 1 && wide[1].description.count == 45 + 1 + 46)
        #expect(FitScorer(weights: .default).exactMicro(wide) == 625_000)
    }
}
