import Matching
import Store

/// `labourmatch explain`: why a worker got its match in a stored run, and why not a given vacancy.
public enum Explanation {
    /// Why `explain` cannot answer.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case unknownWorker(String, Int64)
        case unknownVacancy(String, Int64)
        /// It is in the run's snapshot (and took part, or not), but its row version is gone from
        /// the database.
        case versionGone(subject: String, id: String, run: Int64, tookPart: Bool = true)

        /// An id the run does not know (status 2), not a database changed after the run (status 1).
        public var isBadInput: Bool {
            if case .versionGone = self { return false }
            return true
        }

        public var description: String {
            switch self {
            case .versionGone(let subject, let id, let run, let tookPart):
                return "\(subject) \(id) \(tookPart ? "took part in run \(run)" : "is in run \(run)'s snapshot (it did not take part)"), "
                    + "but the row version its snapshot recorded is no longer in the database (removed after the run): "
                    + "labourmatch verify \(run) names what changed"
            case .unknownWorker(let w, let run):
                return "worker \(w) is not in run \(run)'s snapshot (not loaded, or withdrawn when the run took it)"
            case .unknownVacancy(let v, let run):
                return "vacancy \(v) is not in run \(run)'s snapshot (not loaded, or withdrawn when the run took it)"
            }
        }
    }

    /// The explanation as terminal text (LF-terminated lines); pure.
    public static func text(_ data: RunData, worker: String, vacancy: String? = nil) throws -> String {
        try explain(data, worker: worker, vacancy: vacancy).text
    }

    /// The explanation as terminal text, the vacancies it talks about whose version rows are
    /// gone (`goneVacancies`), from one index of the run, and the rows whose absence left a
    /// rule's evidence untold (`evidenceGone`, see `EvidenceLines`); pure.
    public static func explain(_ data: RunData, worker: String, vacancy: String? = nil) throws
        -> (text: String, goneVacancies: [String], evidenceGone: [String]?) {
        let index = RunIndex(data)
        var evidence = EvidenceLines(data: data)
        let text = try text(index, data, worker: worker, vacancy: vacancy, evidence: &evidence)
        return (text, goneVacancies(index, worker: worker, vacancy: vacancy), evidence.gone)
    }

    /// The rates and minimum wages whose version rows are gone (`RunData.versionsGone`) that the
    /// explanation of an eligible `worker` converts wages with: those of the vacancies it reads
    /// (their currencies, their destinations' minimum wages and those wages' currencies; not
    /// USD's, which is 1 whatever the rates say). Its minimum, its preferences and the
    /// no-candidate tally read a gone rate as missing, with status 0 (a review, session 21).
    public static func moneyRowsGone(_ data: RunData, worker: String) -> [String] {
        guard data.results.participants.contains(where: { $0.subject == "worker" && $0.id == worker && $0.eligible })
        else { return [] }
        let destinations = Set(data.input.vacancies.map(\.destinationCountry))
        let currencies = Set(data.input.vacancies.map(\.currency)
                             + data.input.minimumWages.filter { destinations.contains($0.country) }.map(\.currency))
        return data.versionsGone.filter {
            ($0.kind == "fx_rate" && $0.key != "USD" && currencies.contains($0.key))
                || ($0.kind == "minimum_wage" && destinations.contains($0.key))
        }.map(\.description)
    }

    /// Failure.versionGone when `id` of `kind` is in the snapshot but its version row is gone
    /// (it took part, or `data.versionsGone` names it); nil when the snapshot never had it.
    static func gone(_ index: RunIndex, _ data: RunData, kind: String, id: String) -> Failure? {
        let tookPart = kind == "worker" ? index.workerParticipants[id] != nil : index.vacancyParticipants[id] != nil
        guard tookPart || data.versionsGone.contains(where: { $0.kind == kind && $0.key == id }) else { return nil }
        return .versionGone(subject: kind, id: id, run: data.run.runId, tookPart: tookPart)
    }

    static func text(_ index: RunIndex, _ data: RunData, worker: String, vacancy: String?,
                     evidence: inout EvidenceLines) throws -> String {
        let run = data.run
        // Bad input first (status 2), then versions removed after the run (status 1).
        let workerGone = index.workers[worker] == nil ? gone(index, data, kind: "worker", id: worker) : nil
        if index.workers[worker] == nil && workerGone == nil { throw Failure.unknownWorker(worker, run.runId) }
        let vacancyGone = vacancy.flatMap { index.vacancies[$0] == nil ? gone(index, data, kind: "vacancy", id: $0) : nil }
        if let vacancy, index.vacancies[vacancy] == nil && vacancyGone == nil { throw Failure.unknownVacancy(vacancy, run.runId) }
        if let workerGone { throw workerGone }
        if let vacancyGone { throw vacancyGone }
        guard let w = index.workers[worker] else { throw Failure.unknownWorker(worker, run.runId) }
        var out = "run \(run.runId): \(run.key.summary)\n"
        let p = index.workerParticipants[worker]
        out += "worker \(worker) (origin \(w.originCountry))"
        out += p.map { ": \($0.eligible ? "eligible" : "not eligible"), \($0.candidates) candidate(s)\n" } ?? ": did not take part\n"
        for reason in index.workerExclusions[worker] ?? [] {
            out += "  excluded: \(reason): \(rule(reason, run.whoListEdition, data.policy))\n"
            out += evidence.lines(reason, worker: w, vacancy: nil)
        }
        if let m = index.matchByWorker[worker] {
            let v = index.vacancies[m.vacancyId]
            out += "matched: \(m.vacancyId)"
            if let v { out += " (\(TerminalText.escaped(v.title)), \(v.destinationCountry), ISCO \(v.isco))" }
            out += ", fit \(ReportFormat.fit(m.fitMicro)), the worker's rank \(m.workerRank)"
            out += p.map { " among its \($0.candidates) candidate(s)" } ?? ""
            out += "\n" + breakdown(m.criteria, fitMicro: m.fitMicro, policy: data.policy)
            let missing = index.missingEssentialSkills(worker, m.vacancyId)
            out += "  essential skills lacking: " + (v == nil ? "unknown: " + goneSentence
                : missing.isEmpty ? "none" : missing.map(\.text).joined(separator: ", ")) + "\n"
            if let v, !data.input.minimumWages.contains(where: { $0.country == v.destinationCountry }) {
                out += "  warning \(minWageUnknownWarning): \(v.destinationCountry) has no minimum wage on file; "
                    + "the wage was checked against none\n"
            }
        } else if let p, p.eligible {
            out += "not matched: " + (p.candidates == 0 ? "no candidate vacancy"
                                      : index.onlyFitZeroUnderOptimal(worker)
                                        ? "its candidates all have fit 0, which the optimal strategy never matches"
                                      : "outranked at each of its candidates") + "\n"
            if p.candidates == 0 { out += noCandidate(index, w) }
        }
        if let top = index.topByWorker[worker], !top.isEmpty {
            out += "its best candidates by fit (\(top.count) of \(p?.candidates ?? top.count) kept):\n"
            for t in top {
                out += "  \(t.position). \(t.pair.vacancyId) fit \(ReportFormat.fit(t.pair.fitMicro)) rank \(t.pair.workerRank): "
                out += (t.matched ? "matched" : index.pairStatus(worker, t.pair.vacancyId)) + "\n"
            }
        }
        let pairs = index.pairExclusionsByWorker[worker] ?? []
        if !pairs.isEmpty {
            out += "pairs refused by the pair rules:\n"
            let byReason = Dictionary(grouping: pairs, by: \.reason)
            for reason in byReason.keys.sorted(by: bytesLess) {
                let ids = byReason[reason]!.compactMap(\.vacancyId)
                out += "  \(reason): " + ids.joined(separator: ", ") + "\n"
                out += "    \(rule(reason, run.whoListEdition, data.policy))\n"
                // What the rule read of each pair, for recomputing it by hand.
                for id in ids {
                    guard let v = index.vacancies[id] else { out += "    \(id): \(goneSentence)\n"; continue }
                    out += evidence.lines(reason, worker: w, vacancy: v, of: id)
                }
            }
        }
        if let vacancy {
            out += "why not \(vacancy): \(index.pairStatus(worker, vacancy))\n"
            let v = index.vacancies[vacancy]
            let reasons: [(String, Worker?, Vacancy?)] = (index.workerExclusions[worker] ?? []).map { ($0, w, nil) }
                + (index.vacancyExclusions[vacancy] ?? []).map { ($0, nil, v) }
                + (index.pairExclusions(worker, vacancy) ?? []).map { ($0, w, v) }
            for (reason, w, v) in reasons {
                out += "  \(reason): \(rule(reason, run.whoListEdition, data.policy))\n" + evidence.lines(reason, worker: w, vacancy: v)
            }
            if index.vacancies[vacancy] != nil, index.matchByWorker[worker]?.vacancyId != vacancy,
               let fit = index.fit(worker, vacancy) {
                out += "  the pair's fit under the run's policy: \(ReportFormat.fit(fit.fitMicro))\n"
                out += breakdown(fit.criteria, fitMicro: fit.fitMicro, policy: data.policy)
                let missing = index.missingEssentialSkills(worker, vacancy)
                out += "  essential skills lacking: " + (missing.isEmpty ? "none" : missing.map(\.text).joined(separator: ", ")) + "\n"
            }
        }
        return out
    }

    /// How many listed before "and N more".
    static let closestShown = 5

    /// How many workers of a refused-pair reason `explainVacancy` names before "and N more".
    static let refusedShown = 10

    /// Why vacancy `vacancy` got the matches it got and not more, as terminal text (LF-terminated
    /// lines), and whether its version row is gone: its exclusions with what each rule read, its
    /// matches with their fits and the workers' ranks, its unfilled openings with the report's
    /// reasons, and the pairs the pair rules refused. Pure.
    public static func explainVacancy(_ data: RunData, vacancy: String) throws -> String {
        try explainVacancyTold(data, vacancy: vacancy).text
    }

    /// `explainVacancy`'s text, and the rows whose absence left a rule's evidence untold
    /// (`EvidenceLines.gone`).
    public static func explainVacancyTold(_ data: RunData, vacancy: String) throws -> (text: String, evidenceGone: [String]?) {
        let index = RunIndex(data)
        let run = data.run
        let p = index.vacancyParticipants[vacancy]
        guard let v = index.vacancies[vacancy] else {
            throw gone(index, data, kind: "vacancy", id: vacancy) ?? Failure.unknownVacancy(vacancy, run.runId)
        }
        var evidence = EvidenceLines(data: data)
        var out = "run \(run.runId): \(run.key.summary)\n"
        out += "vacancy \(vacancy) (\(TerminalText.escaped(v.title)), \(v.destinationCountry), ISCO \(v.isco), employer "
            + TerminalText.escaped(v.employerId) + (v.recruiterId.map { ", recruiter " + TerminalText.escaped($0) } ?? "") + ")"
        guard let p else {
            // In the snapshot but not taking part: expired is the one reason MATCHING.md leaves.
            let why = v.expiresOn.map { ": it expired on \($0), before the run date \(run.key.runDate)" } ?? ""
            return (out + ": did not take part\(why) (MATCHING.md section 1)\n", nil)
        }
        out += ": \(p.eligible ? "eligible" : "not eligible"), \(v.openings) opening(s), \(p.candidates) candidate(s)\n"
        for reason in index.vacancyExclusions[vacancy] ?? [] {
            out += "  excluded: \(reason): \(rule(reason, run.whoListEdition, data.policy))\n"
            out += evidence.lines(reason, worker: nil, vacancy: v)
        }
        let matches = (index.matchesByVacancy[vacancy] ?? []).sorted {
            $0.fitMicro != $1.fitMicro ? $0.fitMicro > $1.fitMicro : bytesLess($0.workerId, $1.workerId)
        }
        if !matches.isEmpty {
            out += "matched: \(matches.count) of its \(v.openings) opening(s), by fit:\n"
            for m in matches {
                out += "  \(TerminalText.escaped(m.workerId)) fit \(ReportFormat.fit(m.fitMicro)), the worker's rank \(m.workerRank)\n"
            }
        }
        for u in AuditReport.unmatched(index).1 where u.id == vacancy {
            out += "unfilled: \(u.open) opening(s) \(u.reason): \(TerminalText.escaped(u.detail))\n"
        }
        let pairs = data.results.exclusions.filter { $0.subject == .pair && $0.vacancyId == vacancy }
        if !pairs.isEmpty {
            out += "pairs refused by the pair rules (\(Set(pairs.compactMap(\.workerId)).count) worker(s)):\n"
            let byReason = Dictionary(grouping: pairs, by: \.reason)
            for reason in byReason.keys.sorted(by: bytesLess) {
                let ids = byReason[reason]!.compactMap(\.workerId).sorted(by: bytesLess)
                out += "  \(reason): " + ids.prefix(refusedShown).map(TerminalText.escaped).joined(separator: ", ")
                    + (ids.count > refusedShown ? ", and \(ids.count - refusedShown) more" : "") + "\n"
                out += "    \(rule(reason, run.whoListEdition, data.policy))\n"
            }
        }
        out += "why not a given worker here: labourmatch explain \(run.runId) --worker W --vacancy"
            + (vacancy.hasPrefix("-") ? "=" : " ") + TerminalText.escaped(vacancy) + "\n"
        return (out, evidence.gone)
    }

    /// Why none of the vacancies that took part is a candidate of `w`: each counted at the first
    /// condition of MATCHING.md section 4 it fails (its own exclusion, min_fit, the worker's
    /// conditions, a pair rule), the ones closest to being candidates named (highest fit first).
    static func noCandidate(_ index: RunIndex, _ w: Worker) -> String {
        var excluded = 0, refused = 0
        var below: [(fit: Int, id: String)] = [], unwanted: [(fit: Int, id: String, why: [String])] = []
        var unexplained: [String] = [], unread: [String] = []
        for (id, participant) in index.vacancyParticipants {
            guard participant.eligible else { excluded += 1; continue }
            guard let v = index.vacancies[id], let fit = index.fit(w.id, id) else { unread.append(id); continue }
            if fit.fitMicro < index.thresholdMicro { below.append((fit.fitMicro, id)); continue }
            let broken = index.brokenWorkerConditions(w, v)
            if !broken.isEmpty { unwanted.append((fit.fitMicro, id, broken)); continue }
            if index.pairExclusions(w.id, id) != nil { refused += 1; continue }
            unexplained.append(id)
        }
        let closest = { (a: (fit: Int, id: String), b: (fit: Int, id: String)) in a.fit != b.fit ? a.fit > b.fit : bytesLess(a.id, b.id) }
        below.sort(by: closest)
        unwanted.sort { closest(($0.fit, $0.id), ($1.fit, $1.id)) }
        func more(_ n: Int) -> String { n > closestShown ? ", and \(n - closestShown) more" : "" }
        let total = index.vacancyParticipants.count
        var out = "why no candidate: of the \(total) \(total == 1 ? "vacancy" : "vacancies") that took part (MATCHING.md section 4, "
            + "each at the first condition it fails):\n"
        if excluded > 0 { out += "  \(excluded) excluded (vacancy rules; explain --vacancy V says which)\n" }
        if !below.isEmpty {
            out += "  \(below.count) fit below min_fit \(index.data.policy.minFit); the closest: "
                + below.prefix(closestShown).map { "\($0.id) fit \(ReportFormat.fit($0.fit))" }.joined(separator: ", ")
                + more(below.count) + "\n"
        }
        if !unwanted.isEmpty {
            out += "  \(unwanted.count) fit enough but break the worker's own conditions:\n"
            for u in unwanted.prefix(closestShown) {
                out += "    \(u.id) fit \(ReportFormat.fit(u.fit)): " + TerminalText.escaped(u.why.joined(separator: "; ")) + "\n"
            }
            if unwanted.count > closestShown { out += "    and \(unwanted.count - closestShown) more\n" }
        }
        if refused > 0 { out += "  \(refused) refused by the pair rules (listed below)\n" }
        if !unread.isEmpty {
            out += "  \(unread.count) without a version in the snapshot's tables (removed after the run?): "
                + "labourmatch verify \(index.data.run.runId) names them\n"
        }
        if !unexplained.isEmpty {
            out += "  \(unexplained.count) meet every condition here, yet the stored run has no candidate: "
                + "labourmatch verify \(index.data.run.runId) recomputes it\n"
        }
        return out
    }

    /// `    read: hours_per_week 60 > max_weekly_hours 48` (the values the rule read), or nothing.
    /// `of`: the pair's vacancy id, said first (`    V038 read: ...`) where several pairs are listed.
    /// What each rule read (`RuleEvidence`), a line per exclusion. Where a row the rule read is
    /// gone (removed after the run, with the guards off: a recruiter's, a minimum wage's, a
    /// rate's version), the line says so, naming those rows among the gone ones the loaders
    /// found (`RunData.versionsGone`), and `gone` lists them ("" for rows it cannot name), so
    /// that `explain` fails (status 1): the line was dropped and the explanation ended with
    /// status 0 (session 20's Left list). A rule whose evidence tells what is absent
    /// (`FX_RATE_MISSING`) would otherwise read a gone rate as missing (a review, session 21).
    struct EvidenceLines {
        let data: RunData
        /// Nil while every rule's evidence could be told.
        private(set) var gone: [String]?

        init(data: RunData) { self.data = data }

        mutating func lines(_ reason: String, worker: Worker?, vacancy: Vacancy?, of pair: String? = nil) -> String {
            let label = pair.map { "\(TerminalText.escaped($0)) read" } ?? "read"
            guard let rule = ExclusionReason(rawValue: reason) else { return "" }
            let read = data.versionsGone.filter { reads(rule, $0, worker: worker, vacancy: vacancy) }
            if read.isEmpty, let text = RuleEvidence.text(reason, worker: worker, vacancy: vacancy, input: data.input,
                                                          policy: data.policy, date: data.run.key.runDate) {
                return "    \(label): \(TerminalText.escaped(text))\n"
            }
            let named = read.map(\.description)
            for row in named.isEmpty ? [""] : named where !(gone ?? []).contains(row) { gone = (gone ?? []) + [row] }
            return "    \(label): cannot be shown: " + (named.isEmpty ? "a row version the rule read is"
                : "the version row\(named.count == 1 ? "" : "s") of " + TerminalText.escaped(named.joined(separator: ", "))
                    + ", which the run read, \(named.count == 1 ? "is" : "are")")
                + " no longer in the database (removed after the run)\n"
        }

        /// Whether the rule of `reason` reads the snapshot's row `row` for this subject: the
        /// vacancy's employer, the recruiter of the vacancy (else of the worker), the rates and
        /// the minimum wage the wage rules compare.
        func reads(_ reason: ExclusionReason, _ row: RunSnapshot.Recorded, worker: Worker?, vacancy: Vacancy?) -> Bool {
            switch reason {
            case .wageBelowMinimum, .fxRateMissing:
                // USD is 1 whatever the rates say: its row is not read.
                guard let v = vacancy else { return false }
                let minimum = data.input.minimumWages.first { $0.country == v.destinationCountry }
                return (row.kind == "minimum_wage" && row.key == v.destinationCountry)
                    || (row.kind == "fx_rate" && row.key != "USD" && (row.key == v.currency || row.key == minimum?.currency))
            case .employerBlocklisted:
                return row.kind == "employer" && row.key == vacancy?.employerId
            case .recruiterBlocklisted, .recruiterUnlicensed, .recruiterLicenseExpired:
                let recruiter = vacancy != nil ? vacancy?.recruiterId : worker?.recruiterId
                return row.kind == "recruiter" && row.key == recruiter
            default:
                return false   // the subject's own fields, the policy, the WHO list
            }
        }
    }

    /// Said in place of what cannot be read of a vacancy whose version row is gone.
    static let goneSentence = "its version row is no longer in the database (removed after the run), so what it "
        + "held cannot be shown"

    /// The vacancies the explanation of `worker` (and `vacancy`) talks about that took part in
    /// the run but whose version rows are gone (removed after the run), in byte order: `explain`
    /// prints what it can and then fails (status 1), as what it says of them is incomplete.
    static func goneVacancies(_ index: RunIndex, worker: String, vacancy: String?) -> [String] {
        var named = Set((index.topByWorker[worker] ?? []).map(\.pair.vacancyId))
        named.formUnion((index.pairExclusionsByWorker[worker] ?? []).compactMap(\.vacancyId))
        if let m = index.matchByWorker[worker] { named.insert(m.vacancyId) }
        if let vacancy { named.insert(vacancy) }
        // An eligible worker without a candidate: its tally counts every vacancy that took part,
        // the eligible ones without a version as such (it ended with status 0, a review, session 21).
        if let p = index.workerParticipants[worker], p.eligible, p.candidates == 0 {
            named.formUnion(index.vacancyParticipants.filter { $0.value.eligible }.keys)
        }
        // Each took part (matched, a candidate, or refused by a pair rule), so a missing version is a gone one.
        return named.filter { index.vacancies[$0] == nil }.sorted(by: bytesLess)
    }

    /// `RULE TEXT (source: ...)` of a reason.
    static func rule(_ reason: String, _ whoListEdition: String?, _ policy: Policy) -> String {
        guard let r = AuditReport.rules[reason] else { return "(unknown reason)" }
        return "\(r.rule)\(AuditReport.thisRun(reason, whoListEdition: whoListEdition, policy: policy)) (source: \(r.source))"
    }

    /// The criteria table: value, weight, weighted share of the fit.
    static func breakdown(_ criteria: [String], fitMicro: Int, policy: Policy) -> String {
        let w = policy.weights
        let weights = [w.occupation, w.skills, w.experience, w.languages, w.education]
        let ratios = AuditReport.criteria.indices.map { i in criteria.indices.contains(i) ? Ratio(criteria[i]) : nil }
        // Exact shares, as the fit is computed (a Double here once showed 0.014062 for 0.0140625).
        let shares = ratios.contains(nil) ? nil : FitScore.sharesMicro(ratios.map { $0! }, weights: w)
        var out = "  criterion   value               weight  weighted\n"
        for (i, name) in AuditReport.criteria.enumerated() {
            let value = criteria.indices.contains(i) ? criteria[i] : "?"
            out += "  " + pad(name, 12) + pad(ReportFormat.criterion(value), 20) + pad(weights[i].description, 8)
                + (shares.map { ReportFormat.fit($0[i]) } ?? "?") + "\n"
        }
        let total = ExactDecimal.sum(weights.filter { !$0.isNegative })
        out += "  weighted = weight x value / \(total) (the sum of the weights), each rounded to millionths "
            + "(so they may add up to the fit give or take a few millionths)\n"
        out += "  fit = Σ weight x value / \(total) = \(ReportFormat.fit(fitMicro)) "
            + "(exact, then rounded half away from zero to millionths)\n"
        return out
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }
}
