import Matching

/// `labourmatch explain`: why a worker got its match in a stored run, and why not a given vacancy.
public enum Explanation {
    /// Why `explain` cannot answer.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case unknownWorker(String, Int64)
        case unknownVacancy(String, Int64)

        public var description: String {
            switch self {
            case .unknownWorker(let w, let run):
                return "worker \(w) is not in run \(run)'s snapshot (not loaded, or withdrawn when the run took it)"
            case .unknownVacancy(let v, let run):
                return "vacancy \(v) is not in run \(run)'s snapshot (not loaded, or withdrawn when the run took it)"
            }
        }
    }

    /// The explanation as terminal text (LF-terminated lines); pure.
    public static func text(_ data: RunData, worker: String, vacancy: String? = nil) throws -> String {
        let index = RunIndex(data)
        let run = data.run
        guard let w = index.workers[worker] else { throw Failure.unknownWorker(worker, run.runId) }
        if let vacancy, index.vacancies[vacancy] == nil { throw Failure.unknownVacancy(vacancy, run.runId) }
        var out = "run \(run.runId): \(run.key.summary)\n"
        let p = index.workerParticipants[worker]
        out += "worker \(worker) (origin \(w.originCountry))"
        out += p.map { ": \($0.eligible ? "eligible" : "not eligible"), \($0.candidates) candidate(s)\n" } ?? ": did not take part\n"
        for reason in index.workerExclusions[worker] ?? [] {
            out += "  excluded: \(reason): \(rule(reason, run.whoListEdition))\n"
            out += evidence(reason, data, worker: w, vacancy: nil)
        }
        if let m = index.matchByWorker[worker] {
            let v = index.vacancies[m.vacancyId]
            out += "matched: \(m.vacancyId)"
            if let v { out += " (\(TerminalText.escaped(v.title)), \(v.destinationCountry), ISCO \(v.isco))" }
            out += ", fit \(ReportFormat.fit(m.fitMicro)), the worker's rank \(m.workerRank)"
            out += p.map { " among its \($0.candidates) candidate(s)" } ?? ""
            out += "\n" + breakdown(m.criteria, fitMicro: m.fitMicro, policy: data.policy)
            let missing = index.missingEssentialSkills(worker, m.vacancyId)
            out += "  essential skills lacking: " + (missing.isEmpty ? "none" : missing.map(\.text).joined(separator: ", ")) + "\n"
            if let v, !data.input.minimumWages.contains(where: { $0.country == v.destinationCountry }) {
                out += "  warning \(minWageUnknownWarning): \(v.destinationCountry) has no minimum wage on file; "
                    + "the wage was checked against none\n"
            }
        } else if let p, p.eligible {
            out += "not matched: " + (p.candidates == 0 ? "no candidate vacancy" : "outranked at each of its candidates") + "\n"
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
                out += "  \(reason): " + byReason[reason]!.compactMap(\.vacancyId).joined(separator: ", ") + "\n"
                out += "    \(rule(reason, run.whoListEdition))\n"
            }
        }
        if let vacancy {
            out += "why not \(vacancy): \(index.pairStatus(worker, vacancy))\n"
            let v = index.vacancies[vacancy]
            let reasons: [(String, Worker?, Vacancy?)] = (index.workerExclusions[worker] ?? []).map { ($0, w, nil) }
                + (index.vacancyExclusions[vacancy] ?? []).map { ($0, nil, v) }
                + (index.pairExclusions(worker, vacancy) ?? []).map { ($0, w, v) }
            for (reason, w, v) in reasons {
                out += "  \(reason): \(rule(reason, run.whoListEdition))\n" + evidence(reason, data, worker: w, vacancy: v)
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

    /// `    read: hours_per_week 60 > max_weekly_hours 48` (the values the rule read), or nothing.
    static func evidence(_ reason: String, _ data: RunData, worker: Worker?, vacancy: Vacancy?) -> String {
        RuleEvidence.text(reason, worker: worker, vacancy: vacancy, input: data.input, policy: data.policy,
                          date: data.run.key.runDate).map { "    read: \(TerminalText.escaped($0))\n" } ?? ""
    }

    /// `RULE TEXT (source: ...)` of a reason.
    static func rule(_ reason: String, _ whoListEdition: String?) -> String {
        guard let r = AuditReport.rules[reason] else { return "(unknown reason)" }
        return "\(r.rule)\(AuditReport.whoEdition(reason, whoListEdition)) (source: \(r.source))"
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
        out += "  weighted = weight x value / \(total) (the sum of the weights), each rounded to millionths\n"
        out += "  fit = Σ weight x value / \(total) = \(ReportFormat.fit(fitMicro)) (exact, then rounded to millionths)\n"
        return out
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }
}
