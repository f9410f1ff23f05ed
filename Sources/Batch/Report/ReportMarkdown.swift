import Feeds

/// `report.md`: the HTML report's content as Markdown tables, without the charts
/// (their figures are given as tables).
public enum ReportMarkdown {
    /// The report as Markdown bytes; the same report gives the same bytes.
    public static func render(_ r: AuditReport) -> [UInt8] {
        let x = r.header, hl = r.headline
        let limit = ReportHTML.listLimit
        var md = "# Audit report: run \(x.runId)\n\n"
        md += "\(x.jobName) of \(x.runDate), scope \(text(x.scope)), strategy \(x.strategy): \(x.status)\n\n"
        md += table(["", ""], [
            ["run id", "\(x.runId)"], ["run date", x.runDate], ["scope", x.scope], ["strategy", x.strategy],
            ["run of its instance", "\(x.number)"], ["status", x.status], ["policy SHA-256", "`\(x.policySHA256)`"],
            ["input fingerprint (input_sha256)", "`\(x.inputSHA256)`"], ["engine", x.engineVersion],
            ["WHO list edition", x.whoListEdition], ["iso-codes of the loads read", x.isoCodesVersions.joined(separator: ", ")],
            ["created", x.createdAt], ["finished", x.finishedAt ?? ""],
        ])
        md += "Effective policy (canonical text; its SHA-256 is the policy SHA-256):\n\n```\n\(x.policyText)"
        md += x.policyText.hasSuffix("\n") ? "```\n\n" : "\n```\n\n"
        md += "### Steps\n\n"
        md += table(["execution", "step", "status", "duration (ms)", "rows read", "rows written", "attempts"], r.steps.map {
            ["\($0.executionId)", $0.step, $0.status, ReportFormat.ms($0.durationMs), ReportFormat.ms($0.rowsRead),
             ReportFormat.ms($0.rowsWritten), "\($0.attempts)"]
        })
        md += ReportFormat.stepsNote + "\n\n"

        md += "## Headline figures\n\n"
        md += table(["figure", "value", "from"], [
            ["workers taking part", "\(hl.workers)", "eligible \(hl.eligibleWorkers)"],
            ["vacancies taking part", "\(hl.vacancies)", "eligible \(hl.eligibleVacancies)"],
            ["openings", "\(hl.openings)", "eligible \(hl.eligibleOpenings)"],
            ["candidate pairs", "\(hl.candidates)", AuditReport.candidateLabel(minFit: r.minFit)],
            ["matched", "\(hl.matched)", ReportFormat.percent(hl.matched, hl.eligibleWorkers) + " of eligible workers"],
            ["unfilled openings", "\(hl.unfilledOpenings)", "of \(hl.eligibleOpenings) eligible"],
            ["unmatched workers", "\(hl.unmatchedWorkers)", "of \(hl.eligibleWorkers) eligible"],
            ["mean fit", hl.meanFitMicro.map(ReportFormat.fit) ?? "-", "\(ReportFormat.fit(hl.fitSumMicro)) / \(hl.matched) matches"],
            ["sum of worker ranks", "\(hl.workerRankSum)", ""],
        ] + hl.warnings.map { ["warning \($0.label)", "\($0.count)", r.warningNotes[$0.label] ?? ""] })
        md += ReportFormat.roundingNote(strategy: r.header.strategy) + "\n\n"

        md += "## Figures behind the charts\n\n### Fit score distribution (\(ReportFormat.binsNote))\n\n"
        md += table(["fit from", "to", "matches"], r.fitDistribution.map {
            [ReportFormat.decimal($0.lowMicro, 1_000_000, places: 2), ReportFormat.decimal($0.highMicro, 1_000_000, places: 2),
             "\($0.count)"]
        })
        md += "### Matches by destination country\n\n"
        md += table(["destination", "matches"], r.byDestination.map { [$0.label, "\($0.count)"] })
        md += "### Matches by ISCO-08 major group\n\n"
        md += table(["group", "name", "matches"], r.byIscoMajorGroup.map { [$0.label, $0.name, "\($0.count)"] })
        md += "### Corridors: origin → destination\n\n"
        md += table(["origin", "destination", "matched", "share of matches"], r.corridors.map {
            [$0.origin, $0.destination, "\($0.matched)", ReportFormat.percent($0.matched, hl.matched)]
        })

        md += "## Ethical recruitment: what was refused, and why\n\n"
        md += table(["reason", "rows", "rule", "source", "sample subjects"], r.reasons.map { s in
            [s.reason, "\(s.count) (" + s.bySubject.map { "\($0.label) \($0.count)" }.joined(separator: ", ") + ")",
             s.rule, s.source, s.samples.joined(separator: ", ")]
        })

        md += "## \(AuditReport.moneyTitle)\n\n\(AuditReport.moneyNote)\n\n"
        md += table(AuditReport.fxColumns, r.fxRates.map { [$0.currency, $0.usdPerUnit] })
        md += table(AuditReport.minimumWageColumns, r.minimumWages.map { [$0.country, $0.monthlyAmount, $0.currency, $0.usd] })

        md += "## \(AuditReport.loadsTitle)\n\n\(AuditReport.loadsNote)\n\n"
        md += table(AuditReport.loadColumns, r.loads.map(\.cells))

        md += "## Fairness: match rate by gender and by origin country\n\n\(ReportFormat.fairnessMethod)\n\n"
        for t in r.fairness {
            md += "### By \(t.attribute == "gender" ? "gender" : "origin country")\n\n"
            md += table(["group", "eligible", "matched", "match rate", "impact ratio", "exact", ""], markup: [6], t.groups.map { g in
                [g.group, "\(g.eligible)", "\(g.matched)", ReportFormat.percent(g.matched, g.eligible),
                 ReportFormat.impact(g), ReportFormat.impactExact(g),
                 g.flagged ? "**below 0.8**" : g.best ? "best" : g.rated ? "" : "fewer than \(AuditReport.minimumGroupSize)"]
            })
        }

        md += "## Matches and why\n\n"
        md += "fit = (Σ weight × criterion) / Σ weights; weights "
        md += zip(AuditReport.criteria, r.weightTexts).map { "\($0) \($1)" }.joined(separator: ", ")
        md += "; a candidate needs fit ≥ \(r.minFit). Rank: the worker's own rank of the vacancy."
        md += r.matches.count > limit ? " The first \(limit) of \(r.matches.count) by worker id." : ""
        md += "\n\n"
        md += table(["worker", "origin", "vacancy", "destination", "ISCO", "fit", "rank"] + AuditReport.criteria
                    + ["essential skills lacking"] + AuditReport.wageColumns, r.matches.prefix(limit).map { m in
            [m.workerId, m.originCountry, m.vacancyId, m.destination, m.isco, ReportFormat.fit(m.fitMicro),
             "\(m.workerRank)"] + m.criteria + [m.missingEssentialSkills.map(\.text).joined(separator: ", ")] + m.wageCells
        })

        md += "## Unmatched workers and unfilled openings\n\n"
        for (title, items, unit, labels) in [
            ("Workers without a match", r.unmatchedWorkers, "workers", AuditReport.unmatchedWorkerReasons),
            ("Vacancies with unfilled openings", r.unfilledVacancies, "openings", AuditReport.unfilledVacancyReasons),
        ] {
            md += "### \(title)\n\n"
            md += AuditReport.reasonCounts(items, labels: labels, unit: unit) + ReportFormat.firstListed(items.count, limit: limit)
                + ". "
                + AuditReport.unmatchedNote + "\n\n"
            // A worker row is one worker: its "open" column (always 1) is the vacancies' alone.
            let openings = unit == "openings"
            md += table(["id"] + (openings ? ["open"] : []) + ["main reason", "detail"], items.prefix(limit).map {
                [$0.id] + (openings ? ["\($0.open)"] : []) + [$0.reason, $0.detail]
            })
        }

        if let c = r.comparison {
            md += "## Changes since run \(c.otherRunId)\n\n"
            md += "Run \(c.otherRunId) of \(c.otherRunDate), strategy \(c.otherStrategy), policy `\(c.otherPolicySHA256.prefix(12))`, "
            md += "input `\(c.otherInputSHA256.prefix(12))`. \(c.newMatches.count) new, \(c.lostMatches.count) lost, "
            md += "\(c.changedMatches.count) changed, \(c.unchanged) unchanged matches. "
            md += AuditReport.inputsSentence(c, current: r.header.inputSHA256) + "\n\n"
            if !c.policyChanges.isEmpty {
                md += "Policy changes:\n\n" + c.policyChanges.map { "- `\($0)`\n" }.joined() + "\n"
            }
            for (title, items) in [("New", c.newMatches), ("Lost", c.lostMatches), ("Changed", c.changedMatches)] {
                md += "### \(title) matches (\(items.count))\n\n"
                if items.count > limit { md += "The first \(limit) listed.\n\n" }
                md += table(["worker", "before", "now", "why"], items.prefix(limit).map {
                    [$0.workerId, $0.before ?? "", $0.after ?? "", $0.why]
                })
            }
        }
        md += "Recompute every table of this run with `labourmatch verify \(x.runId)`; export the rows it read, "
            + "as feed files that reproduce it offline, with `labourmatch export \(x.runId) --out DIR --inputs`.\n"
        return Array(md.utf8)
    }

    /// A Markdown table; an empty table says so. Cells are text (`text`), but for the columns
    /// in `markup`, written as Markdown by this renderer; `|` is escaped in every cell.
    static func table(_ header: [String], markup: Set<Int> = [], _ rows: [[String]]) -> String {
        if rows.isEmpty { return "(none)\n\n" }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { i, cell in
                (markup.contains(i) ? cell : text(cell)).replacingScalar("|", with: "\\|")
            }.joined(separator: " | ") + " |\n"
        }
        return line(header) + "|" + String(repeating: "---|", count: header.count) + "\n" + rows.map(line).joined() + "\n"
    }

    /// Text shown as written: outside code spans (this renderer's backticks; ids and codes hold
    /// none; a backtick with no closing one is escaped, not a code span's start), the characters Markdown would read as emphasis, links, HTML or strikethrough are
    /// backslash-escaped (`_W1_` would show as an italic W1, `x._y_.z` as x.*y*.z), and a line
    /// break becomes a space. An `_` between two letters or digits is left alone: it cannot
    /// open or close emphasis there (CommonMark 6.2), so `NO_CONSENT` stays readable.
    static func text(_ s: String) -> String {
        let chars = Array(s)
        var out = ""
        var inCode = false
        func wordy(_ i: Int) -> Bool { chars.indices.contains(i) && (chars[i].isLetter || chars[i].isNumber) }
        for (i, ch) in chars.enumerated() {
            switch ch {
            case "`" where inCode || chars[(i + 1)...].contains("`"): inCode.toggle()
            case "`": out.append("\\")   // unclosed: literal, and what follows stays escaped
            case "\n": out.append(" "); continue
            case "_": if !inCode && !(wordy(i - 1) && wordy(i + 1)) { out.append("\\") }
            case "\\", "*", "[", "]", "<", ">", "~": if !inCode { out.append("\\") }
            default: break
            }
            out.append(ch)
        }
        return out
    }
}

/// `report.csv`: the match table with the breakdown columns (criteria as decimals
/// with six places and exactly, `n/d`), one row per match, by worker id.
public enum ReportCSV {
    /// The header line's columns.
    public static let columns = ["worker_id", "origin_country", "vacancy_id", "destination_country", "isco", "fit",
                                 "worker_rank"] + AuditReport.criteria + AuditReport.criteria.map { $0 + "_exact" }
        + ["missing_essential_skills", "monthly_wage", "currency", "monthly_wage_usd"]

    /// The CSV bytes (LF line ends, RFC 4180 quoting where a cell needs it).
    public static func render(_ r: AuditReport) -> [UInt8] {
        var out = columns.joined(separator: ",") + "\n"
        for m in r.matches {
            let cells = [m.workerId, m.originCountry, m.vacancyId, m.destination, m.isco, ReportFormat.fit(m.fitMicro),
                         "\(m.workerRank)"] + m.criteria.map(ReportFormat.criterionDecimal) + m.criteria
                + [m.missingEssentialSkills.map { "\($0.code):\($0.has):\($0.needs)" }.joined(separator: ";")] + m.wageCells
            out += cells.map(RunInputs.csvField).joined(separator: ",") + "\n"
        }
        return Array(out.utf8)
    }
}
