/// `report.html`: one self-contained XHTML file (inline CSS, SVG charts drawn
/// here, no script, no network), readable on a laptop and printable on A4.
///
/// Every figure shows the counts it comes from. Elements that tests and scripts
/// read carry ids (`h-matched`, `reason-NO_CONSENT`, `fair-gender-F`, ...).
public enum ReportHTML {
    /// Rows shown per long table (matches, unmatched workers, unfilled vacancies); the CSV and JSON hold all.
    public static let listLimit = 1000

    /// The report as XHTML bytes; the same report gives the same bytes.
    public static func render(_ r: AuditReport) -> [UInt8] {
        var h = XHTML()
        let head = r.header
        h.raw("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        h.raw("<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        h.element("title", "LabourMatch audit report: run \(head.runId)")
        h.raw("\n<style>\n\(css)</style>\n</head>\n<body>\n")
        header(&h, r)
        headline(&h, r)
        charts(&h, r)
        ethics(&h, r)
        money(&h, r)
        loads(&h, r)
        fairness(&h, r)
        matches(&h, r)
        unmatched(&h, r)
        if let c = r.comparison { comparison(&h, c, r) }
        h.open("footer")
        h.element("p", "Recompute every table of this run from the row versions its snapshot recorded with "
                  + "`labourmatch verify \(head.runId)`; export its files, and the rows it read as feed files that reproduce it "
                  + "offline, with `labourmatch export \(head.runId) --out DIR --inputs`; "
                  + "the per-criterion breakdowns are in run_matches and run_top_candidates. Worker records are "
                  + "pseudonymous: this report names workers by id and shows only the profile fields the rules use.")
        h.close("footer")
        h.raw("</body>\n</html>\n")
        return Array(h.text.utf8)
    }

    // MARK: - Sections

    private static func header(_ h: inout XHTML, _ r: AuditReport) {
        let x = r.header
        h.open("header")
        h.element("h1", "Audit report: run \(x.runId)")
        h.element("p", "\(x.jobName) of \(x.runDate), scope \(x.scope), strategy \(x.strategy): \(x.status)", cls: "sub")
        h.open("table", cls: "kv")
        let rows: [(String, String, String?)] = [
            ("run id", "\(x.runId)", "run-id"), ("run date", x.runDate, "run-date"), ("scope", x.scope, nil),
            ("strategy", x.strategy, "run-strategy"), ("run of its instance", "\(x.number)", nil),
            ("status", x.status, nil), ("policy SHA-256", x.policySHA256, "run-policy"),
            ("input fingerprint (input_sha256)", x.inputSHA256, "run-input"), ("engine", x.engineVersion, "run-engine"),
            ("WHO list edition", x.whoListEdition, nil),
            ("iso-codes of the loads read", x.isoCodesVersions.joined(separator: ", "), "run-iso-codes"),
            ("created", x.createdAt, nil),
            ("finished", x.finishedAt ?? "", nil),
        ]
        for (k, v, id) in rows {
            h.open("tr"); h.element("th", k); h.element("td", v, cls: k.contains("SHA") || k.contains("input") ? "hash" : nil, id: id); h.close("tr")
        }
        h.close("table")
        h.element("h3", "Effective policy (canonical text; its SHA-256 is the policy SHA-256)")
        h.element("pre", x.policyText, cls: "policy")
        h.element("h3", "Steps")
        h.open("table", cls: "num")
        h.row(["execution", "step", "status", "duration (ms)", "rows read", "rows written", "attempts"], header: true)
        for s in r.steps {
            h.row(["\(s.executionId)", s.step, s.status, ReportFormat.ms(s.durationMs), ReportFormat.ms(s.rowsRead),
                   ReportFormat.ms(s.rowsWritten), "\(s.attempts)"])
        }
        h.close("table")
        h.element("p", ReportFormat.stepsNote, cls: "note")
        h.close("header")
        h.open("nav")
        h.raw("<p>")
        let links = [("headline", "Headline"), ("charts", "Charts"), ("ethics", "Ethical recruitment"),
                     ("money", "Money"), ("loads", "Loads"), ("fairness", "Fairness"), ("matches", "Matches"), ("unmatched", "Unmatched and unfilled")]
            + (r.comparison == nil ? [] : [("compare", "Changes")])
        h.raw(links.map { "<a href=\"#\($0.0)\">\(XHTML.escape($0.1))</a>" }.joined(separator: " · "))
        h.raw("</p>\n")
        h.close("nav")
    }

    private static func headline(_ h: inout XHTML, _ r: AuditReport) {
        let x = r.headline
        h.section("headline", "Headline figures")
        h.open("div", cls: "cards")
        let cards: [(String, String, String, String)] = [
            ("h-workers", "\(x.workers)", "workers taking part", "eligible \(x.eligibleWorkers)"),
            ("h-vacancies", "\(x.vacancies)", "vacancies taking part", "eligible \(x.eligibleVacancies)"),
            ("h-openings", "\(x.openings)", "openings", "eligible \(x.eligibleOpenings)"),
            ("h-candidates", "\(x.candidates)", "candidate pairs", AuditReport.candidateLabel(minFit: r.minFit)),
            ("h-matched", "\(x.matched)", "matched", ReportFormat.percent(x.matched, x.eligibleWorkers) + " of eligible workers"),
            ("h-unfilled-openings", "\(x.unfilledOpenings)", "unfilled openings", "of \(x.eligibleOpenings) eligible"),
            ("h-unmatched-workers", "\(x.unmatchedWorkers)", "unmatched workers", "of \(x.eligibleWorkers) eligible"),
            ("h-mean-fit", x.meanFitMicro.map(ReportFormat.fit) ?? "-", "mean fit",
             "\(ReportFormat.fit(x.fitSumMicro)) / \(x.matched) matches"),
        ]
        for (id, value, label, detail) in cards {
            h.open("div", cls: "card")
            h.element("div", value, cls: "value", id: id)
            h.element("div", label, cls: "label")
            h.element("div", detail, cls: "detail")
            h.close("div")
        }
        h.close("div")
        let warnings = x.warnings.map { w in
            "\(w.label) \(w.count)" + (r.warningNotes[w.label].map { " (\($0))" } ?? "")
        }.joined(separator: ", ")
        h.element("p", "Sum of the workers' ranks of their matches: \(x.workerRankSum). Warnings: "
                  + (warnings.isEmpty ? "none" : warnings) + ". These are the stored summary's figures (summary.json).",
                  cls: "note")
        h.element("p", ReportFormat.roundingNote(strategy: r.header.strategy), cls: "note")
        h.close("section")
    }

    private static func charts(_ h: inout XHTML, _ r: AuditReport) {
        h.section("charts", "Charts")
        h.open("div", cls: "grid")
        h.figure("Fit score distribution of the \(r.headline.matched) matches (\(ReportFormat.binsNote))",
                 SVGChart.histogram(r.fitDistribution, title: "Fit score distribution"))
        h.figure("Matches by destination country", SVGChart.bars(r.byDestination.map {
            SVGChart.Bar(label: $0.label, count: $0.count) }, title: "Matches by destination country"))
        h.figure("Matches by ISCO-08 major group of the vacancy", SVGChart.bars(r.byIscoMajorGroup.map {
            SVGChart.Bar(label: "\($0.label) \($0.name)", count: $0.count) }, title: "Matches by ISCO major group"))
        h.figure("Exclusions by reason (rows of exclusions.csv)", SVGChart.bars(r.exclusionsByReason.map {
            SVGChart.Bar(label: $0.label, count: $0.count, warn: true) }, title: "Exclusions by reason"))
        h.close("div")
        corridorMatrix(&h, r)
        h.close("section")
    }

    /// The corridors as a matrix: origins down, destinations across (busiest first), each
    /// cell the matches of that corridor, shaded by its count; totals at the ends.
    private static func corridorMatrix(_ h: inout XHTML, _ r: AuditReport) {
        h.element("h3", "Corridors: matches from each origin (rows) to each destination (columns)")
        if r.corridors.isEmpty { h.element("p", "No match."); return }
        var byOrigin: [String: Int] = [:], byDestination: [String: Int] = [:], cell: [String: Int] = [:]
        for c in r.corridors {
            byOrigin[c.origin, default: 0] += c.matched
            byDestination[c.destination, default: 0] += c.matched
            cell[c.origin + ">" + c.destination] = c.matched
        }
        func busiest(_ d: [String: Int]) -> [String] {
            d.sorted { $0.value != $1.value ? $0.value > $1.value : bytesLess($0.key, $1.key) }.map(\.key)
        }
        let origins = busiest(byOrigin), destinations = busiest(byDestination)
        let most = r.corridors.map(\.matched).max() ?? 1
        h.open("table", cls: "num matrix")
        h.row(["origin \\ destination"] + destinations + ["total"], header: true)
        for o in origins {
            h.open("tr", id: "corridor-\(o)")
            h.element("th", o)
            for d in destinations {
                let n = cell[o + ">" + d] ?? 0
                // Shade from 12 % to 100 % of the accent by the share of the busiest corridor.
                let alpha = n == 0 ? 0 : 12 + 88 * n / max(most, 1)
                let opacity = alpha >= 100 ? "1" : "0." + (alpha < 10 ? "0" : "") + String(alpha)
                let style = n == 0 ? "" : " style=\"background: rgba(47, 111, 159, \(opacity))\(alpha > 55 ? "; color: #fff" : "")\""
                h.raw("<td\(style)>\(n == 0 ? "" : String(n))</td>")
            }
            h.element("td", "\(byOrigin[o] ?? 0)", cls: "total")
            h.close("tr")
        }
        h.row(["total"] + destinations.map { "\(byDestination[$0] ?? 0)" } + ["\(r.headline.matched)"])
        h.close("table")
    }

    private static func ethics(_ h: inout XHTML, _ r: AuditReport) {
        h.section("ethics", "Ethical recruitment: what was refused, and why")
        h.element("p", "Each rule that fired, with its rows in exclusions.csv (a worker, a vacancy or a pair; "
                  + "a subject refused for several reasons counts once per reason), the rule, its source and the first "
                  + "subjects by id. Pair rules are checked only for pairs that would otherwise be candidates.")
        if r.reasons.isEmpty { h.element("p", "No exclusion in this run.") }
        h.open("table", cls: "reasons")
        h.raw("<colgroup><col class=\"c-reason\"/><col class=\"c-rows\"/><col/><col class=\"c-source\"/><col class=\"c-samples\"/></colgroup>\n")
        h.row(["reason", "rows", "rule", "source", "sample subjects"], header: true)
        for s in r.reasons {
            h.open("tr", id: "reason-\(s.reason)")
            h.element("td", s.reason, cls: "reason")
            h.element("td", "\(s.count) (" + s.bySubject.map { "\($0.label) \($0.count)" }.joined(separator: ", ") + ")",
                      cls: "count")
            h.element("td", s.rule)
            h.element("td", s.source, cls: "source")
            h.element("td", s.samples.joined(separator: ", "), cls: "samples")
            h.close("tr")
        }
        h.close("table")
        h.close("section")
    }

    private static func fairness(_ h: inout XHTML, _ r: AuditReport) {
        h.section("fairness", "Fairness: match rate by gender and by origin country")
        h.element("p", ReportFormat.fairnessMethod)
        h.open("div", cls: "grid")
        for t in r.fairness {
            h.open("div")
            h.element("h3", t.attribute == "gender" ? "By gender (F, M, X as declared)" : "By origin country")
            h.open("table", cls: "num fair")
            h.row(["group", "eligible", "matched", "match rate", "impact ratio", "exact", ""], header: true)
            for g in t.groups {
                h.open("tr", cls: g.flagged ? "flag" : (g.rated ? nil : "unrated"), id: "fair-\(t.attribute)-\(g.group)",
                       attributes: [("data-eligible", "\(g.eligible)"), ("data-matched", "\(g.matched)"),
                                    ("data-impact", ReportFormat.impactExact(g))])
                h.element("td", g.group)
                h.element("td", "\(g.eligible)"); h.element("td", "\(g.matched)")
                h.raw("<td class=\"barcell\"><span class=\"inbar\" style=\"width: \(g.eligible == 0 ? 0 : g.matched * 60 / g.eligible)px\"></span>"
                      + XHTML.escape(ReportFormat.percent(g.matched, g.eligible)) + "</td>")
                h.element("td", ReportFormat.impact(g), cls: "impact")
                h.element("td", ReportFormat.impactExact(g))
                h.element("td", g.flagged ? "below 0.8" : g.best ? "best" : g.rated ? "" : "fewer than \(AuditReport.minimumGroupSize)")
                h.close("tr")
            }
            h.close("table")
            h.close("div")
        }
        h.close("div")
        h.close("section")
    }

    private static func matches(_ h: inout XHTML, _ r: AuditReport) {
        h.section("matches", "Matches and why")
        let weights = zip(AuditReport.criteria, r.weightTexts).map { "\($0) \($1)" }.joined(separator: ", ")
        h.element("p", "fit = (Σ weight × criterion) / Σ weights, with the weights \(weights); a candidate needs fit ≥ "
                  + "\(r.minFit). Criteria are exact fractions (MATCHING.md section 3). Rank: the worker's own rank of the "
                  + "vacancy among its candidates (1 = its first choice)."
                  + (r.matches.count > listLimit ? " The first \(listLimit) of \(r.matches.count) matches by worker id; "
                     + "report.csv and report.json hold all." : ""))
        h.open("table", cls: "num matches")
        h.row(["worker", "origin", "vacancy", "destination", "ISCO", "fit", "rank"]
              + zip(AuditReport.criteria, r.weightTexts).map { "\($0) ×\($1)" } + ["essential skills lacking"]
              + AuditReport.wageColumns, header: true)
        for m in r.matches.prefix(listLimit) {
            h.row([m.workerId, m.originCountry, m.vacancyId, m.destination, m.isco, ReportFormat.fit(m.fitMicro),
                   "\(m.workerRank)"] + m.criteria.map(ReportFormat.criterion)
                  + [m.missingEssentialSkills.map(\.text).joined(separator: ", ")] + m.wageCells)
        }
        h.close("table")
        h.close("section")
    }

    /// The exchange rates and minimum wages the run read, for recomputing the wage rules and
    /// the workers' ranks by hand.
    private static func money(_ h: inout XHTML, _ r: AuditReport) {
        h.section("money", AuditReport.moneyTitle)
        h.element("p", AuditReport.moneyNote)
        h.open("table", cls: "num fx")
        h.row(AuditReport.fxColumns, header: true)
        for f in r.fxRates { h.row([f.currency, f.usdPerUnit]) }
        h.close("table")
        h.open("table", cls: "num minimum-wages")
        h.row(AuditReport.minimumWageColumns, header: true)
        for m in r.minimumWages { h.row([m.country, m.monthlyAmount, m.currency, m.usd]) }
        h.close("table")
        h.close("section")
    }

    /// The loads the run's rows came from, and its WHO list edition.
    private static func loads(_ h: inout XHTML, _ r: AuditReport) {
        h.section("loads", AuditReport.loadsTitle)
        h.element("p", AuditReport.loadsNote)
        h.open("table", cls: "loads")
        h.row(AuditReport.loadColumns, header: true)
        for l in r.loads {
            h.open("tr", id: l.kind == "who_list" ? "load-who-list" : "load-\(l.feedId.map(String.init) ?? "none-\(l.kind)")")
            for (i, cell) in l.cells.enumerated() { h.element("td", cell, cls: i == 4 ? "hash" : nil) }
            h.close("tr")
        }
        h.close("table")
        h.close("section")
    }

    private static func unmatched(_ h: inout XHTML, _ r: AuditReport) {
        h.section("unmatched", "Unmatched workers and unfilled openings")
        for (title, items, unit, id, labels) in [
            ("Workers without a match", r.unmatchedWorkers, "workers", "unmatched-workers", AuditReport.unmatchedWorkerReasons),
            ("Vacancies with unfilled openings", r.unfilledVacancies, "openings", "unfilled-vacancies",
             AuditReport.unfilledVacancyReasons),
        ] {
            h.element("h3", title)
            h.element("p", AuditReport.reasonCounts(items, labels: labels, unit: unit)
                      + ReportFormat.firstListed(items.count, limit: listLimit) + ". "
                      + AuditReport.unmatchedNote, id: id)
            h.open("table", cls: "unmatched")
            h.row(["id", unit == "openings" ? "open" : nil, "main reason", "detail"].compactMap { $0 }, header: true)
            for u in items.prefix(listLimit) {
                h.row([u.id, unit == "openings" ? "\(u.open)" : nil, u.reason, u.detail].compactMap { $0 })
            }
            h.close("table")
        }
        h.close("section")
    }

    private static func comparison(_ h: inout XHTML, _ c: AuditReport.Comparison, _ r: AuditReport) {
        h.section("compare", "Changes since run \(c.otherRunId)")
        h.element("p", "Run \(c.otherRunId) of \(c.otherRunDate), strategy \(c.otherStrategy), policy "
                  + "\(c.otherPolicySHA256.prefix(12)), input \(c.otherInputSHA256.prefix(12)); this run: strategy "
                  + "\(r.header.strategy), policy \(r.header.policySHA256.prefix(12)), input \(r.header.inputSHA256.prefix(12)). "
                  + "\(c.newMatches.count) new, \(c.lostMatches.count) lost, \(c.changedMatches.count) changed, "
                  + "\(c.unchanged) unchanged matches.", id: "compare-counts")
        h.element("p", AuditReport.inputsSentence(c, current: r.header.inputSHA256))
        if !c.policyChanges.isEmpty {
            h.element("p", "Policy changes: " + c.policyChanges.joined(separator: "; "))
        }
        for (title, items) in [("New matches", c.newMatches), ("Lost matches", c.lostMatches),
                               ("Changed matches", c.changedMatches)] {
            h.element("h3", "\(title) (\(items.count))")
            if items.count > listLimit { h.element("p", "The first \(listLimit) listed.") }
            h.open("table", cls: "changes")
            h.row(["worker", "before", "now", "why"], header: true)
            for m in items.prefix(listLimit) { h.row([m.workerId, m.before ?? "", m.after ?? "", m.why]) }
            h.close("table")
        }
        h.close("section")
    }

    static let css = """
        @page { size: A4; margin: 12mm; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2330;
               max-width: 1180px; margin: 0 auto; padding: 16px 24px 40px; background: #fff; }
        h1 { font-size: 26px; margin: 0 0 2px; }
        h2 { font-size: 19px; margin: 30px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #2f6f9f; }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        .sub { color: #4b5563; margin: 0 0 10px; }
        table { border-collapse: collapse; margin: 6px 0 10px; font-size: 12.5px; }
        th, td { border-bottom: 1px solid #dfe3ea; padding: 3px 8px; text-align: left; vertical-align: top; }
        th { background: #f1f4f8; font-weight: 600; }
        table.num td { font-variant-numeric: tabular-nums; }
        table.kv th { background: none; font-weight: 500; color: #4b5563; width: 240px; }
        .hash, .code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11.5px; word-break: break-all; }
        .source { font-size: 11.5px; color: #374151; }
        table.reasons { width: 100%; table-layout: fixed; }
        table.reasons col.c-reason { width: 17em; } table.reasons col.c-rows { width: 9.5em; }
        table.reasons col.c-source { width: 30%; } table.reasons col.c-samples { width: 15%; }
        td.reason { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; word-break: break-word; }
        table.matrix td, table.matrix th { text-align: center; padding: 2px 6px; min-width: 2.2em; }
        table.matrix td.total, table.matrix tr:last-child td { font-weight: 600; background: #f1f4f8; }
        nav p { background: #f1f4f8; padding: 6px 10px; border-radius: 4px; }
        nav a { color: #2f6f9f; text-decoration: none; }
        .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
        .card { border: 1px solid #dfe3ea; border-radius: 6px; padding: 8px 12px; }
        .card .value { font-size: 26px; font-weight: 650; color: #1f4f75; font-variant-numeric: tabular-nums; }
        .card .label { font-weight: 600; }
        .card .detail, .note { color: #4b5563; font-size: 12px; }
        .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 14px 28px; }
        figure { margin: 0; }
        figcaption { font-weight: 600; margin-bottom: 4px; font-size: 13px; }
        svg text { font: 11px "DejaVu Sans", system-ui, sans-serif; fill: #1d2330; }
        svg .bar { fill: #2f6f9f; }
        svg .warn { fill: #b4532a; }
        svg .axis { stroke: #9aa3af; stroke-width: 1; }
        svg .muted { fill: #6b7280; }
        .barcell { white-space: nowrap; }
        figure svg { max-width: 100%; height: auto; }
        td.samples { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; }
        table.fair { width: 100%; font-size: 12px; }
        table.fair td:last-child { white-space: nowrap; }
        .inbar { display: inline-block; height: 9px; background: #9cc0dc; margin-right: 6px; vertical-align: middle; }
        tr.flag td { background: #fdecea; }
        tr.flag td:last-child { color: #b42318; font-weight: 600; }
        tr.unrated td { color: #6b7280; }
        table.matches td, table.unmatched td, table.changes td { font-size: 11.5px; }
        pre { background: #f6f8fa; padding: 8px; font-size: 12px; }
        pre.policy { columns: 2; max-width: 760px; }
        footer { margin-top: 30px; color: #4b5563; font-size: 12px; border-top: 1px solid #dfe3ea; }
        @media screen and (max-width: 800px) { .cards { grid-template-columns: repeat(2, 1fr); } .grid { grid-template-columns: 1fr; } }
        @media print {
          body { font-size: 9.5pt; max-width: none; padding: 0; }
          nav { display: none; }
          h2 { break-after: avoid; }
          tr, figure, .card { break-inside: avoid; }
          thead { display: table-header-group; }
          .grid { grid-template-columns: 1fr 1fr; }
        }

        """
}

/// An XHTML text under construction: every text and attribute escaped, every element closed.
struct XHTML {
    private(set) var text = ""

    /// Text escaped for XML content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if c.value < 0x20 && c != "\t" && c != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    mutating func raw(_ s: String) { text += s }

    private static func attributes(cls: String?, id: String?, _ extra: [(String, String)]) -> String {
        var a = ""
        if let id { a += " id=\"\(escape(id))\"" }
        if let cls { a += " class=\"\(escape(cls))\"" }
        for (k, v) in extra { a += " \(k)=\"\(escape(v))\"" }
        return a
    }

    mutating func open(_ tag: String, cls: String? = nil, id: String? = nil, attributes extra: [(String, String)] = []) {
        text += "<\(tag)\(XHTML.attributes(cls: cls, id: id, extra))>"
        if ["table", "section", "div", "header", "footer", "nav", "details", "figure"].contains(tag) { text += "\n" }
    }

    mutating func close(_ tag: String) { text += "</\(tag)>\n" }

    mutating func element(_ tag: String, _ content: String, cls: String? = nil, id: String? = nil) {
        text += "<\(tag)\(XHTML.attributes(cls: cls, id: id, []))>\(XHTML.escape(content))</\(tag)>"
        if !["td", "th"].contains(tag) { text += "\n" }
    }

    mutating func row(_ cells: [String], header: Bool = false) {
        let tag = header ? "th" : "td"
        text += "<tr>" + cells.map { "<\(tag)>\(XHTML.escape($0))</\(tag)>" }.joined() + "</tr>\n"
    }

    mutating func section(_ id: String, _ title: String) {
        open("section", id: id)
        element("h2", title)
    }

    mutating func figure(_ caption: String, _ svg: String) {
        open("figure")
        element("figcaption", caption)
        raw(svg)
        close("figure")
    }
}
