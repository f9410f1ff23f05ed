import BigInt
import Matching

/// An exact fraction for the reference implementation, unbounded like the spec's decimals.
struct Q: Comparable {
    var n: BigInt
    var d: BigInt

    init(_ n: BigInt, _ d: BigInt = 1) {
        let g = max(n.greatestCommonDivisor(with: d), 1)
        let sign: BigInt = d < 0 ? -1 : 1
        self.n = sign * n / g
        self.d = sign * d / g
    }

    init(_ x: ExactDecimal) { self.init(x.digits, BigInt(10).power(x.scale)) }

    static func + (a: Q, b: Q) -> Q { Q(a.n * b.d + b.n * a.d, a.d * b.d) }
    static func * (a: Q, b: Q) -> Q { Q(a.n * b.n, a.d * b.d) }
    static func / (a: Q, b: Q) -> Q { Q(a.n * b.d, a.d * b.n) }
    static func < (a: Q, b: Q) -> Bool { a.n * b.d < b.n * a.d }

    /// Rounded half away from zero (values here are >= 0).
    var roundedHalfUp: Int { Int((2 * n + d) / (2 * d)) }
}

/// A direct, slow transcription of MATCHING.md sections 1-5 over the model
/// types, written apart from the engine: the brute force the engine's indexes,
/// bounds and fast paths are compared with.
enum Reference {
    static func fitMicro(_ w: Worker, _ v: Vacancy, _ weights: Policy.Weights) -> Int {
        let c = criteria(w, v)
        let ws = [weights.occupation, weights.skills, weights.experience, weights.languages, weights.education].map { Q($0) }
        var sum = Q(0), total = Q(0)
        for (wi, ci) in zip(ws, c) { sum = sum + wi * ci; total = total + wi }
        return (sum / total * Q(1_000_000)).roundedHalfUp
    }

    /// occupation, skills, experience, languages, education.
    static func criteria(_ w: Worker, _ v: Vacancy) -> [Q] {
        func same(_ a: String, _ b: String, _ n: Int) -> Bool { a.prefix(n) == b.prefix(n) }
        let occupation = w.occupations.map { o -> Q in
            o.isco == v.isco ? Q(1) : same(o.isco, v.isco, 3) ? Q(6, 10) : same(o.isco, v.isco, 2) ? Q(3, 10) : Q(0)
        }.max() ?? Q(0)

        func credit(_ have: Int, _ need: Int) -> Q { have >= need ? Q(1) : (have == need - 1 && have >= 1 ? Q(1, 2) : Q(0)) }
        func mean(_ xs: [Q]) -> Q { xs.reduce(Q(0), +) / Q(BigInt(xs.count)) }
        let level = { (code: String) in w.skills.first { $0.code == code }?.level ?? 0 }
        let ess = v.requiredSkills.filter(\.essential).map { credit(level($0.code), $0.minLevel) }
        let opt = v.requiredSkills.filter { !$0.essential }.map { credit(level($0.code), $0.minLevel) }
        let skills = !ess.isEmpty && !opt.isEmpty ? Q(8, 10) * mean(ess) + Q(2, 10) * mean(opt)
            : !ess.isEmpty ? mean(ess) : !opt.isEmpty ? mean(opt) : Q(1)

        let req = Q(v.minExperienceYears ?? .zero)
        var experience = Q(1)
        if req.n != 0 {
            let years = w.occupations.map { o -> Q in
                o.isco == v.isco ? Q(o.years) : same(o.isco, v.isco, 3) ? Q(o.years) * Q(1, 2) : Q(0)
            }.max() ?? Q(0)
            experience = min(Q(1), years / req)
        }

        let languages = v.requiredLanguages.isEmpty ? Q(1) : mean(v.requiredLanguages.map { r in
            guard let l = w.languages.first(where: { $0.code == r.code }) else { return Q(0) }
            return l.level >= r.level ? Q(1) : (l.level.rawValue == r.level.rawValue - 1 ? Q(1, 2) : Q(0))
        })
        let education = v.minEducation.map { m in
            w.educationLevel >= m ? Q(1) : (w.educationLevel == m - 1 ? Q(1, 2) : Q(0))
        } ?? Q(1)
        return [occupation, skills, experience, languages, education]
    }

    static func usdRate(_ currency: String, _ input: MatchingInput) -> ExactDecimal? {
        currency == "USD" ? .one : input.fxRates.first { $0.currency == currency }?.usdPerUnit
    }

    static func vacancyReasons(_ v: Vacancy, _ input: MatchingInput, _ policy: Policy, _ date: Day) -> [String] {
        var r: [String] = []
        if v.workerFee > .zero { r.append("RECRUITMENT_FEE_CHARGED") }
        if v.passportRetention { r.append("PASSPORT_RETENTION") }
        if v.contractLanguages.isEmpty { r.append("NO_WRITTEN_CONTRACT") }
        if v.hoursPerWeek > policy.maxWeeklyHours { r.append("EXCESSIVE_HOURS") }
        let rate = usdRate(v.currency, input)
        let minimum = input.minimumWages.first { $0.country == v.destinationCountry }
        let minRate = minimum.flatMap { usdRate($0.currency, input) }
        if rate == nil || (minimum != nil && minRate == nil) {
            r.append("FX_RATE_MISSING")
        } else if let rate, let minimum, let minRate,
                  ExactProduct(v.monthlyWage, rate) < ExactProduct(minimum.monthlyAmount, minRate) {
            r.append("WAGE_BELOW_MINIMUM")
        }
        if input.employers.first(where: { $0.id == v.employerId })?.blocklisted == true { r.append("EMPLOYER_BLOCKLISTED") }
        return r + recruiterReasons(v.recruiterId, input, date)
    }

    static func workerReasons(_ w: Worker, _ input: MatchingInput, _ policy: Policy, _ date: Day) -> [String] {
        var r: [String] = []
        if !w.consent { r.append("NO_CONSENT") }
        if date.year - w.birthYear - 1 < policy.minAge { r.append("UNDERAGE") }
        return r + recruiterReasons(w.recruiterId, input, date)
    }

    static func recruiterReasons(_ id: String?, _ input: MatchingInput, _ date: Day) -> [String] {
        guard let rec = input.recruiters.first(where: { $0.id == id }) else { return [] }
        var r: [String] = []
        if rec.blocklisted { r.append("RECRUITER_BLOCKLISTED") }
        if rec.licenseNumber == nil { r.append("RECRUITER_UNLICENSED") }
        if let e = rec.licenseExpires, e < date { r.append("RECRUITER_LICENSE_EXPIRED") }
        return r
    }

    /// `round(monthly_wage * usd_per_unit * 100)`, half away from zero, from the fractions.
    static func cents(_ v: Vacancy, _ input: MatchingInput) -> BigInt {
        let x = Q(v.monthlyWage) * Q(usdRate(v.currency, input)!) * Q(100)
        return (2 * x.n + x.d) / (2 * x.d)
    }

    /// Exclusions and candidates as the keys of `MatchingResult.exclusionKeys` / `candidateKeys`, in file order.
    static func run(_ input: MatchingInput, _ policy: Policy, _ date: Day) -> (exclusions: [String], candidates: [String]) {
        let vacancies = input.vacancies.filter { !$0.withdrawn && ($0.expiresOn == nil || $0.expiresOn! >= date) }
        let workers = input.workers.filter { !$0.withdrawn }
        var exclusions: [[String]] = []
        var okVacancies: [Vacancy] = [], okWorkers: [Worker] = []
        for v in vacancies {
            let r = vacancyReasons(v, input, policy, date)
            exclusions += r.map { ["vacancy", "", v.id, $0] }
            if r.isEmpty { okVacancies.append(v) }
        }
        for w in workers {
            let r = workerReasons(w, input, policy, date)
            exclusions += r.map { ["worker", w.id, "", $0] }
            if r.isEmpty { okWorkers.append(w) }
        }
        let who = Set(input.whoList.map(\.country))
        var candidates: [(w: Worker, v: Vacancy, fit: Int)] = []
        for w in okWorkers {
            for v in okVacancies {
                if !w.preferredDestinations.isEmpty && !w.preferredDestinations.contains(v.destinationCountry) { continue }
                if let m = w.minMonthlyWageUSD, Q(cents(v, input)) < Q(m) * Q(100) { continue }
                if let a = w.availableFrom, let s = v.startDate, a > s { continue }
                let fit = fitMicro(w, v, policy.weights)
                if Q(BigInt(fit)) < Q(policy.minFit) * Q(1_000_000) { continue }
                var pair: [String] = []
                if policy.healthIscoPrefixes.contains(where: { v.isco.hasPrefix($0) }) && who.contains(w.originCountry)
                    && !v.g2gAgreement { pair.append("WHO_SAFEGUARD_LIST") }
                if !v.contractLanguages.contains(where: { c in
                    w.languages.contains { $0.code == c && $0.level >= policy.contractLanguageMin }
                }) { pair.append("CONTRACT_LANGUAGE_NOT_UNDERSTOOD") }
                exclusions += pair.map { ["pair", w.id, v.id, $0] }
                if pair.isEmpty { candidates.append((w, v, fit)) }
            }
        }
        func less(_ a: [String], _ b: [String]) -> Bool {
            for (x, y) in zip(a, b) where x != y { return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) }
            return false
        }
        var ranked: [[String]] = []
        for w in okWorkers {
            let mine = candidates.filter { $0.w.id == w.id }
            let order = mine.sorted { a, b in
                let pa = w.preferredDestinations.firstIndex(of: a.v.destinationCountry) ?? 0
                let pb = w.preferredDestinations.firstIndex(of: b.v.destinationCountry) ?? 0
                if pa != pb { return pa < pb }
                let ca = cents(a.v, input), cb = cents(b.v, input)
                if ca != cb { return ca > cb }
                return less([a.v.id], [b.v.id])
            }
            for (i, c) in order.enumerated() { ranked.append([w.id, c.v.id, String(c.fit), String(i + 1)]) }
        }
        return (exclusions.sorted(by: less).map { $0.joined(separator: "/") },
                ranked.sorted(by: less).map { $0.joined(separator: "/") })
    }
}
