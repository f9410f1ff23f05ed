import Feeds
import Foundation
import Matching
import Store

/// The audit report of one stored run: every figure an auditor reviews, with
/// the counts behind each ratio, computed from the run's stored rows and its
/// snapshot. A pure value: the renderers (HTML, Markdown, CSV, JSON) only format it.
///
/// Pseudonymity: no field names a worker by more than the worker id and the
/// profile fields the rules read (origin country); gender appears only in the
/// aggregate fairness table.
public struct AuditReport: Sendable, Equatable {
    /// The run's identity and fingerprints.
    public struct Header: Sendable, Equatable {
        public var runId: Int64
        public var jobName: String
        public var runDate: String
        public var scope: String
        public var strategy: String
        /// 1 for an instance's first run, one more per `--rerun`.
        public var number: Int
        public var status: String
        public var policySHA256: String
        /// The effective policy, canonically (one `key=value` a line).
        public var policyText: String
        public var inputSHA256: String
        public var engineVersion: String
        public var whoListEdition: String
        /// The iso-codes versions of the loads the run read (`RunSnapshot.isoCodesVersions`).
        public var isoCodesVersions: [String] = []
        /// ISO 8601, UTC.
        public var createdAt: String
        public var finishedAt: String?
    }

    /// One step of one execution with its timing.
    public struct StepTiming: Sendable, Equatable {
        public var executionId: Int64
        public var step: String
        public var status: String
        public var durationMs: Int?
        public var rowsRead: Int?
        public var rowsWritten: Int?
        public var attempts: Int
    }

    /// The stored summary's counts (MATCHING.md section 7), verbatim.
    public struct Headline: Sendable, Equatable {
        public var workers = 0, vacancies = 0
        public var eligibleWorkers = 0, eligibleVacancies = 0
        public var candidates = 0, matched = 0, unmatchedWorkers = 0
        /// Sums of openings: exact, whatever their size.
        public var openings: Count = 0, eligibleOpenings: Count = 0, unfilledOpenings: Count = 0
        /// The sum of `fit_micro` over the matches and of the workers' ranks of them.
        public var fitSumMicro = 0, workerRankSum = 0
        /// `MIN_WAGE_UNKNOWN` and any other warning of the summary, by name.
        public var warnings: [Labelled] = []

        /// The mean fit of the matches in millionths, rounded half up (0 without matches).
        /// Nil when nothing matched (there is no mean of no fits; the report shows `-`, JSON null).
        public var meanFitMicro: Int? { matched == 0 ? nil : (2 * fitSumMicro + matched) / (2 * matched) }
    }

    /// A label (a country, a reason, a group) with a count and, where useful, a longer name.
    public struct Labelled: Sendable, Equatable {
        public var label: String
        public var name: String
        public var count: Int
    }

    /// A bin of the fit distribution: `lowMicro <= fit_micro < highMicro` (the last bin includes its high end).
    public struct FitBin: Sendable, Equatable {
        public var lowMicro: Int
        public var highMicro: Int
        public var count: Int
    }

    /// Matches from an origin country to a destination country.
    public struct Corridor: Sendable, Equatable {
        public var origin: String
        public var destination: String
        public var matched: Int
    }

    /// One exclusion reason of the run: its rows, the rule and its source, a few subjects.
    public struct ReasonSection: Sendable, Equatable {
        public var reason: String
        /// Rows of `exclusions.csv` with this reason.
        public var count: Int
        /// `worker`, `vacancy`, `pair`: rows per subject, those with rows only.
        public var bySubject: [Labelled]
        /// When the rule fires (MATCHING.md section 2).
        public var rule: String
        /// Where the rule comes from (IRIS, ILO, WHO, ...).
        public var source: String
        /// The first subjects in file order: `W0001`, `V003`, `W0001/V003`.
        public var samples: [String]
    }

    /// A fairness group: eligible workers of one gender or origin, how many were matched,
    /// and the impact ratio against the best-off group.
    public struct FairnessGroup: Sendable, Equatable {
        public var group: String
        public var eligible: Int
        public var matched: Int
        /// False when the group is smaller than the minimum size: shown, not compared.
        public var rated: Bool
        /// The impact ratio `(matched/eligible) / best rate` as an exact fraction in lowest
        /// terms, nil when the group is not rated or no rated group had a match.
        public var impactNumerator: Int?
        public var impactDenominator: Int?
        /// Impact ratio below 0.8 (compared exactly: 5 x numerator < 4 x denominator).
        public var flagged: Bool
        /// This group has the best rate (ties: every group with it).
        public var best: Bool
    }

    /// Match rates by a profile field that is never a score input.
    public struct FairnessTable: Sendable, Equatable {
        /// `gender` or `origin_country`.
        public var attribute: String
        public var groups: [FairnessGroup]
    }

    /// A match with its explanation: the criteria (exact `n` or `n/d`), the worker's
    /// rank of the vacancy and the essential skills the worker lacks.
    public struct MatchRow: Sendable, Equatable {
        public var workerId: String
        public var originCountry: String
        public var vacancyId: String
        public var destination: String
        public var isco: String
        public var fitMicro: Int
        public var workerRank: Int
        /// occupation, skills, experience, languages, education.
        public var criteria: [String]
        public var missingEssentialSkills: [MissingSkill]
        /// The vacancy's monthly wage as written, its currency, and the wage in USD (cents,
        /// rounded half away from zero: MATCHING.md section 4), by which the worker ranks it.
        public var monthlyWage = ""
        public var currency = ""
        public var wageUSD = ""
        /// The cells of `AuditReport.wageColumns`.
        var wageCells: [String] { [monthlyWage, currency, wageUSD] }
    }

    /// An exchange rate the run read (its snapshot's), as written.
    public struct FXRow: Sendable, Equatable {
        public var currency: String
        public var usdPerUnit: String
    }

    /// A destination's minimum monthly wage the run read, as written, and in USD ("" without a rate).
    public struct MinimumWageRow: Sendable, Equatable {
        public var country: String
        public var monthlyAmount: String
        public var currency: String
        public var usd: String
    }

    /// A taking-part worker without a match, or a vacancy with unfilled openings, and the main reason.
    public struct Unmatched: Sendable, Equatable {
        public var id: String
        /// `excluded`, `no candidate` (workers), `too few candidates` (vacancies) or `outranked`.
        public var reason: String
        public var detail: String
        /// For a vacancy: its openings left unfilled (for a worker: 1).
        public var open: Count
    }

    /// A match that differs between the compared runs, and why.
    public struct MatchChange: Sendable, Equatable {
        public var workerId: String
        /// The other (earlier) run's match and this run's: `V003 (fit 0.812000, rank 1)`, or nil.
        public var before: String?
        public var after: String?
        public var why: String
    }

    /// What changed since another run.
    public struct Comparison: Sendable, Equatable {
        public var otherRunId: Int64
        public var otherRunDate: String
        public var otherStrategy: String
        public var otherPolicySHA256: String
        public var otherInputSHA256: String
        /// `key: before -> after` for each policy line that differs.
        public var policyChanges: [String]
        public var newMatches: [MatchChange]
        public var lostMatches: [MatchChange]
        public var changedMatches: [MatchChange]
        public var unchanged: Int
    }

    /// The version of this report's shape (JSON `report_version`). 2: `mean_fit` may be null,
    /// an unfilled vacancy's reason `too few candidates` replaced `no candidate`.
    public static let version = 2
    /// Fairness groups with fewer eligible workers are shown but not rated nor used as the best group.
    public static let minimumGroupSize = 5
    /// The 0.8 of the four-fifths rule, as the exact fraction 4/5.
    public static let impactThreshold = (numerator: 4, denominator: 5)
    /// How many exclusion subjects each reason shows.
    public static let sampleCount = 5

    public var header: Header
    public var steps: [StepTiming]
    public var headline: Headline
    /// The policy's weights (decimal texts), in the order of `criteria`.
    public var weightTexts: [String]
    public var minFit: String
    public var fitDistribution: [FitBin]
    public var byDestination: [Labelled]
    public var byIscoMajorGroup: [Labelled]
    public var exclusionsByReason: [Labelled]
    public var corridors: [Corridor]
    public var reasons: [ReasonSection]
    public var fairness: [FairnessTable]
    public var matches: [MatchRow]
    /// The money the wage rules and the workers' ranks read: every exchange rate and minimum
    /// wage of the run's snapshot, by currency and by country (bytes).
    public var fxRates: [FXRow]
    /// The loads the run's rows came from, and its WHO list edition, as `RunSnapshot.loads` read them.
    public var loads: [RunSnapshot.LoadRead]
    public var minimumWages: [MinimumWageRow]
    public var unmatchedWorkers: [Unmatched]
    public var unfilledVacancies: [Unmatched]
    public var comparison: Comparison?
    /// What each warning of the summary counts, by label (`MIN_WAGE_UNKNOWN`).
    public var warningNotes: [String: String] = [:]

    /// The five criteria of the fit, in the order of `MatchRow.criteria`.
    public static let criteria = ["occupation", "skills", "experience", "languages", "education"]
}

extension AuditReport {
    /// The report of `current`, compared with `other` when given.
    public init(current: RunData, other: RunData? = nil) {
        let index = RunIndex(current)
        let run = current.run
        let stamp = ISO8601DateFormatter()
        header = Header(runId: run.runId, jobName: run.key.jobName, runDate: run.key.runDate.description,
                        scope: run.key.scope, strategy: run.key.strategy.rawValue, number: run.number,
                        status: run.status.rawValue, policySHA256: run.key.policySHA256, policyText: run.policyText,
                        inputSHA256: run.inputSHA256 ?? "", engineVersion: run.engineVersion,
                        whoListEdition: run.whoListEdition ?? "", createdAt: stamp.string(from: run.createdAt),
                        finishedAt: run.finishedAt.map { stamp.string(from: $0) })
        steps = current.executions.sorted { $0.executionId < $1.executionId }.flatMap { e in
            e.steps.sorted { $0.step < $1.step }.map {
                StepTiming(executionId: e.executionId, step: $0.step.rawValue, status: $0.status.rawValue,
                           durationMs: $0.durationMs, rowsRead: $0.rowsRead, rowsWritten: $0.rowsWritten,
                           attempts: $0.attempts)
            }
        }
        headline = Headline(summaryJSON: current.results.summaryJSON)
        let w = current.policy.weights
        weightTexts = [w.occupation, w.skills, w.experience, w.languages, w.education].map(\.description)
        minFit = current.policy.minFit.description

        let results = current.results
        matches = results.matches.map { m in
            let v = index.vacancies[m.vacancyId]
            var row = MatchRow(workerId: m.workerId, originCountry: index.workers[m.workerId]?.originCountry ?? "",
                               vacancyId: m.vacancyId, destination: v?.destinationCountry ?? "", isco: v?.isco ?? "",
                               fitMicro: m.fitMicro, workerRank: m.workerRank, criteria: m.criteria,
                               missingEssentialSkills: index.missingEssentialSkills(m.workerId, m.vacancyId))
            if let v {
                row.monthlyWage = v.monthlyWage.description
                row.currency = v.currency
                row.wageUSD = index.usdPerUnit[v.currency].map { ReportFormat.usd(cents: v.monthlyWageUSDCents(usdPerUnit: $0)) } ?? ""
            }
            return row
        }
        loads = current.loads
        header.isoCodesVersions = RunSnapshot.isoCodesVersions(current.loads)
        fxRates = current.input.fxRates.sorted { bytesLess($0.currency, $1.currency) }
            .map { FXRow(currency: $0.currency, usdPerUnit: $0.usdPerUnit.description) }
        minimumWages = current.input.minimumWages.sorted { bytesLess($0.country, $1.country) }.map { m in
            MinimumWageRow(country: m.country, monthlyAmount: m.monthlyAmount.description, currency: m.currency,
                           usd: index.usdPerUnit[m.currency].map { ReportFormat.usd(cents: m.monthlyUSDCents(usdPerUnit: $0)) } ?? "")
        }
        fitDistribution = AuditReport.bins(results.matches.map(\.fitMicro), thresholdMicro: index.thresholdMicro)
        byDestination = AuditReport.tally(matches.map(\.destination)).map { Labelled(label: $0.0, name: $0.0, count: $0.1) }
        byIscoMajorGroup = AuditReport.tally(matches.map { String($0.isco.prefix(1)) }).map {
            Labelled(label: $0.0, name: AuditReport.iscoMajorGroups[$0.0] ?? "unknown", count: $0.1)
        }
        var corridorCounts: [String: Corridor] = [:]
        for m in matches {
            corridorCounts["\(m.originCountry)>\(m.destination)", default: Corridor(
                origin: m.originCountry, destination: m.destination, matched: 0)].matched += 1
        }
        corridors = corridorCounts.values.sorted {
            $0.matched != $1.matched ? $0.matched > $1.matched
                : $0.origin != $1.origin ? bytesLess($0.origin, $1.origin) : bytesLess($0.destination, $1.destination)
        }
        reasons = AuditReport.reasonSections(results.exclusions, whoListEdition: current.run.whoListEdition,
                                             policy: current.policy)
        exclusionsByReason = reasons.map { Labelled(label: $0.reason, name: $0.reason, count: $0.count) }
        fairness = AuditReport.fairnessTables(index)
        (unmatchedWorkers, unfilledVacancies) = AuditReport.unmatched(index)
        comparison = other.map { AuditReport.compare(index, RunIndex($0)) }
        warningNotes[minWageUnknownWarning] = AuditReport.minWageUnknownNote(index)
    }

    /// The taking-part vacancies whose destination has no minimum wage on file (MATCHING.md
    /// section 2): how many, where, and how many matches went to them unchecked.
    static func minWageUnknownNote(_ index: RunIndex) -> String {
        let known = Set(index.data.input.minimumWages.map(\.country))
        let unknown = index.vacancyParticipants.keys.compactMap { index.vacancies[$0] }
            .filter { !known.contains($0.destinationCountry) }
        let ids = Set(unknown.map(\.id))
        let matched = index.data.results.matches.filter { ids.contains($0.vacancyId) }.count
        let destinations = Set(unknown.map(\.destinationCountry)).sorted(by: bytesLess)
        return "\(unknown.count) taking-part vacanc\(unknown.count == 1 ? "y" : "ies") whose destination "
            + (destinations.isEmpty ? "" : "(\(destinations.joined(separator: ", "))) ")
            + "has no minimum wage on file, so their wages were checked against none; "
            + "\(matched) match\(matched == 1 ? "" : "es") went to them"
    }

    /// ISCO-08 major groups (first digit).
    public static let iscoMajorGroups: [String: String] = [
        "0": "Armed forces occupations", "1": "Managers", "2": "Professionals",
        "3": "Technicians and associate professionals", "4": "Clerical support workers",
        "5": "Service and sales workers", "6": "Skilled agricultural, forestry and fishery workers",
        "7": "Craft and related trades workers", "8": "Plant and machine operators, and assemblers",
        "9": "Elementary occupations",
    ]

    /// Counts of each label, largest first, then by label bytes.
    static func tally(_ labels: [String]) -> [(String, Int)] {
        var counts: [String: Int] = [:]
        for l in labels { counts[l, default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : bytesLess($0.key, $1.key) }
    }

    /// Bins of 0.05 from the multiple of 0.05 at or below the lowest of `min_fit` and every fit, up to 1.
    static func bins(_ fits: [Int], thresholdMicro: Int) -> [FitBin] {
        let width = 50_000
        let low = (min(thresholdMicro, fits.min() ?? thresholdMicro) / width) * width
        let count = max(1, (1_000_000 - low + width - 1) / width)
        var bins = (0..<count).map { FitBin(lowMicro: low + $0 * width, highMicro: min(1_000_000, low + ($0 + 1) * width),
                                            count: 0) }
        for f in fits { bins[min(count - 1, (f - low) / width)].count += 1 }
        return bins
    }

    /// Rule texts and sources of MATCHING.md section 2, by reason code.
    public static let rules: [String: (rule: String, source: String)] = {
        let texts: [ExclusionReason: String] = [
            .recruitmentFeeCharged: "the vacancy charges the worker a fee (worker_fee > 0)",
            .passportRetention: "the employer retains the worker's passport",
            .noWrittenContract: "the vacancy has no contract language (no written contract)",
            .excessiveHours: "hours_per_week is above the policy's max_weekly_hours",
            .wageBelowMinimum: "the wage in USD is below the destination's minimum monthly wage in USD",
            .fxRateMissing: "no exchange rate for the vacancy's currency or the minimum wage's currency",
            .employerBlocklisted: "the employer is blocklisted",
            .recruiterBlocklisted: "the recruiter (of the vacancy or the worker) is blocklisted",
            .recruiterUnlicensed: "the recruiter (of the vacancy or the worker) has no license number",
            .recruiterLicenseExpired: "the recruiter's license expired before the run date",
            .noConsent: "the worker has not given consent",
            .underage: "the worker may be younger than the policy's min_age (year(D) - birth_year - 1 < min_age)",
            .whoSafeguardList: "a health vacancy (ISCO prefix of health_isco_prefixes) without a government-to-government "
                + "agreement, and a worker from a country on the WHO Health Workforce Support and Safeguards List",
            .contractLanguageNotUnderstood: "the worker knows none of the contract languages at contract_language_min or above",
        ]
        // MATCHING.md's source of the WHO rule names the 2023 list the project ships and how
        // its edition is read; an auditor's report names the list, and the rule's text the
        // edition this run used (`whoEdition`), which a later edition makes another.
        let sources: [ExclusionReason: String] = [
            .whoSafeguardList: "WHO Global Code of Practice on the International Recruitment of Health Personnel (2010) "
                + "and its Health Workforce Support and Safeguards List",
        ]
        var out: [String: (rule: String, source: String)] = [:]
        for rule in EthicalRules.all where out[rule.reason.rawValue] == nil {
            out[rule.reason.rawValue] = (texts[rule.reason] ?? "", sources[rule.reason] ?? rule.source)
        }
        return out
    }()

    /// What this run set for a rule whose text names a policy value or the WHO list, after the
    /// rule's text: ` (this run: max_weekly_hours 50)`, ` (this run: WHO list edition 2026;
    /// health_isco_prefixes 22,32)`; nothing for other reasons. The source column cites the
    /// law (48 hours a week, 18 years), which a policy may tighten or loosen.
    static func thisRun(_ reason: String, whoListEdition: String?, policy: Policy?) -> String {
        var set: [String] = []
        switch ExclusionReason(rawValue: reason) {
        case .excessiveHours?: if let policy { set.append("max_weekly_hours \(policy.maxWeeklyHours)") }
        case .underage?: if let policy { set.append("min_age \(policy.minAge)") }
        case .contractLanguageNotUnderstood?: if let policy { set.append("contract_language_min \(policy.contractLanguageMin)") }
        case .whoSafeguardList?:
            if let whoListEdition { set.append("WHO list edition \(whoListEdition)") }
            if let policy {
                let prefixes = policy.healthIscoPrefixes.sorted(by: bytesLess)
                set.append("health_isco_prefixes " + (prefixes.isEmpty ? "none" : prefixes.joined(separator: ",")))
            }
        default: break
        }
        return set.isEmpty ? "" : " (this run: " + set.joined(separator: "; ") + ")"
    }

    /// One section per reason present, in the spec's rule order (unknown codes last, by bytes).
    /// A rule's text names what this run set for it (`thisRun`).
    static func reasonSections(_ exclusions: [Exclusion], whoListEdition: String? = nil,
                               policy: Policy? = nil) -> [ReasonSection] {
        // One pass: per reason, the count per subject and the first `sampleCount` rows in file
        // order (kept sorted; a run can hold millions of pair exclusions, so none is sorted whole).
        var counts: [String: [Exclusion.Subject: Int]] = [:]
        var firsts: [String: [Exclusion]] = [:]
        for e in exclusions {
            counts[e.reason, default: [:]][e.subject, default: 0] += 1
            var kept = firsts[e.reason, default: []]
            if kept.count < sampleCount || Exclusion.fileOrder(e, kept[kept.count - 1]) {
                kept.insert(e, at: kept.firstIndex { Exclusion.fileOrder(e, $0) } ?? kept.count)
                if kept.count > sampleCount { kept.removeLast() }
                firsts[e.reason] = kept
            }
        }
        let order = ExclusionReason.allCases.map(\.rawValue)
        let reasons = counts.keys.sorted { a, b in
            let (i, j) = (order.firstIndex(of: a) ?? order.count, order.firstIndex(of: b) ?? order.count)
            return i != j ? i < j : bytesLess(a, b)
        }
        return reasons.map { reason in
            let bySubject = counts[reason]!
            let subjects = Exclusion.Subject.allCases.compactMap { s -> Labelled? in
                let n = bySubject[s] ?? 0
                return n == 0 ? nil : Labelled(label: s.rawValue, name: s.rawValue, count: n)
            }
            let count = bySubject.values.reduce(0, +)
            let samples = firsts[reason]!.map { e in
                [e.workerId, e.vacancyId].compactMap { $0 }.joined(separator: "/")
            }
            let rule = rules[reason]
            return ReasonSection(reason: reason, count: count, bySubject: subjects,
                                 rule: (rule?.rule ?? "") + thisRun(reason, whoListEdition: whoListEdition, policy: policy),
                                 source: rule?.source ?? "", samples: Array(samples))
        }
    }

    /// Match rate per gender and per origin country of the eligible workers.
    static func fairnessTables(_ index: RunIndex) -> [FairnessTable] {
        let eligible = index.data.results.participants.filter { $0.subject == "worker" && $0.eligible }
        func table(_ attribute: String, _ group: (Worker?) -> String) -> FairnessTable {
            var counts: [String: (eligible: Int, matched: Int)] = [:]
            for p in eligible {
                let g = group(index.workers[p.id])
                counts[g, default: (0, 0)].eligible += 1
                if index.matchByWorker[p.id] != nil { counts[g, default: (0, 0)].matched += 1 }
            }
            let groups = counts.map { (group: $0.key, eligible: $0.value.eligible, matched: $0.value.matched) }
                .sorted { bytesLess($0.group, $1.group) }
            return FairnessTable(attribute: attribute, groups: impactRatios(groups))
        }
        return [
            table("gender") { $0?.gender?.rawValue ?? "not stated" },
            table("origin_country") { $0?.originCountry ?? "unknown" },
        ]
    }

    /// The impact ratios of groups given as (group, eligible, matched): each rated group's
    /// rate over the best rated group's rate, exactly; flagged below 4/5.
    public static func impactRatios(_ groups: [(group: String, eligible: Int, matched: Int)]) -> [FairnessGroup] {
        let rated = groups.filter { $0.eligible >= minimumGroupSize }
        // The best rate m/n: compare m1/n1 > m2/n2 as m1*n2 > m2*n1 (no rounding).
        let best = rated.max { a, b in a.matched * b.eligible < b.matched * a.eligible }
        return groups.map { g in
            var out = FairnessGroup(group: g.group, eligible: g.eligible, matched: g.matched,
                                    rated: g.eligible >= minimumGroupSize, impactNumerator: nil,
                                    impactDenominator: nil, flagged: false, best: false)
            guard out.rated, let best, best.matched > 0 else { return out }
            let num = g.matched * best.eligible, den = g.eligible * best.matched
            let d = gcd(num, den)
            out.impactNumerator = num / d
            out.impactDenominator = den / d
            out.best = num == den
            out.flagged = num * impactThreshold.denominator < den * impactThreshold.numerator
            return out
        }
    }

    /// What is known of an outranked worker's candidates and of an unfilled vacancy's unmatched
    /// candidates, by strategy (MATCHING.md sections 5 and 6). Under `stable` both follow from
    /// stability. Under `greedy` a pair is looked at once, in the order of fit, then worker id, then
    /// vacancy id: a candidate vacancy was full by then, filled in the order it ranks workers; a
    /// vacancy with room left found its candidate matched already, to a vacancy it fits at least
    /// as well. Under `optimal` only the largest sum of fit is known (a fit-0 candidate is never
    /// matched), so the text says no more.
    static func outrankedWording(_ strategy: Strategy, thresholdMicro: Int = 1) -> (worker: String, vacancy: String) {
        switch strategy {
        case .stable:
            return ("each filled by workers it ranks higher", "went to vacancies they rank higher")
        case .greedy:
            return ("each filled by workers it ranks higher (greedy order, MATCHING.md section 6)",
                    "matched earlier in the greedy order, to vacancies they fit at least as well (MATCHING.md section 6)")
        case .optimal:
            // With min_fit 0, a vacancy's candidates of fit 0 are among those not placed there,
            // though nobody took their place (which candidates they are is not stored).
            let zero = thresholdMicro == 0 ? ", and never matches a candidate of fit 0" : ""
            return ("none given to this worker: the optimal strategy takes the largest sum of fit (MATCHING.md section 6)",
                    "not placed here: the optimal strategy takes the largest sum of fit\(zero) (MATCHING.md section 6)")
        }
    }

    /// The wage columns of a match row, and its cells.
    static let wageColumns = ["monthly wage", "currency", "USD"]
    static let fxColumns = ["currency", "USD per unit"]
    static let minimumWageColumns = ["country", "monthly minimum", "currency", "USD"]
    static let loadColumns = ["load", "kind", "source", "file", "file SHA-256", "iso-codes", "finished", "rows"]
    static let loadsTitle = "Loads: the files this run's rows came from"
    static let loadsNote = "Each load (feed) that wrote a row version the run's snapshot took, with the number of "
        + "those rows, the SHA-256 of its file and the version of Debian's iso-codes its codes were checked against "
        + "(FEEDS.md, \"Codes\"); a withdrawn employer or recruiter that a vacancy or worker of the run still names "
        + "counts under the load that wrote its content. Then the WHO list edition the run read, with its number of "
        + "countries (no load when the migrations loaded it). Rows no load wrote have no load, source or file. `labourmatch feeds show LOAD` shows a load; `labourmatch export RUN --out DIR --inputs` writes the rows "
        + "the run read back as feed files."

    static let moneyTitle = "Money: the exchange rates and minimum wages this run read"
    static let moneyNote = "Every exchange rate and minimum monthly wage of the run's snapshot, as loaded (USD is "
        + "always 1). A wage in USD is wage × USD per unit, shown in cents rounded half away from zero: the worker's "
        + "own minimum and its ranking of vacancies (MATCHING.md sections 4 and 5) read those cents; WAGE_BELOW_MINIMUM "
        + "(section 2) compares the exact products of the vacancy's wage and of the destination's minimum, and "
        + "FX_RATE_MISSING names a currency with no rate here. Each match's wage is in the match table."

    /// Why a candidate of fit 0 is not matched under `optimal` (possible only when min_fit is 0).
    static let fitZeroSentence = "a candidate of fit 0, which the optimal strategy never matches (MATCHING.md section 6)"

    /// "excluded: 3 workers; no candidate: 5 workers; ..." for `items`, by `labels` in order;
    /// `fit 0 only` (possible under optimal with min_fit 0 alone) only when it counts some.
    static func reasonCounts(_ items: [Unmatched], labels: [String], unit: String) -> String {
        labels.compactMap { reason in
            let count = items.filter { $0.reason == reason }.map(\.open).sum()
            return count == 0 && reason == fitZeroOnly ? nil : "\(reason): \(count) \(unit)"
        }.joined(separator: "; ")
    }

    /// The main reasons of `unmatched`, in the order the report counts them: a worker may have
    /// no candidate; a vacancy's unfilled openings are `outranked` up to the number of its
    /// candidates that went elsewhere, and `too few candidates` beyond (a vacancy may have a
    /// row of each).
    static let unmatchedWorkerReasons = ["excluded", "no candidate", fitZeroOnly, "outranked"]
    /// A worker whose candidates all have fit 0, under optimal (which never matches one).
    static let fitZeroOnly = "fit 0 only"
    /// Said under the totals of the unmatched: why they exceed the headline's.
    static let unmatchedNote = "Excluded workers and vacancies are counted here too; the headline's "
        + "unmatched workers and unfilled openings are the eligible ones only."
    /// `candidate pairs` in the headline: what makes a pair one (MATCHING.md section 4).
    static func candidateLabel(minFit: String) -> String {
        "fit at least \(minFit), within the worker's conditions, no exclusion"
    }
    /// Whether the compared runs read the same data: their changes are then the policy's or the
    /// strategy's alone.
    static func inputsSentence(_ c: Comparison, current: String) -> String {
        c.otherInputSHA256 == current
            ? "Both runs read the same data (the same input_sha256)."
            : "The runs read different data (input_sha256 differs): the changes come from the feeds "
                + "loaded between them as well as from any policy or strategy change."
    }
    static let unfilledVacancyReasons = ["excluded", "too few candidates", "outranked"]

    /// Taking-part workers without a match and vacancies with unfilled openings, with the main reason.
    static func unmatched(_ index: RunIndex) -> ([Unmatched], [Unmatched]) {
        let r = index.data.results
        let outranked = outrankedWording(index.data.run.key.strategy, thresholdMicro: index.thresholdMicro)
        var workers: [Unmatched] = []
        for p in r.participants where p.subject == "worker" && index.matchByWorker[p.id] == nil {
            if let reasons = index.workerExclusions[p.id] {
                workers.append(Unmatched(id: p.id, reason: "excluded", detail: reasons.joined(separator: ", "), open: 1))
            } else if p.candidates == 0 {
                let pairs = index.pairExclusionsByWorker[p.id] ?? []
                let detail = pairs.isEmpty ? "no vacancy reached min_fit \(index.data.policy.minFit) within the worker's conditions"
                    : "\(Set(pairs.compactMap(\.vacancyId)).count) pair(s) refused: "
                        + Set(pairs.map(\.reason)).sorted(by: bytesLess).joined(separator: ", ")
                workers.append(Unmatched(id: p.id, reason: "no candidate", detail: detail, open: 1))
            } else if index.onlyFitZeroUnderOptimal(p.id) {
                workers.append(Unmatched(id: p.id, reason: fitZeroOnly, detail: "\(p.candidates) candidate(s), each "
                                            + fitZeroSentence, open: 1))
            } else {
                workers.append(Unmatched(id: p.id, reason: "outranked", detail: "\(p.candidates) candidate(s), "
                                            + outranked.worker, open: 1))
            }
        }
        var vacancies: [Unmatched] = []
        for p in r.participants where p.subject == "vacancy" {
            guard let openings = index.vacancies[p.id]?.openings, Count(p.matched) < openings else { continue }
            let open = openings - Count(p.matched)
            if let reasons = index.vacancyExclusions[p.id] {
                vacancies.append(Unmatched(id: p.id, reason: "excluded", detail: reasons.joined(separator: ", "), open: open))
            } else if p.candidates == p.matched {
                let pairs = index.refusedPairsByVacancy[p.id] ?? 0
                var detail = p.candidates == 0 ? "no candidate" : "all \(p.candidates) candidate(s) matched here"
                if pairs > 0 { detail += "; \(pairs) pair(s) refused by pair rules" }
                vacancies.append(Unmatched(id: p.id, reason: "too few candidates", detail: detail, open: open))
            } else {
                // Each candidate that went elsewhere could have taken one opening: the openings
                // beyond them had no candidate left (a vacancy row for each reason).
                let elsewhere = Count(p.candidates - p.matched)
                vacancies.append(Unmatched(id: p.id, reason: "outranked",
                                           detail: "\(p.candidates - p.matched) of \(p.candidates) candidate(s) "
                                               + outranked.vacancy, open: min(open, elsewhere)))
                if open > elsewhere {
                    vacancies.append(Unmatched(id: p.id, reason: "too few candidates",
                                               detail: "\(p.candidates) candidate(s) for \(openings) openings",
                                               open: open - elsewhere))
                }
            }
        }
        return (workers, vacancies)
    }

    /// New, lost and changed matches of `now` against `before`, with the reason of each.
    static func compare(_ now: RunIndex, _ before: RunIndex) -> Comparison {
        func describe(_ p: RunResults.Pair) -> String {
            "\(p.vacancyId) (fit \(FitScore.text(micro: p.fitMicro)), rank \(p.workerRank))"
        }
        let b = before.data.run, n = now.data.run
        var newMatches: [MatchChange] = [], lost: [MatchChange] = [], changed: [MatchChange] = []
        var unchanged = 0
        let workers = Set(now.matchByWorker.keys).union(before.matchByWorker.keys).sorted(by: bytesLess)
        for w in workers {
            switch (before.matchByWorker[w], now.matchByWorker[w]) {
            case (nil, let m?):
                newMatches.append(MatchChange(workerId: w, before: nil, after: describe(m),
                                              why: "in run \(b.runId): " + before.pairStatus(w, m.vacancyId)))
            case (let m?, nil):
                lost.append(MatchChange(workerId: w, before: describe(m), after: nil,
                                        why: "now: " + now.pairStatus(w, m.vacancyId)))
            case (let old?, let new?):
                if old == new { unchanged += 1; continue }
                var same: [String] = []
                if old.fitMicro != new.fitMicro {
                    same.append(now.data.policy.weights == before.data.policy.weights
                                ? "the fit changed with the input" : "the fit changed with the policy's weights")
                }
                if old.workerRank != new.workerRank { same.append("the worker's rank changed with its candidates") }
                let why = old.vacancyId == new.vacancyId
                    ? "same vacancy; " + same.joined(separator: "; ")
                    : "\(old.vacancyId) now: " + now.pairStatus(w, old.vacancyId)
                changed.append(MatchChange(workerId: w, before: describe(old), after: describe(new), why: why))
            case (nil, nil):
                continue
            }
        }
        return Comparison(otherRunId: b.runId, otherRunDate: b.key.runDate.description,
                          otherStrategy: b.key.strategy.rawValue, otherPolicySHA256: b.key.policySHA256,
                          otherInputSHA256: b.inputSHA256 ?? "",
                          policyChanges: policyChanges(b.policyText, n.policyText), newMatches: newMatches,
                          lostMatches: lost, changedMatches: changed, unchanged: unchanged)
    }

    /// `key: before -> after` for each key whose canonical policy line differs.
    static func policyChanges(_ before: String, _ after: String) -> [String] {
        func lines(_ t: String) -> [String: String] {
            var out: [String: String] = [:]
            for line in t.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                out[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return out
        }
        let (a, b) = (lines(before), lines(after))
        return Set(a.keys).union(b.keys).sorted(by: bytesLess).compactMap { k in
            a[k] == b[k] ? nil : "\(k): \(a[k] ?? "(none)") -> \(b[k] ?? "(none)")"
        }
    }
}

extension AuditReport.Headline {
    /// The counts of a stored `summary.json` (keys of MATCHING.md section 7).
    init(summaryJSON: String) {
        // Read with the feeds' parser, which keeps each number's literal: JSONSerialization
        // would make a double of a sum of openings past 64 bits.
        let object = (try? JSONParser.parse(Array(summaryJSON.utf8))) ?? .object([])
        func literal(_ value: Feeds.JSONValue?) -> String? {
            if case .number(let text)? = value { return text }
            return nil
        }
        let counts = object.member("counts")
        func n(_ key: String) -> Int { literal(counts?.member(key)).flatMap { Int($0) } ?? 0 }
        func exact(_ key: String) -> Count { literal(counts?.member(key)).flatMap { Count($0) } ?? 0 }
        self.init()
        workers = n("workers"); vacancies = n("vacancies"); openings = exact("openings")
        eligibleWorkers = n("eligible_workers"); eligibleVacancies = n("eligible_vacancies")
        eligibleOpenings = exact("eligible_openings"); candidates = n("candidates"); matched = n("matched")
        unmatchedWorkers = n("unmatched_workers"); unfilledOpenings = exact("unfilled_openings")
        // "0.812000": six decimals, read as an integer of millionths.
        var fitSum = "0.000000"
        if case .string(let text)? = object.member("fit_sum") { fitSum = text }
        fitSumMicro = Int(fitSum.replacingOccurrences(of: ".", with: "")) ?? 0
        workerRankSum = literal(object.member("worker_rank_sum")).flatMap { Int($0) } ?? 0
        var warnings: [(key: String, value: Feeds.JSONValue)] = []
        if case .object(let members)? = object.member("warnings") { warnings = members }
        self.warnings = warnings.sorted { bytesLess($0.key, $1.key) }.map {
            AuditReport.Labelled(label: $0.key, name: $0.key, count: literal($0.value).flatMap { Int($0) } ?? 0)
        }
    }
}

/// The greatest common divisor (1 for 0 and 0, so a division by it is safe).
func gcd(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (abs(a), abs(b))
    while y != 0 { (x, y) = (y, x % y) }
    return max(x, 1)
}

extension RunSnapshot.LoadRead {
    /// When the load finished, ISO 8601 in UTC, as the report's other times.
    var finishedText: String? { finishedAt.map { ISO8601DateFormatter().string(from: $0) } }

    /// The cells of `AuditReport.loadColumns` ("" for what is not known).
    var cells: [String] {
        [feedId.map(String.init) ?? "", kind, source ?? "", fileName ?? "", fileSHA256 ?? "", isoCodesVersion ?? "",
         finishedText ?? "", "\(rows)"]
    }
}
