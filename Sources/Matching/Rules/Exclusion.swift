/// A refusal recorded by the ethical-recruitment rules: a worker, a vacancy or a pair, and why.
public struct Exclusion: Sendable, Hashable {
    /// What an exclusion is about; the raw value is the text written in `exclusions.csv`.
    public enum Subject: String, Sendable, Hashable, CaseIterable {
        case worker, vacancy, pair
    }

    public var subject: Subject
    /// Set for `.worker` and `.pair`.
    public var workerId: String?
    /// Set for `.vacancy` and `.pair`.
    public var vacancyId: String?
    /// A reason code (`ExclusionReason.rawValue`).
    public var reason: String

    public init(subject: Subject, workerId: String?, vacancyId: String?, reason: String) {
        self.subject = subject; self.workerId = workerId; self.vacancyId = vacancyId; self.reason = reason
    }

    /// The order of `exclusions.csv`: subject, worker_id, vacancy_id, reason, each by bytes, empty first.
    public static func fileOrder(_ a: Exclusion, _ b: Exclusion) -> Bool {
        if a.subject != b.subject { return bytesLess(a.subject.rawValue, b.subject.rawValue) }
        if a.workerId != b.workerId { return bytesLess(a.workerId ?? "", b.workerId ?? "") }
        if a.vacancyId != b.vacancyId { return bytesLess(a.vacancyId ?? "", b.vacancyId ?? "") }
        return bytesLess(a.reason, b.reason)
    }
}

/// The reason codes of MATCHING.md section 2.
public enum ExclusionReason: String, Sendable, Hashable, CaseIterable {
    case recruitmentFeeCharged = "RECRUITMENT_FEE_CHARGED"
    case passportRetention = "PASSPORT_RETENTION"
    case noWrittenContract = "NO_WRITTEN_CONTRACT"
    case excessiveHours = "EXCESSIVE_HOURS"
    case wageBelowMinimum = "WAGE_BELOW_MINIMUM"
    case fxRateMissing = "FX_RATE_MISSING"
    case employerBlocklisted = "EMPLOYER_BLOCKLISTED"
    case recruiterBlocklisted = "RECRUITER_BLOCKLISTED"
    case recruiterUnlicensed = "RECRUITER_UNLICENSED"
    case recruiterLicenseExpired = "RECRUITER_LICENSE_EXPIRED"
    case noConsent = "NO_CONSENT"
    case underage = "UNDERAGE"
    case whoSafeguardList = "WHO_SAFEGUARD_LIST"
    case contractLanguageNotUnderstood = "CONTRACT_LANGUAGE_NOT_UNDERSTOOD"
}

/// The run warning counted when a taking-part vacancy's destination has no minimum wage on file.
public let minWageUnknownWarning = "MIN_WAGE_UNKNOWN"
