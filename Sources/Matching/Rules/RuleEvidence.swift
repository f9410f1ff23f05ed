/// The values an ethical-recruitment rule read when it fired (MATCHING.md section 2), so that an
/// auditor can recompute the exclusion by hand: `hours_per_week 60 > max_weekly_hours 48`.
public enum RuleEvidence {
    /// What `reason` read of `worker` and/or `vacancy` (a worker rule: the worker only; a
    /// vacancy rule: the vacancy only; a pair rule: both), from `input` under `policy` on run
    /// date `date`. Nil for an unknown reason or when what it read is not in `input`.
    public static func text(_ reason: String, worker: Worker?, vacancy: Vacancy?, input: MatchingInput,
                            policy: Policy, date: Day) -> String? {
        guard let reason = ExclusionReason(rawValue: reason) else { return nil }
        let context = RuleContext(input: input, policy: policy, date: date)
        // The recruiter rules read the recruiter of the subject: the vacancy's, else the worker's.
        let recruiterId = vacancy.map(\.recruiterId) ?? worker?.recruiterId
        let recruiter = recruiterId.flatMap { context.recruiters[$0] }
        switch reason {
        case .recruitmentFeeCharged:
            return vacancy.map { "worker_fee \($0.workerFee) \($0.currency) > 0" }
        case .passportRetention:
            return vacancy.map { _ in "passport_retention true" }
        case .noWrittenContract:
            return vacancy.map { _ in "contract_languages empty" }
        case .excessiveHours:
            return vacancy.map { "hours_per_week \($0.hoursPerWeek) > max_weekly_hours \(policy.maxWeeklyHours)" }
        case .wageBelowMinimum:
            guard let v = vacancy, let rate = context.usdPerUnit[v.currency],
                  let min = context.minimumWages[v.destinationCountry], let minRate = context.usdPerUnit[min.currency]
            else { return nil }
            return "wage \(usd(v.monthlyWage, v.currency, rate)) < the minimum of \(v.destinationCountry) "
                + usd(min.monthlyAmount, min.currency, minRate)
        case .fxRateMissing:
            guard let v = vacancy else { return nil }
            var missing: [String] = []
            if context.usdPerUnit[v.currency] == nil { missing.append("the wage's currency \(v.currency)") }
            if let min = context.minimumWages[v.destinationCountry], context.usdPerUnit[min.currency] == nil,
               min.currency != v.currency || missing.isEmpty {
                missing.append("the minimum wage's currency \(min.currency) (\(v.destinationCountry))")
            }
            return missing.isEmpty ? nil : "no usd_per_unit for " + missing.joined(separator: " nor for ")
        case .employerBlocklisted:
            return vacancy.flatMap { v in context.employers[v.employerId].map { "employer \($0.id) blocklisted" } }
        case .recruiterBlocklisted:
            return recruiter.map { "recruiter \($0.id) blocklisted" }
        case .recruiterUnlicensed:
            return recruiter.map { "recruiter \($0.id) has no license_number" }
        case .recruiterLicenseExpired:
            return recruiter.flatMap { r in
                r.licenseExpires.map { "recruiter \(r.id): license_expires \($0) < the run date \(date)" }
            }
        case .noConsent:
            return worker.map { _ in "consent false" }
        case .underage:
            return worker.map { w in
                "year(D) \(date.year) - birth_year \(w.birthYear) - 1 = \(date.year - w.birthYear - 1) < min_age \(policy.minAge)"
            }
        case .whoSafeguardList:
            guard let w = worker, let v = vacancy,
                  let prefix = policy.healthIscoPrefixes.first(where: { v.isco.hasPrefix($0) }) else { return nil }
            let listed = input.whoList.first { $0.country == w.originCountry }
            return "ISCO \(v.isco) starts with \(prefix) (health_isco_prefixes); origin \(w.originCountry)"
                + (listed.map { " (\($0.name)) is on the list" } ?? " is on the list") + "; g2g_agreement false"
        case .contractLanguageNotUnderstood:
            guard let w = worker, let v = vacancy else { return nil }
            let known = w.languages.map { "\($0.code) \($0.level)" }
            return "contract languages \(v.contractLanguages.joined(separator: ", ")); the worker's: "
                + (known.isEmpty ? "none" : known.joined(separator: ", "))
                + "; needed at \(policy.contractLanguageMin) or above"
        }
    }

    /// `2160.99 EUR x 1.158 = 2502.42642 USD`, exactly (USD: the amount alone).
    private static func usd(_ amount: ExactDecimal, _ currency: String, _ rate: ExactDecimal) -> String {
        if currency == "USD" { return "\(amount) USD" }
        let product = ExactDecimal(digits: amount.digits * rate.digits, scale: amount.scale + rate.scale)
        return "\(amount) \(currency) x \(rate) = \(product) USD"
    }
}
