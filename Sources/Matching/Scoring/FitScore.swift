/// A nonnegative rational number in lowest terms: an exact criterion value of the fit score.
public struct Ratio: Sendable, Hashable, CustomStringConvertible {
    public let numerator: UInt128
    public let denominator: UInt128

    /// `numerator / denominator` reduced; the denominator must not be 0.
    public init(_ numerator: UInt128, _ denominator: UInt128) {
        precondition(denominator != 0, "zero denominator")
        let g = gcd(numerator, denominator)
        self.numerator = numerator / g
        self.denominator = denominator / g
    }

    /// The nearest Double (for display; decisions use the exact value).
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    /// `n/d`, or `n` when the denominator is 1.
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}

/// The five criteria of the fit score (MATCHING.md section 3), each exact, in [0, 1].
public struct FitBreakdown: Sendable, Hashable {
    public let occupation: Ratio
    public let skills: Ratio
    public let experience: Ratio
    public let languages: Ratio
    public let education: Ratio
}

/// A fit score: `fitMicro = round(fit * 1e6)` half away from zero, and the criteria it came from.
public struct FitScore: Sendable, Hashable {
    public let fitMicro: Int
    public let breakdown: FitBreakdown

    /// The fit of one worker for one vacancy under `weights`, computed by the
    /// engine's own scorer (the worker's and vacancy's other fields do not matter).
    public static func of(worker: Worker, vacancy: Vacancy, weights: Policy.Weights) -> FitScore {
        let instance = CompiledInstance(workers: [worker], vacancies: [vacancy], policy: Policy(weights: weights),
                                        usdPerUnit: [:], whoCountries: [])
        let scorer = FitScorer(weights: weights)
        return FitScore(fitMicro: Int(scorer.fitMicro(instance, 0, 0)), breakdown: scorer.breakdown(instance, 0, 0))
    }

    /// The least `fit_micro` a candidate needs: `ceil(minFit * 1e6)`, so that
    /// `fit_micro >= minFit * 1e6` exactly (0.5000005 gives 500001).
    public static func thresholdMicro(minFit: ExactDecimal) -> Int {
        if minFit.scale <= 6 { return Int(minFit.scaled(to: 6)) }
        let (q, r) = Int128(minFit.mantissa).quotientAndRemainder(dividingBy: ExactDecimal.pow10(minFit.scale - 6))
        return Int(r > 0 ? q + 1 : q)
    }

    /// `fitMicro` as written in the output files: six decimals (`0.565000`, `1.000000`).
    public static func text(micro: Int) -> String {
        let sign = micro < 0 ? "-" : ""
        let m = micro.magnitude
        let frac = String(m % 1_000_000)
        return sign + String(m / 1_000_000) + "." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}
