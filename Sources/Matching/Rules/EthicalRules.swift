import BigInt

/// What the entity rules read besides the subject: the run date, the policy and the reference data.
struct RuleContext: Sendable {
    var date: Day
    var policy: Policy
    var employers: [String: Employer]
    var recruiters: [String: Recruiter]
    /// USD per unit of each currency; `USD` is always 1.
    var usdPerUnit: [String: ExactDecimal]
    var minimumWages: [String: MinimumWage]

    init(input: MatchingInput, policy: Policy, date: Day) {
        self.date = date
        self.policy = policy
        employers = Dictionary(input.employers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        recruiters = Dictionary(input.recruiters.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var fx = Dictionary(input.fxRates.map { ($0.currency, $0.usdPerUnit) }, uniquingKeysWith: { a, _ in a })
        fx["USD"] = .one
        usdPerUnit = fx
        minimumWages = Dictionary(input.minimumWages.map { ($0.country, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The destination's minimum wage has a currency without a rate, or the vacancy's currency has none.
    func fxRateMissing(_ v: Vacancy) -> Bool {
        if usdPerUnit[v.currency] == nil { return true }
        if let min = minimumWages[v.destinationCountry], usdPerUnit[min.currency] == nil { return true }
        return false
    }

    /// Exact comparison of the wage in USD with the minimum in USD; false when either cannot be evaluated.
    func wageBelowMinimum(_ v: Vacancy) -> Bool {
        guard let rate = usdPerUnit[v.currency], let min = minimumWages[v.destinationCountry],
              let minRate = usdPerUnit[min.currency] else { return false }
        return ExactProduct(v.monthlyWage, rate) < ExactProduct(min.monthlyAmount, minRate)
    }
}

/// One ethical-recruitment rule of MATCHING.md section 2: its reason code, what it
/// applies to, the source column of the spec's table, and when it fires.
public struct EthicalRule: Sendable {
    public let reason: ExclusionReason
    public let subject: Exclusion.Subject
    /// The "source" column of the spec's table, verbatim (for the worker's recruiter
    /// rules, whose row says "as above", the source of the vacancy rule it refers to).
    public let source: String
    let predicate: Predicate

    /// When a rule fires; pair rules read the compiled instance (they run in the candidate loop).
    enum Predicate: Sendable {
        case vacancy(@Sendable (Vacancy, RuleContext) -> Bool)
        case worker(@Sendable (Worker, RuleContext) -> Bool)
        case pair(@Sendable (CompiledInstance, _ worker: Int, _ vacancy: Int, Policy) -> Bool)
    }

    init(_ reason: ExclusionReason, _ source: String, _ predicate: Predicate) {
        self.reason = reason
        self.source = source
        self.predicate = predicate
        switch predicate {
        case .vacancy: subject = .vacancy
        case .worker: subject = .worker
        case .pair: subject = .pair
        }
    }
}

/// The rule table of MATCHING.md section 2, in the spec's order.
public enum EthicalRules {
    /// Every rule: vacancy rules, then worker rules, then pair rules.
    public static let all: [EthicalRule] = vacancyRules + workerRules + pairRules

    static let vacancyRules: [EthicalRule] = [
        EthicalRule(.recruitmentFeeCharged,
                    "IRIS principle: prohibition of recruitment fees and related costs to jobseekers (the Employer Pays Principle); ILO C181 art. 7; ILO General Principles for Fair Recruitment",
                    .vacancy { v, _ in v.workerFee.isPositive }),
        EthicalRule(.passportRetention,
                    "IRIS principle: freedom of movement; Dhaka Principle 4; UN Migrant Workers Convention art. 21",
                    .vacancy { v, _ in v.passportRetention }),
        EthicalRule(.noWrittenContract,
                    "IRIS principle: transparency of terms and conditions of employment",
                    .vacancy { v, _ in v.contractLanguages.isEmpty }),
        EthicalRule(.excessiveHours,
                    "ILO C1 art. 2 (8 hours a day, 48 a week)",
                    .vacancy { v, c in c.policy.maxWeeklyHours < v.hoursPerWeek }),
        EthicalRule(.wageBelowMinimum,
                    "statutory minimum wage of the destination; ILO C97 art. 6 (equal treatment)",
                    .vacancy { v, c in !c.fxRateMissing(v) && c.wageBelowMinimum(v) }),
        EthicalRule(.fxRateMissing,
                    "the wage rules cannot be checked",
                    .vacancy { v, c in c.fxRateMissing(v) }),
        EthicalRule(.employerBlocklisted,
                    "operator decision",
                    .vacancy { v, c in c.employers[v.employerId]?.blocklisted ?? false }),
    ] + recruiterRules.map { reason, source, fires in
        EthicalRule(reason, source, .vacancy { v, c in v.recruiterId.flatMap { c.recruiters[$0] }.map { fires($0, c) } ?? false })
    }

    static let workerRules: [EthicalRule] = [
        EthicalRule(.noConsent,
                    "IRIS principle: confidentiality and data protection",
                    .worker { w, _ in !w.consent }),
        EthicalRule(.underage,
                    "IRIS criterion A.3 (no recruitment of migrant workers under 18); ILO C138, C182",
                    .worker { w, c in c.date.year - w.birthYear - 1 < c.policy.minAge }),
    ] + recruiterRules.map { reason, source, fires in
        EthicalRule(reason, source, .worker { w, c in w.recruiterId.flatMap { c.recruiters[$0] }.map { fires($0, c) } ?? false })
    }

    static let pairRules: [EthicalRule] = [
        EthicalRule(.whoSafeguardList,
                    "WHO Global Code of Practice on the International Recruitment of Health Personnel (2010) and its Health Workforce Support and Safeguards List 2023 (55 countries; the project ships its own copy of `../shared/reference/who-safeguards-2023.csv`; the edition, the first 4-digit year in the list file's name (else `unknown`), is recorded on every run)",
                    .pair { inst, w, v, _ in inst.healthWithoutG2G[v] && inst.onWHOList[w] }),
        EthicalRule(.contractLanguageNotUnderstood,
                    "IRIS principle: transparency of terms and conditions; Dhaka Principle 2 (a contract in a language the worker understands)",
                    .pair { inst, w, v, p in
                        !inst.understandsContract(w, v, minLevel: Int32(p.contractLanguageMin.rawValue))
                    }),
    ]

    /// The recruiter rules, shared by vacancies and workers (through their `recruiter_id`).
    private static let recruiterRules: [(ExclusionReason, String, @Sendable (Recruiter, RuleContext) -> Bool)] = [
        (.recruiterBlocklisted, "operator decision", { r, _ in r.blocklisted }),
        (.recruiterUnlicensed, "ILO C181 art. 3", { r, _ in r.licenseNumber == nil }),
        (.recruiterLicenseExpired, "ILO C181 art. 3", { r, c in r.licenseExpires.map { $0 < c.date } ?? false }),
    ]

    /// Reasons of the vacancy rules that fire, in table order.
    static func reasons(for v: Vacancy, _ context: RuleContext) -> [ExclusionReason] {
        vacancyRules.compactMap { rule in
            if case .vacancy(let fires) = rule.predicate, fires(v, context) { return rule.reason }
            return nil
        }
    }

    /// Reasons of the worker rules that fire, in table order.
    static func reasons(for w: Worker, _ context: RuleContext) -> [ExclusionReason] {
        workerRules.compactMap { rule in
            if case .worker(let fires) = rule.predicate, fires(w, context) { return rule.reason }
            return nil
        }
    }

    /// The pair predicates with their reasons, for the candidate loop.
    static let pairChecks: [PairCheck] = pairRules.compactMap { rule in
        if case .pair(let fires) = rule.predicate { return PairCheck(reason: rule.reason, fires: fires) }
        return nil
    }

    /// A pair rule's reason and predicate, unwrapped for the candidate loop.
    struct PairCheck: Sendable {
        let reason: ExclusionReason
        let fires: @Sendable (CompiledInstance, Int, Int, Policy) -> Bool
    }
}

// MARK: - Wages in USD cents (MATCHING.md section 4, condition 3)

extension Vacancy {
    /// The monthly wage in whole USD cents at `usdPerUnit` USD per unit of its currency:
    /// the exact product rounded to cents, as the engine compares it with a worker's minimum.
    public func monthlyWageUSDCents(usdPerUnit: ExactDecimal) -> BigInt {
        ExactProduct(monthlyWage, usdPerUnit).rounded(toScale: 2)
    }
}

extension MinimumWage {
    /// The monthly amount in whole USD cents at `usdPerUnit` (half away from zero), as a report
    /// shows it; WAGE_BELOW_MINIMUM compares the exact products.
    public func monthlyUSDCents(usdPerUnit: ExactDecimal) -> BigInt {
        ExactProduct(monthlyAmount, usdPerUnit).rounded(toScale: 2)
    }
}

extension Worker {
    /// The least monthly wage the worker accepts, in whole USD cents rounded up
    /// (`ceil(value * 100)`: the least number of cents that satisfies `cents >= value * 100`).
    public var minMonthlyWageUSDCents: BigInt? {
        minMonthlyWageUSD?.ceiling(places: 2)
    }
}
