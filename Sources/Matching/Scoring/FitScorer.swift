import BigInt

/// The criteria of one pair as small exact numbers, before weighting.
struct RawCriteria {
    /// 0, 3, 6 or 10 tenths.
    var occupationTenths: Int64 = 0
    var skillsNum: Int64 = 1, skillsDen: Int64 = 1
    var languagesNum: Int64 = 1, languagesDen: Int64 = 1
    var educationNum: Int64 = 1, educationDen: Int64 = 1
    /// No experience required: experience is 1.
    var experienceFree = true
    /// Index in `occupations.items` of the occupation giving the best years, -1 when none matches.
    var bestOccupation = -1
    /// The best years come from a 3-digit match: they count half.
    var bestHalved = false
}

/// The fit score of MATCHING.md section 3 for one policy's weights.
///
/// `fitMicro` takes a Double fast path; when `fit * 1e6` lies within 1e-6 of
/// a half (where rounding could go either way; the Double error is below
/// 1e-8 there) it recomputes exactly: each criterion is a ratio of naturals,
/// the weights are decimals brought to a common scale, and
/// `round(1e6 * sum(w_i * n_i / d_i) / sum(w_i))` is taken with integers
/// (`UInt128`, or `BigUInt` if that overflows). A pair whose experience
/// involves a decimal past 64 bits (years beyond the Double range, or digits
/// a Double would merge) always goes the exact way.
struct FitScorer: Sendable {
    /// Each weight's share of their sum as a Double (`share`: they sum to 1 within a few ulps),
    /// for the fast path and the pruning bounds. Shares, not the weights themselves: a policy's
    /// decimals may lie past a Double's range (`1e308` twice overflows, `1e-400` underflows to
    /// 0), and the fit depends on the shares only.
    let wOcc, wSkills, wExp, wLang, wEdu: Double
    /// `1e6 / sum of the shares` (about 1e6; 0 when the weights sum to 0).
    let microPerWeight: Double
    /// Weights as naturals at a common scale (occupation, skills, experience, languages, education).
    private let exactWeights: [BigUInt]
    private let exactTotal: BigUInt

    init(weights: Policy.Weights) {
        let all = [weights.occupation, weights.skills, weights.experience, weights.languages, weights.education]
        let scale = all.map(\.scale).max() ?? 0
        // Policies are validated (weights >= 0); a negative weight would count as 0.
        exactWeights = all.map { $0.isNegative ? 0 : $0.bigScaled(to: scale).magnitude }
        exactTotal = exactWeights.reduce(0, +)
        let exact = exactTotal
        let d = exactWeights.map { FitScorer.share($0, of: exact) }
        (wOcc, wSkills, wExp, wLang, wEdu) = (d[0], d[1], d[2], d[3], d[4])
        let total = d.reduce(0, +)
        microPerWeight = total > 0 ? 1e6 / total : 0
    }

    /// `part / total` (`part` one of the weights `total` sums, so at most `total`) as a Double
    /// within an ulp or two; 0 when either is 0, or when the share is below 2^-1100, far under
    /// anything a fit in millionths can show.
    static func share(_ part: BigUInt, of total: BigUInt) -> Double {
        guard total > 0, part > 0 else { return 0 }
        precondition(part <= total, "a weight's share above 1")
        // q = part * 2^k / total has 62 or 63 bits (part <= total, so k >= 62).
        let k = 62 + total.bitWidth - part.bitWidth
        guard k < 1100 + 62 else { return 0 }
        let q = (part << k) / total
        return Double(sign: .plus, exponent: -k, significand: Double(UInt64(q)))
    }

    /// The criteria of worker `w` for vacancy `v`.
    @inline(__always)
    func criteria(_ inst: CompiledInstance, _ w: Int, _ v: Int) -> RawCriteria {
        var c = RawCriteria()
        let vp2 = inst.vacancyP2[v], vp3 = inst.vacancyP3[v], vp4 = inst.vacancyP4[v]
        let requiredYears = inst.requiredYears[v]
        c.experienceFree = requiredYears.isZero
        for i in inst.occupations.range(w) {
            let o = inst.occupations.items[i]
            guard o.p2 == vp2 else { continue }
            let tier: Int64 = o.p4 == vp4 ? 10 : (o.p3 == vp3 ? 6 : 3)
            if tier > c.occupationTenths { c.occupationTenths = tier }
            if tier >= 6 && !c.experienceFree {
                let halved = tier == 6
                if c.bestOccupation < 0 || FitScorer.years(o.years, halved: halved,
                                                          exceed: inst.occupations.items[c.bestOccupation].years,
                                                          halved: c.bestHalved) {
                    c.bestOccupation = i
                    c.bestHalved = halved
                }
            }
        }
        skills(inst, w, v, &c)
        languages(inst, w, v, &c)
        let minEducation = inst.minEducation[v]
        if minEducation != Int32.min {
            let e = inst.education[w]
            c.educationNum = e >= minEducation ? 2 : (e == minEducation - 1 ? 1 : 0)
            c.educationDen = 2
        }
        return c
    }

    /// Whether `a` (halved or not) is more than `b` (halved or not), exactly.
    private static func years(_ a: ExactDecimal, halved ha: Bool, exceed b: ExactDecimal, halved hb: Bool) -> Bool {
        if ha == hb { return b < a }
        return ExactProduct(b, ExactDecimal(ha ? 2 : 1)) < ExactProduct(a, ExactDecimal(hb ? 2 : 1))
    }

    @inline(__always)
    private func skills(_ inst: CompiledInstance, _ w: Int, _ v: Int, _ c: inout RawCriteria) {
        let required = inst.requiredSkills.range(v)
        if required.isEmpty { return }
        var cursor = inst.workerSkills.range(w)
        var essential: Int64 = 0, optional: Int64 = 0
        for i in required {
            let r = inst.requiredSkills.items[i]
            let credit = FitScorer.halfCredits(inst.workerSkills.level(of: r.code, in: &cursor), r.minLevel)
            if r.essential { essential += credit } else { optional += credit }
        }
        let nE = Int64(inst.essentialCount[v]), nO = Int64(inst.optionalCount[v])
        if nE > 0 && nO > 0 {
            // 0.8 * (e / 2nE) + 0.2 * (o / 2nO)
            c.skillsNum = 8 * essential * nO + 2 * optional * nE
            c.skillsDen = 20 * nE * nO
        } else if nE > 0 {
            c.skillsNum = essential; c.skillsDen = 2 * nE
        } else {
            c.skillsNum = optional; c.skillsDen = 2 * nO
        }
    }

    @inline(__always)
    private func languages(_ inst: CompiledInstance, _ w: Int, _ v: Int, _ c: inout RawCriteria) {
        let required = inst.requiredLanguages.range(v)
        if required.isEmpty { return }
        var cursor = inst.workerLanguages.range(w)
        var sum: Int64 = 0
        for i in required {
            let r = inst.requiredLanguages.items[i]
            sum += FitScorer.halfCredits(inst.workerLanguages.level(of: r.code, in: &cursor), r.level)
        }
        c.languagesNum = sum
        c.languagesDen = 2 * Int64(required.count)
    }

    /// A skill's or language's credit in halves: 2 when `level >= required`,
    /// 1 when exactly one below and held (level >= 1), else 0.
    @inline(__always)
    static func halfCredits(_ level: Int32, _ required: Int32) -> Int64 {
        level >= required ? 2 : (level >= 1 && level == required - 1 ? 1 : 0)
    }

    /// The experience criterion in a Double; NaN when the years or the requirement is a
    /// large decimal (`CompiledInstance` holds no Double for those).
    @inline(__always)
    private func experienceDouble(_ inst: CompiledInstance, _ v: Int, _ c: RawCriteria) -> Double {
        if c.experienceFree { return 1 }
        if c.bestOccupation < 0 { return 0 }
        let ratio = inst.occupations.items[c.bestOccupation].yearsDouble * (c.bestHalved ? 0.5 : 1)
            / inst.requiredYearsDouble[v]
        return ratio.isNaN ? ratio : min(1, max(0, ratio))
    }

    /// `round(fit * 1e6)`, half away from zero, exactly.
    @inline(__always)
    func fitMicro(_ inst: CompiledInstance, _ w: Int, _ v: Int) -> Int32 {
        let c = criteria(inst, w, v)
        let experience = experienceDouble(inst, v, c)
        if experience.isNaN { return Int32(exactMicro(ratios(inst, v, c))) }
        let sum = wOcc * Double(c.occupationTenths) * 0.1
            + wSkills * Double(c.skillsNum) / Double(c.skillsDen)
            + wExp * experience
            + wLang * Double(c.languagesNum) / Double(c.languagesDen)
            + wEdu * Double(c.educationNum) / Double(c.educationDen)
        let x = sum * microPerWeight
        let floor = x.rounded(.down)
        let frac = x - floor
        if abs(frac - 0.5) < 1e-6 { return Int32(exactMicro(ratios(inst, v, c))) }
        return Int32(frac > 0.5 ? floor + 1 : floor)
    }

    /// The five criteria as exact ratios (occupation, skills, experience, languages, education).
    func ratios(_ inst: CompiledInstance, _ v: Int, _ c: RawCriteria) -> [Ratio] {
        var experience = Ratio(small: 1, 1)
        if !c.experienceFree {
            if c.bestOccupation < 0 {
                experience = Ratio(small: 0, 1)
            } else {
                experience = FitScorer.experience(years: inst.occupations.items[c.bestOccupation].years,
                                                  halved: c.bestHalved, required: inst.requiredYears[v])
            }
        }
        func ratio(_ n: Int64, _ d: Int64) -> Ratio { Ratio(small: UInt128(n), UInt128(d)) }
        return [ratio(c.occupationTenths, 10), ratio(c.skillsNum, c.skillsDen), experience,
                ratio(c.languagesNum, c.languagesDen), ratio(c.educationNum, c.educationDen)]
    }

    /// `min(1, (years / f) / required)` (f = 2 when halved), for required > 0: with
    /// `years = y / 10^ys` and `required = r / 10^rs` it is `y * 10^rs / (r * 10^ys * f)`.
    static func experience(years: ExactDecimal, halved: Bool, required: ExactDecimal) -> Ratio {
        let f: UInt128 = halved ? 2 : 1
        if let y = years.smallMantissa, let r = required.smallMantissa {
            let (n, o1) = UInt128(max(0, y)).multipliedReportingOverflow(by: UInt128(ExactDecimal.pow10(required.scale)))
            let (d0, o2) = UInt128(r).multipliedReportingOverflow(by: UInt128(ExactDecimal.pow10(years.scale)))
            let (d, o3) = d0.multipliedReportingOverflow(by: f)
            if !o1 && !o2 && !o3 { return n >= d ? Ratio(small: 1, 1) : Ratio(small: n, d) }
        }
        let n = years.isNegative ? 0 : years.digits.magnitude * ExactDecimal.bigPow10(required.scale).magnitude
        let d = required.digits.magnitude * ExactDecimal.bigPow10(years.scale).magnitude * BigUInt(f)
        return n >= d ? Ratio(small: 1, 1) : Ratio(n, d)
    }

    /// The exact breakdown of worker `w` for vacancy `v`.
    func breakdown(_ inst: CompiledInstance, _ w: Int, _ v: Int) -> FitBreakdown {
        let r = ratios(inst, v, criteria(inst, w, v))
        return FitBreakdown(occupation: r[0], skills: r[1], experience: r[2], languages: r[3], education: r[4])
    }

    /// `round(1e6 * sum(w_i * r_i) / sum(w_i))` with integers only.
    func exactMicro(_ ratios: [Ratio]) -> Int {
        FitScorer.roundedMicro(ratios, exactWeights, exactTotal, as: UInt128.self)
            ?? FitScorer.roundedMicro(ratios, exactWeights, exactTotal, as: BigUInt.self)!
    }

    /// With `D = prod d_i` and `N = sum m_i n_i prod_{j != i} d_j`, the fit is
    /// `N / (W D)` and `round(1e6 N / (W D)) = floor((2e6 N + W D) / (2 W D))`,
    /// found by bisection over [0, 1e6] (it needs only products and comparisons).
    /// Nil when `T` overflows.
    static func roundedMicro<T: ExactNatural>(_ ratios: [Ratio], _ weights: [BigUInt],
                                               _ total: BigUInt, as _: T.Type) -> Int? {
        if total == 0 { return 0 }
        guard let t = T(natural: total) else { return nil }
        var terms: [(w: T, n: T, d: T)] = []
        for (i, r) in ratios.enumerated() {
            guard let wi = T(natural: weights[i]) else { return nil }
            if let (n, d) = r.smallTerms {
                terms.append((wi, T(small: n), T(small: d)))
            } else {
                guard let n = T(natural: r.numerator), let d = T(natural: r.denominator) else { return nil }
                terms.append((wi, n, d))
            }
        }
        let one = T(small: 1)
        var den = one
        var num = T(small: 0)
        for (i, x) in terms.enumerated() {
            guard var term = x.w.multiplying(x.n) else { return nil }
            for (j, y) in terms.enumerated() where j != i && y.d != one {
                guard let p = term.multiplying(y.d) else { return nil }
                term = p
            }
            guard let s = num.adding(term) else { return nil }
            num = s
        }
        for x in terms where x.d != one {
            guard let p = den.multiplying(x.d) else { return nil }
            den = p
        }
        guard let wd = t.multiplying(den),
              let a0 = num.multiplying(T(small: 2_000_000)), let a = a0.adding(wd),
              let b = wd.adding(wd) else { return nil }
        var lo = 0, hi = 1_000_000
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            guard let bm = b.multiplying(T(small: UInt128(mid))) else { return nil }
            if bm <= a { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}
