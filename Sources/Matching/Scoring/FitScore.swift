import BigInt

/// A nonnegative rational number in lowest terms: an exact criterion value of the fit score.
/// Its terms are `UInt128`s when they fit (always, but for long decimals in the years), so
/// the breakdowns of a big run never touch unbounded arithmetic.
public struct Ratio: Sendable, Hashable, CustomStringConvertible {
    private let smallNumerator: UInt128
    private let smallDenominator: UInt128
    private let large: LargeTerms?

    /// `numerator / denominator` reduced; the denominator must not be 0.
    public init(_ numerator: BigUInt, _ denominator: BigUInt) {
        precondition(!denominator.isZero, "zero denominator")
        let g = numerator.greatestCommonDivisor(with: denominator)
        let (n, d) = (numerator / g, denominator / g)
        if let sn = UInt128(exactly: n), let sd = UInt128(exactly: d) {
            (smallNumerator, smallDenominator, large) = (sn, sd, nil)
        } else {
            (smallNumerator, smallDenominator, large) = (0, 0, LargeTerms(n, d))
        }
    }

    /// `numerator / denominator` reduced, in `UInt128` all the way.
    init(small numerator: UInt128, _ denominator: UInt128) {
        precondition(denominator != 0, "zero denominator")
        let g = gcd(numerator, denominator)
        (smallNumerator, smallDenominator, large) = (numerator / g, denominator / g, nil)
    }

    public var numerator: BigUInt { large?.numerator ?? BigUInt(smallNumerator) }
    public var denominator: BigUInt { large?.denominator ?? BigUInt(smallDenominator) }

    /// Both terms, when they fit `UInt128`.
    var smallTerms: (UInt128, UInt128)? { large == nil ? (smallNumerator, smallDenominator) : nil }

    /// The nearest Double (for display; decisions use the exact value).
    public var doubleValue: Double {
        if large == nil { return Double(smallNumerator) / Double(smallDenominator) }
        // Both terms shifted alike keep the quotient and stay in the Double range.
        let shift = max(0, max(numerator.bitWidth, denominator.bitWidth) - 1000)
        return Double(numerator >> shift) / Double(denominator >> shift)
    }

    /// Reads `n/d` or `n` (decimal digits, a denominator above 0), as `description` writes it.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        func natural(_ s: Substring) -> BigUInt? {
            s.isEmpty || !s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? nil : BigUInt(String(s))
        }
        guard let n = natural(parts[0]) else { return nil }
        let d = parts.count == 2 ? natural(parts[1]) : 1
        guard let d, !d.isZero else { return nil }
        self.init(n, d)
    }

    /// `n/d`, or `n` when the denominator is 1.
    public var description: String {
        if large == nil { return smallDenominator == 1 ? "\(smallNumerator)" : "\(smallNumerator)/\(smallDenominator)" }
        return denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
    }
}

/// The terms of a `Ratio` past `UInt128`, behind one reference.
final class LargeTerms: Sendable, Hashable {
    let numerator: BigUInt
    let denominator: BigUInt

    init(_ numerator: BigUInt, _ denominator: BigUInt) { (self.numerator, self.denominator) = (numerator, denominator) }

    static func == (a: LargeTerms, b: LargeTerms) -> Bool {
        a.numerator == b.numerator && a.denominator == b.denominator
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(numerator)
        hasher.combine(denominator)
    }
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

    /// Each criterion's share of the fit, `round(1e6 * w_i * r_i / sum(w))` half away from zero,
    /// computed exactly as the fit is (for the breakdown an auditor adds up by hand; the
    /// rounded shares may differ from the rounded fit by a few millionths).
    public static func sharesMicro(_ criteria: [Ratio], weights: Policy.Weights) -> [Int] {
        let scorer = FitScorer(weights: weights)
        let zero = Ratio(small: 0, 1)
        return criteria.indices.map { i in
            scorer.exactMicro(criteria.indices.map { $0 == i ? criteria[i] : zero })
        }
    }

    /// The least `fit_micro` a candidate needs: `ceil(minFit * 1e6)`, so that
    /// `fit_micro >= minFit * 1e6` exactly (0.5000005 gives 500001).
    public static func thresholdMicro(minFit: ExactDecimal) -> Int {
        Int(clamping: minFit.ceiling(places: 6))
    }

    /// `fitMicro` as written in the output files: six decimals (`0.565000`, `1.000000`).
    public static func text(micro: Int) -> String {
        let sign = micro < 0 ? "-" : ""
        let m = micro.magnitude
        let frac = String(m % 1_000_000)
        return sign + String(m / 1_000_000) + "." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}
