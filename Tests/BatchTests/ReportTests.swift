import Batch
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Matching
import Postgres
import Testing
import TestSupport

/// `labourmatch report` and `explain` on the fixtures' run, against the real
/// server: the figures are checked against the stored rows with SQL written
/// here, not with the report's own code.
@Suite(.serialized) struct ReportTests {
    @Test func htmlReportIsWellFormedAndEqualsTheStoredRun() throws {
        let (fixture, runId) = try FixtureRun.withRun()
        defer { fixture.close() }
        let html = try fixture.report(runId, "html")
        let page = try XHTMLPage(html)

        // Headline figures: the stored summary's counts, and the mean fit recomputed from run_matches.
        let counts = try fixture.rows("""
            SELECT key, value FROM run_summaries, jsonb_each_text(summary->'counts') WHERE run_id = $1
            """, [PostgresValue(runId)])
        let summary = Dictionary(uniqueKeysWithValues: counts.map { ($0[0], $0[1]) })
        for (id, key) in [("h-workers", "workers"), ("h-vacancies", "vacancies"), ("h-openings", "openings"),
                          ("h-candidates", "candidates"), ("h-matched", "matched"),
                          ("h-unfilled-openings", "unfilled_openings"), ("h-unmatched-workers", "unmatched_workers")] {
            #expect(page.text[id] == summary[key], "\(id)")
            #expect(summary[key] != nil)
        }
        #expect(summary["matched"] == String(try fixture.count("SELECT count(*) FROM run_matches")))
        let meanFit = try fixture.rows("SELECT round(avg(fit_micro))::int FROM run_matches WHERE run_id = $1",
                                       [PostgresValue(runId)])[0][0]
        #expect(page.text["h-mean-fit"] == FitScore.text(micro: Int(meanFit)!))
        #expect(page.text["run-policy"] == (try fixture.rows("""
            SELECT policy_sha256 FROM runs JOIN job_instances USING (instance_id) WHERE run_id = $1
            """, [PostgresValue(runId)])[0][0]))

        // Every reason present appears with its count, its rule's source, and a name of the source's body.
        let reasons = try fixture.rows("""
            SELECT reason, count(*) FROM run_exclusions WHERE run_id = $1 GROUP BY reason
            """, [PostgresValue(runId)])
        #expect(reasons.count >= 5, "the fixtures exercise most rules")
        for row in reasons {
            let cells = page.cells["reason-\(row[0])"] ?? []
            #expect(cells.count == 5, "reason \(row[0]) has its row")
            guard cells.count == 5 else { continue }
            #expect(cells[1].hasPrefix(row[1] + " ("), "count of \(row[0])")
            // MATCHING.md's source, but for the WHO rule's, which names no edition (the spec's names 2023).
            let source = EthicalRules.all.first { $0.reason.rawValue == row[0] }?.source
            #expect(source != nil, "a rule of \(row[0])")
            #expect((cells[3] == source) == (row[0] != "WHO_SAFEGUARD_LIST"), "source of \(row[0]): \(cells[3])")
            #expect(["IRIS", "ILO", "WHO", "operator decision", "statutory", "wage rules"].contains { cells[3].contains($0) })
            // The WHO rule names the edition this run used.
            #expect(cells[2].contains("(this run: WHO list edition") == (row[0] == "WHO_SAFEGUARD_LIST"), "\(cells[2])")
        }

        // Impact ratios recomputed from the stored matches and the snapshot's worker versions.
        for (attribute, column) in [("gender", "coalesce(w.gender, 'not stated')"), ("origin_country", "w.origin_country")] {
            let groups = try fixture.rows("""
                SELECT \(column), count(*), count(m.worker_id)
                FROM run_participants p
                JOIN run_snapshot s ON s.run_id = p.run_id AND s.kind = 'worker' AND s.key = p.id
                JOIN worker_versions w ON w.worker_id = s.key AND w.version = s.version
                LEFT JOIN run_matches m ON m.run_id = p.run_id AND m.worker_id = p.id
                WHERE p.run_id = $1 AND p.subject = 'worker' AND p.eligible
                GROUP BY 1
                """, [PostgresValue(runId)]).map { (group: $0[0], eligible: Double($0[1])!, matched: Double($0[2])!) }
            #expect(groups.count >= 2)
            let best = groups.filter { $0.eligible >= 5 }.map { $0.matched / $0.eligible }.max() ?? 0
            for g in groups {
                let id = "fair-\(attribute)-\(g.group)"
                let attrs = page.attributes[id] ?? [:]
                #expect(attrs["data-eligible"] == String(Int(g.eligible)), "\(id)")
                #expect(attrs["data-matched"] == String(Int(g.matched)), "\(id)")
                guard g.eligible >= 5, best > 0 else {
                    #expect(attrs["data-impact"] == "", "\(id) is not rated")
                    continue
                }
                let ratio = (g.matched / g.eligible) / best
                let exact = (attrs["data-impact"] ?? "").split(separator: "/").compactMap { Double($0) }
                let shown = exact.count == 2 ? exact[0] / exact[1] : exact.first ?? -1
                #expect(abs(shown - ratio) < 1e-12, "\(id): \(attrs["data-impact"] ?? "") vs \(ratio)")
                #expect((attrs["class"] == "flag") == (ratio < 0.8), "\(id) flagged below 0.8")
                // Truncated to three decimals: a flagged ratio never reads 0.800.
                let truncated = Double(page.cells[id]?[4] ?? "") ?? -1
                #expect(truncated <= ratio + 1e-12 && ratio - truncated < 0.001, "\(id) shows \(truncated) for \(ratio)")
                #expect(ratio >= 0.8 || truncated < 0.8, "\(id) flagged, shown \(truncated)")
            }
        }
        #expect(html.contains("never inputs of the fit score"))
        #expect(page.cells["reason-WHO_SAFEGUARD_LIST"]?[2]
            .hasSuffix("(this run: WHO list edition 2023; health_isco_prefixes 22,32)") == true)
        // How the figures are rounded, for recomputing them (a stable run: no word of optimal's ties).
        #expect(html.contains("percentages (match rates, shares) are rounded half up to one decimal"))
        #expect(!html.contains("the engine's choice"))
        #expect(html.contains("the candidates step's rows read are the pairs the engine scored"))
        // The source names the list, not an edition: another edition's run must not cite 2023's.
        #expect(page.cells["reason-WHO_SAFEGUARD_LIST"]?[3].hasSuffix("Health Workforce Support and Safeguards List") == true,
                "\(page.cells["reason-WHO_SAFEGUARD_LIST"] ?? [])")

        // Deterministic: a second render, written to a file, is byte-identical; the run's own
        // report.html is well-formed too.
        let file = fixture.dir.appendingPathComponent("reports/audit.html")
        let written = try fixture.command(["report", String(runId), "--out", file.path])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try contents(file) == html)
        _ = try XHTMLPage(try contents(fixture.dir.appendingPathComponent("run/report.html")))

        // An --out that cannot be written is bad usage (2), said in words, before any work
        // (it was status 1 with `NSCocoaErrorDomain error 512`).
        let intoADirectory = try fixture.command(["report", String(runId), "--out", fixture.dir.path])
        #expect(intoADirectory.status == 2 && intoADirectory.stderr.contains("is a directory"), "\(intoADirectory.stderr)")
        let underAFile = try fixture.command(["report", String(runId), "--out", file.path + "/x.html"])
        #expect(underAFile.status == 2 && underAFile.stderr.contains("audit.html exists and is not a directory"), "\(underAFile.stderr)")
        // A symbolic link is refused, not replaced by the rename (`/dev/stdout` as root was
        // replaced by a regular file): the link and its target stay as they were.
        let target = fixture.dir.appendingPathComponent("target.txt")
        try Data("keep\n".utf8).write(to: target)
        let link = fixture.dir.appendingPathComponent("link.html")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        let throughALink = try fixture.command(["report", String(runId), "--out", link.path])
        #expect(throughALink.status == 2 && throughALink.stderr.contains("is a symbolic link or not a regular file"),
                "\(throughALink.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try contents(target) == "keep\n")
        // `..` after a link to a directory is where the system takes it: the check and the
        // write see the same file (the write tidied `lc/..` away as text, and replaced the link
        // `zz.md` the check never looked at). `dir/.` names no file.
        try FileManager.default.createDirectory(at: fixture.dir.appendingPathComponent("a/b/c"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.dir.appendingPathComponent("lc").path,
                                                   withDestinationPath: fixture.dir.appendingPathComponent("a/b/c").path)
        let lexical = fixture.dir.appendingPathComponent("zz.md")
        try FileManager.default.createSymbolicLink(atPath: lexical.path, withDestinationPath: target.path)
        let afterALink = try fixture.command(["report", String(runId), "--format", "md",
                                              "--out", fixture.dir.appendingPathComponent("lc").path + "/../zz.md"])
        #expect(afterALink.status == 0, "\(afterALink.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: lexical.path) == target.path)
        #expect(try contents(fixture.dir.appendingPathComponent("a/b/zz.md")).hasPrefix("# Audit report"))
        // Without --format, the format of --out's extension; a --format that contradicts it is written, with a warning.
        let byName = try fixture.command(["report", String(runId), "--out", fixture.dir.appendingPathComponent("named.md").path])
        #expect(byName.status == 0 && !byName.stderr.contains("warning"), "\(byName.stderr)")
        #expect(try contents(fixture.dir.appendingPathComponent("named.md")).hasPrefix("# Audit report"))
        let contradicted = try fixture.command(["report", String(runId), "--format", "html",
                                                "--out", fixture.dir.appendingPathComponent("named.json").path])
        #expect(contradicted.status == 0 && contradicted.stderr.contains("names a .json file, but --format html writes html"),
                "\(contradicted.stderr)")
        // The csv report is the match table alone: a --compare there is refused, not dropped.
        let csvCompare = try fixture.command(["report", String(runId), "--out", fixture.dir.appendingPathComponent("m.csv").path,
                                              "--compare", String(runId)])
        #expect(csvCompare.status == 2 && csvCompare.stderr.contains("--compare is not part of the csv report"), "\(csvCompare.stderr)")
        let dot = try fixture.command(["report", String(runId), "--out", fixture.dir.appendingPathComponent("newdir").path + "/."])
        #expect(dot.status == 2 && dot.stderr.contains("give a file name"), "\(dot.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("newdir").path))
        // Standard output that cannot be written (a full disk): a sentence and exit 1, not a trap.
        let full = Process()
        full.executableURL = URL(fileURLWithPath: "/bin/sh")
        full.arguments = ["-c", "exec \"$0\" report \(runId) --format md --out - --database-url \"$1\" > /dev/full",
                          labourmatchBinary.path, fixture.database.conninfo]
        let errors = PipeReading.pipe()
        full.standardError = errors
        try full.run()
        let said = String(decoding: PipeReading.all(of: errors.fileHandleForReading), as: UTF8.self)
        full.waitUntilExit()
        #expect(full.terminationReason == .exit && full.terminationStatus == 1, "\(said)")
        #expect(said.contains("cannot write the report to standard output (No space left on device)"), "\(said)")
        let exportOverAFile = try fixture.command(["export", String(runId), "--out", file.path])
        #expect(exportOverAFile.status == 2 && exportOverAFile.stderr.contains("exists and is not a directory"),
                "\(exportOverAFile.stderr)")
    }

    @Test func jsonMarkdownAndCSVCarryTheSameFigures() throws {
        let (fixture, runId) = try FixtureRun.withRun()
        defer { fixture.close() }
        let json = try fixture.report(runId, "json")
        #expect(json.hasPrefix("{\n  \"report_version\": 2,\n  \"run\": {\n    \"run_id\": \(runId),"))
        #expect(try fixture.report(runId, "json") == json, "deterministic")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let headline = try #require(object["headline"] as? [String: Any])
        let stored = try fixture.rows("SELECT (summary->'counts'->>'matched'), (summary->'counts'->>'unfilled_openings'), "
                                      + "(summary->'counts'->>'unmatched_workers') FROM run_summaries WHERE run_id = $1",
                                      [PostgresValue(runId)])[0]
        #expect("\(headline["matched"] ?? "")" == stored[0])
        // Every headline figure is the stored summary's: the counts, the sums and the warnings.
        let summary = try fixture.rows("""
            SELECT key, value FROM run_summaries, jsonb_each_text(summary->'counts') WHERE run_id = $1
            UNION ALL SELECT key, value FROM run_summaries, jsonb_each_text(summary - 'counts' - 'warnings' - 'exclusions')
                WHERE run_id = $1 AND key IN ('fit_sum', 'worker_rank_sum')
            """, [PostgresValue(runId)])
        #expect(summary.count == 12)
        for row in summary { #expect("\(headline[row[0]] ?? "")" == row[1], "\(row[0])") }
        let warnings = try fixture.rows("""
            SELECT key, value FROM run_summaries, jsonb_each_text(summary->'warnings') WHERE run_id = $1 ORDER BY key COLLATE "C"
            """, [PostgresValue(runId)])
        #expect(!warnings.isEmpty, "the fixtures raise a warning")
        let shown = try #require(headline["warnings"] as? [String: Any])
        #expect(shown.count == warnings.count)
        for row in warnings { #expect("\(shown[row[0]] ?? "")" == row[1], "warning \(row[0])") }
        // The listed unfilled openings and unmatched workers (not excluded) add up to the summary's counts.
        let unfilled = try #require(object["unfilled_vacancies"] as? [[String: Any]])
        #expect(String(unfilled.filter { $0["reason"] as? String != "excluded" }.map { $0["open"] as! Int }.reduce(0, +))
                == stored[1])
        let unmatched = try #require(object["unmatched_workers"] as? [[String: Any]])
        #expect(String(unmatched.filter { $0["reason"] as? String != "excluded" }.count) == stored[2])
        let matches = try #require(object["matches"] as? [[String: Any]])
        #expect(matches.count == Int(stored[0]))

        let csv = try fixture.report(runId, "csv").split(separator: "\n").map(String.init)
        #expect(csv.first == "worker_id,origin_country,vacancy_id,destination_country,isco,fit,worker_rank,occupation,skills,"
                + "experience,languages,education,occupation_exact,skills_exact,experience_exact,languages_exact,"
                + "education_exact,missing_essential_skills,monthly_wage,currency,monthly_wage_usd")
        #expect(csv.count - 1 == Int(stored[0]))
        // Each CSV row's fit and exact criteria are the stored ones.
        let first = try fixture.rows("""
            SELECT worker_id, vacancy_id, fit_micro, occupation, skills, experience, languages, education
            FROM run_matches WHERE run_id = $1 ORDER BY worker_id COLLATE "C" LIMIT 1
            """, [PostgresValue(runId)])[0]
        let row = csv[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(row[0] == first[0] && row[2] == first[1] && row[5] == FitScore.text(micro: Int(first[2])!))
        #expect(Array(row[12...16]) == Array(first[3...7]))

        let md = try fixture.report(runId, "md")
        for reason in try fixture.rows("SELECT DISTINCT reason FROM run_exclusions").map({ $0[0] }) {
            #expect(md.contains("| \(reason) |"), "\(reason) in Markdown")
        }
        #expect(!md.contains("<svg"))
    }

    @Test func explainAMatchAnExcludedPairAndAnOutrankedCandidate() throws {
        let (fixture, runId) = try FixtureRun.withRun()
        defer { fixture.close() }
        let run = String(runId)

        let match = try fixture.rows("SELECT worker_id, vacancy_id, fit_micro, worker_rank FROM run_matches LIMIT 1")[0]
        let matched = try fixture.command(["explain", run, "--worker", match[0]])
        #expect(matched.status == 0, "\(matched.stderr)")
        #expect(matched.stdout.contains("matched: \(match[1])"))
        #expect(matched.stdout.contains("fit \(FitScore.text(micro: Int(match[2])!)), the worker's rank \(match[3])"))
        for criterion in ["occupation", "skills", "experience", "languages", "education", "essential skills lacking"] {
            #expect(matched.stdout.contains(criterion))
        }

        let pair = try fixture.rows("SELECT worker_id, vacancy_id, reason FROM run_exclusions WHERE subject = 'pair' LIMIT 1")[0]
        let refused = try fixture.command(["explain", run, "--worker", pair[0], "--vacancy", pair[1]])
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(refused.stdout.contains("why not \(pair[1]): pair excluded: \(pair[2])"), "\(refused.stdout)")

        // A vacancy outside the run says why: expired (it is in the snapshot), or not there at all.
        let expired = try fixture.command(["explain", run, "--worker", match[0], "--vacancy", "V051"])
        #expect(expired.stdout.contains("did not take part in run \(run) (it expired on 2026-10-31, before the run date 2026-11-29)"),
                "\(expired.stdout)\(expired.stderr)")
        let expiredAlone = try fixture.command(["explain", run, "--vacancy", "V051"])
        #expect(expiredAlone.status == 0 && expiredAlone.stdout.contains(
            ": did not take part: it expired on 2026-10-31, before the run date 2026-11-29 (MATCHING.md section 1)"),
                "\(expiredAlone.stdout)\(expiredAlone.stderr)")

        // Stored candidates that were not matched (stable): either the worker got a vacancy it ranks
        // higher, or the vacancy's openings went to workers of higher fit.
        let preferred = try fixture.rows("""
            SELECT t.worker_id, t.vacancy_id, m.vacancy_id FROM run_top_candidates t
            JOIN run_matches m ON m.run_id = t.run_id AND m.worker_id = t.worker_id
            WHERE NOT t.matched AND m.worker_rank < t.worker_rank ORDER BY t.worker_id, t.position LIMIT 1
            """)[0]
        let outranked = try fixture.command(["explain", run, "--worker", preferred[0], "--vacancy", preferred[1]])
        #expect(outranked.status == 0, "\(outranked.stderr)")
        #expect(outranked.stdout.contains("why not \(preferred[1]): candidate (fit"), "\(outranked.stdout)")
        #expect(outranked.stdout.contains("outranked: the worker got \(preferred[2]), which it ranks higher (its rank"),
                "\(outranked.stdout)")
        let full = try fixture.rows("""
            SELECT t.worker_id, t.vacancy_id, t.fit_micro FROM run_top_candidates t
            LEFT JOIN run_matches m ON m.run_id = t.run_id AND m.worker_id = t.worker_id
            WHERE NOT t.matched AND (m.worker_id IS NULL OR m.worker_rank > t.worker_rank)
            ORDER BY t.worker_id, t.position LIMIT 1
            """)[0]
        // The vacancy's lowest held fit is at least this worker's (it ranks by fit).
        let lowest = try fixture.rows("SELECT min(fit_micro) FROM run_matches WHERE vacancy_id = $1",
                                      [PostgresValue(full[1])])[0][0]
        #expect(Int(lowest)! >= Int(full[2])!)
        let vacancyFull = try fixture.command(["explain", run, "--worker", full[0], "--vacancy", full[1]])
        #expect(vacancyFull.stdout.contains("went to workers it ranks higher (fit \(FitScore.text(micro: Int(lowest)!)) or more)"),
                "\(vacancyFull.stdout)")

        let worker = try fixture.rows("SELECT worker_id, reason FROM run_exclusions WHERE subject = 'worker' LIMIT 1")[0]
        let excluded = try fixture.command(["explain", run, "--worker", worker[0]])
        #expect(excluded.stdout.contains("excluded: \(worker[1])"), "\(excluded.stdout)")
        #expect(excluded.stdout.contains("    read: "), "what the rule read: \(excluded.stdout)")

        // An eligible worker without a candidate: every vacancy that took part is counted at the
        // first condition of MATCHING.md section 4 it fails (it said only "no candidate vacancy").
        let taking = try fixture.count("SELECT count(*) FROM run_participants WHERE run_id = $1 AND subject = 'vacancy'",
                                       [PostgresValue(runId)])
        let lonely = try fixture.rows("""
            SELECT id FROM run_participants WHERE run_id = $1 AND subject = 'worker' AND eligible AND candidates = 0 ORDER BY id
            """, [PostgresValue(runId)]).map { $0[0] }
        #expect(lonely.count >= 3)
        var sawConditions = false
        for id in lonely {
            let none = try fixture.command(["explain", run, "--worker", id])
            #expect(none.stdout.contains("why no candidate: of the \(taking) vacancies that took part"), "\(none.stdout)")
            let counted = none.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.dropFirst(2).first?.isNumber == true }
                .map { Int($0.dropFirst(2).prefix { $0.isNumber })! }
            #expect(counted.reduce(0, +) == taking, "\(id): \(none.stdout)")
            sawConditions = sawConditions || none.stdout.contains("break the worker's own conditions:")
        }
        #expect(sawConditions, "a fixture worker fits a vacancy it does not want")
        // Each pair refused by a pair rule, with what the rule read of it.
        let refusals = try fixture.rows("""
            SELECT worker_id, vacancy_id FROM run_exclusions WHERE run_id = $1 AND subject = 'pair' AND worker_id =
                (SELECT worker_id FROM run_exclusions WHERE run_id = $1 AND subject = 'pair'
                 GROUP BY worker_id ORDER BY count(*) DESC, worker_id LIMIT 1)
            """, [PostgresValue(runId)])
        let many = try fixture.command(["explain", run, "--worker", refusals[0][0]])
        for r in refusals { #expect(many.stdout.contains("\n    \(r[1]) read: "), "\(r[1]): \(many.stdout)") }

        for empty in [["--worker", ""], ["--worker", "W0001", "--vacancy", ""]] {
            let refused = try fixture.command(["explain", run] + empty)
            #expect(refused.status == 2 && refused.stderr.contains("is empty"), "\(refused.stderr)")
        }
        let unknown = try fixture.command(["explain", run, "--worker", "NO-SUCH-WORKER"])
        #expect(unknown.status == 2)
        let unknownVacancy = try fixture.command(["explain", run, "--worker", worker[0], "--vacancy", "NO-SUCH-VACANCY"])
        #expect(unknownVacancy.status == 2 && unknownVacancy.stderr.contains("vacancy NO-SUCH-VACANCY is not in run"),
                "\(unknownVacancy.stderr)")
        // An id may begin with '-': given as --worker=-W1, it is the option's value.
        let dashed = try fixture.command(["explain", run, "--worker=-W1", "--vacancy=-V1"])
        #expect(dashed.status == 2 && dashed.stderr.contains("worker -W1 is not in run"), "\(dashed.stderr)")

        // A version row removed after the run (only with the guards off) is said to be gone, with
        // status 1 (the database changed, not the caller's input), not "not in the snapshot".
        let db = try fixture.database.connect()
        defer { db.close() }
        let before = try fixture.command(["explain", run, "--worker", lonely[0]])
        #expect(!before.stdout.contains("without a version"), "\(before.stdout)")
        try db.execute("SET session_replication_role = replica")
        try db.execute("""
            DELETE FROM vacancy_versions v USING run_snapshot s
            WHERE s.run_id = $1 AND s.kind = 'vacancy' AND s.key = $2 AND v.version = s.version
              AND v.vacancy_id = s.key
            """, params: [PostgresValue(runId), PostgresValue(match[1])])
        try db.execute("""
            DELETE FROM worker_versions v USING run_snapshot s
            WHERE s.run_id = $1 AND s.kind = 'worker' AND s.key = $2 AND v.version = s.version AND v.worker_id = s.key
            """, params: [PostgresValue(runId), PostgresValue(match[0])])
        try db.execute("RESET session_replication_role")
        let goneVacancy = try fixture.command(["explain", run, "--worker", pair[0], "--vacancy", match[1]])
        #expect(goneVacancy.status == 1 && goneVacancy.stderr.contains(
            "vacancy \(match[1]) took part in run \(run), but the row version its snapshot recorded is no longer in the database"),
            "\(goneVacancy.stderr)")
        let goneWorker = try fixture.command(["explain", run, "--worker", match[0]])
        #expect(goneWorker.status == 1 && goneWorker.stderr.contains("worker \(match[0]) took part in run \(run), but"),
                "\(goneWorker.stderr)")
        // The tally of a worker without a candidate counts the vacancy as one without a version,
        // and the explanation ends with status 1 naming it (it said 0, a review, session 21).
        let after = try fixture.command(["explain", run, "--worker", lonely[0]])
        #expect(after.status == 1 && after.stdout.contains("  1 without a version in the snapshot's tables")
                && after.stderr.contains("the version row of vacancy \(match[1]), which run \(run) read, is no longer"),
                "\(after.stdout)\(after.stderr)")
        // Bad input still comes first: a gone worker with an unknown vacancy is status 2.
        let both = try fixture.command(["explain", run, "--worker", match[0], "--vacancy", "NO-SUCH-VACANCY"])
        #expect(both.status == 2 && both.stderr.contains("vacancy NO-SUCH-VACANCY is not in run"), "\(both.stderr)")
        // Another worker whose explanation names the gone vacancy (a stored candidate, or its match):
        // printed as far as it can be, then status 1 naming it, never "essential skills lacking: none".
        let others: [[String]] = try fixture.rows("""
            SELECT worker_id FROM run_top_candidates WHERE run_id = $1 AND vacancy_id = $2 AND worker_id <> $3
            ORDER BY worker_id LIMIT 1
            """, [PostgresValue(runId), PostgresValue(match[1]), PostgresValue(match[0])])
        #expect(!others.isEmpty, "another worker has \(match[1]) among its stored candidates")
        if let someone: String = others.first?[0] {
            let told = try fixture.command(["explain", run, "--worker", someone])
            #expect(told.status == 1 && told.stdout.contains("worker \(someone) ")
                    && told.stderr.contains("the version row of vacancy \(match[1]), which run \(run) read, is no longer in the database"),
                    "\(told.stdout)\(told.stderr)")
            let matchedThere = try fixture.count("SELECT count(*) FROM run_matches WHERE run_id = $1 AND worker_id = $2 AND vacancy_id = $3",
                                                 [PostgresValue(runId), PostgresValue(someone), PostgresValue(match[1])])
            if matchedThere == 1 {
                #expect(told.stdout.contains("essential skills lacking: unknown: its version row is no longer in the database"))
            } else {
                #expect(told.stdout.contains(" \(match[1]) fit ") && told.stdout.contains(
                    "vacancy \(match[1]) took part in run \(run), but its version row is no longer in the database"),
                    "not 'did not take part': \(told.stdout)")
            }
        }
        // A pair refused by a pair rule whose vacancy is gone says so in place of what the rule read.
        try db.execute("SET session_replication_role = replica")
        try db.execute("""
            DELETE FROM vacancy_versions v USING run_snapshot s
            WHERE s.run_id = $1 AND s.kind = 'vacancy' AND s.key = $2 AND v.version = s.version AND v.vacancy_id = s.key
            """, params: [PostgresValue(runId), PostgresValue(pair[1])])
        try db.execute("RESET session_replication_role")
        if pair[0] != match[0] {
            let refusedGone = try fixture.command(["explain", run, "--worker", pair[0]])
            #expect(refusedGone.status == 1 && refusedGone.stdout.contains(
                "\n    \(pair[1]): its version row is no longer in the database (removed after the run)"),
                "\(refusedGone.stdout)\(refusedGone.stderr)")
        }
        // A vacancy in the snapshot that did not take part (expired), its version gone: status 1,
        // not "not in the snapshot" with status 2.
        try db.execute("SET session_replication_role = replica")
        try db.execute("""
            DELETE FROM vacancy_versions v USING run_snapshot s
            WHERE s.run_id = $1 AND s.kind = 'vacancy' AND s.key = 'V051' AND v.version = s.version AND v.vacancy_id = s.key
            """, params: [PostgresValue(runId)])
        try db.execute("RESET session_replication_role")
        for arguments in [["--vacancy", "V051"], ["--worker", worker[0], "--vacancy", "V051"]] {
            let expiredGone = try fixture.command(["explain", run] + arguments)
            #expect(expiredGone.status == 1 && expiredGone.stderr.contains("vacancy V051 is in run \(run)'s snapshot (it did not "
                                                                            + "take part), but the row version"),
                    "\(arguments): \(expiredGone.stdout)\(expiredGone.stderr)")
        }
        // A recruiter rule's recruiter gone: what the rule read says so and names the row, and the
        // explanation ends with status 1 (the line was dropped, status 0).
        let byRecruiter = try fixture.rows("""
            SELECT e.vacancy_id, e.reason, s.key, s.version FROM run_exclusions e
            JOIN run_snapshot sv ON sv.run_id = e.run_id AND sv.kind = 'vacancy' AND sv.key = e.vacancy_id
            JOIN vacancy_versions v ON v.vacancy_id = sv.key AND v.version = sv.version
            JOIN run_snapshot s ON s.run_id = e.run_id AND s.kind = 'recruiter' AND s.key = v.recruiter_id
            WHERE e.run_id = $1 AND e.subject = 'vacancy' AND e.reason LIKE 'RECRUITER%'
            ORDER BY e.vacancy_id, e.reason LIMIT 1
            """, [PostgresValue(runId)])
        #expect(byRecruiter.count == 1, "the fixtures' run excludes a vacancy by its recruiter")
        if let row = byRecruiter.first {
            let intact = try fixture.command(["explain", run, "--vacancy", row[0]])
            #expect(intact.status == 0 && intact.stdout.contains("excluded: \(row[1])") && intact.stdout.contains("read: recruiter \(row[2])"),
                    "\(intact.stdout)\(intact.stderr)")
            try db.execute("SET session_replication_role = replica")
            try db.execute("DELETE FROM recruiter_versions WHERE recruiter_id = $1 AND version = $2",
                           params: [PostgresValue(row[2]), PostgresValue(Int64(row[3])!)])
            try db.execute("RESET session_replication_role")
            let untold = try fixture.command(["explain", run, "--vacancy", row[0]])
            #expect(untold.status == 1 && untold.stdout.contains("excluded: \(row[1])")
                    && untold.stdout.contains("read: cannot be shown: the version row of recruiter \(row[2]) version \(row[3]), "
                                              + "which the run read, is no longer in the database")
                    && untold.stderr.contains("the version row of recruiter \(row[2]) version \(row[3]) that run \(run)'s rules "
                                              + "read is no longer in the database"), "\(untold.stdout)\(untold.stderr)")
        }
        // A rule whose evidence tells what is absent: V033's FX_RATE_MISSING (no KWD rate, KW's
        // minimum wage in KWD) with KW's minimum wage gone read "no usd_per_unit for the wage's
        // currency KWD" as if complete, exit 0. Only the rows the rule reads are named.
        let kw = try fixture.rows("SELECT version FROM run_snapshot WHERE run_id = $1 AND kind = 'minimum_wage' AND key = 'KW'",
                                  [PostgresValue(runId)])
        #expect(kw.count == 1)
        // A worker excluded by its own fields alone: nothing of it is gone.
        let own = try fixture.rows("""
            SELECT worker_id FROM run_exclusions WHERE run_id = $1 AND subject = 'worker' GROUP BY worker_id
            HAVING bool_and(reason IN ('NO_CONSENT', 'UNDERAGE')) ORDER BY worker_id LIMIT 1
            """, [PostgresValue(runId)])
        #expect(own.count == 1)
        let ownWorker = own.first?[0] ?? "-"
        #expect(try fixture.command(["explain", run, "--worker", ownWorker]).status == 0)
        try db.execute("SET session_replication_role = replica")
        try db.execute("DELETE FROM minimum_wage_versions WHERE country = 'KW' AND version = $1", params: [PostgresValue(Int64(kw[0][0])!)])
        try db.execute("RESET session_replication_role")
        // An eligible worker's explanation converts wages with the rates and minimum wages of the
        // vacancies it reads (the no-candidate tally: all that took part, V033 at KW among them),
        // so a gone one ends it with status 1, named with the gone vacancy; an excluded worker's
        // says nothing of wages (status 0).
        #expect(try fixture.command(["explain", run, "--worker", ownWorker]).status == 0)
        let withoutKW = try fixture.command(["explain", run, "--worker", lonely[0]])
        #expect(withoutKW.status == 1 && withoutKW.stderr.contains("vacancy \(match[1])")
                && withoutKW.stderr.contains("above is incomplete; and the version row of minimum_wage KW version \(kw[0][0]), which run "
                                             + "\(run) read, is no longer in the database (removed after the run): what is said above of "
                                             + "wages"), "\(withoutKW.stderr)")
        let fx = try fixture.command(["explain", run, "--vacancy", "V033"])
        #expect(fx.status == 1 && fx.stdout.contains("excluded: FX_RATE_MISSING")
                && fx.stdout.contains("\n    read: cannot be shown: the version row of minimum_wage KW version \(kw[0][0]), which the "
                                      + "run read, is no longer in the database (removed after the run)\n")
                && !fx.stdout.contains("no usd_per_unit"), "\(fx.stdout)\(fx.stderr)")
    }

    /// `explain` reads only the rows about its worker and vacancies (by the indexes), and
    /// says exactly what it says from the whole run: for every worker of the fixtures' run,
    /// alone and with a vacancy (its match, a refused pair, another vacancy, an unknown id).
    @Test func explainFromTheRowsItNeedsEqualsExplainFromTheWholeRun() throws { try FixtureRun.withWholeRun { fixture, db, runId, full in
        let run = Int64(runId)
        let vacancies = full.input.vacancies.map(\.id)
        #expect(full.input.workers.count >= 100 && vacancies.count >= 20)
        var compared = 0
        for (i, worker) in full.input.workers.map(\.id).enumerated() {
            let match = full.results.matches.first { $0.workerId == worker }?.vacancyId
            let refused = full.results.exclusions.first { $0.subject == .pair && $0.workerId == worker }?.vacancyId
            let vacancy: String? = [nil, match ?? refused, vacancies[i % vacancies.count], "NO-SUCH-VACANCY"][i % 4]
            let focused = try RunData.load(db, runId: run, worker: worker, vacancy: vacancy)
            #expect(focused.input.workers.map(\.id) == [worker])
            // Its match, five stored candidates, its pairs refused by a pair rule, V; or, for an
            // eligible worker without a candidate, every vacancy that took part (why none is one).
            let p = full.results.participants.first { $0.subject == "worker" && $0.id == worker }
            let refusedPairs = Set(full.results.exclusions.filter { $0.subject == .pair && $0.workerId == worker }
                .compactMap(\.vacancyId)).count
            if p?.eligible == true && p?.candidates == 0 {
                #expect(focused.input.vacancies.count >= full.results.participants.filter { $0.subject == "vacancy" }.count)
            } else {
                #expect(focused.input.vacancies.count <= 6 + refusedPairs + (vacancy == nil ? 0 : 1))
            }
            if vacancy == "NO-SUCH-VACANCY" {
                // Not in the snapshot: an error either way (the command's exit status 2).
                #expect(throws: Explanation.Failure.self) { try Explanation.text(full, worker: worker, vacancy: vacancy) }
                #expect(throws: Explanation.Failure.self) { try Explanation.text(focused, worker: worker, vacancy: vacancy) }
                compared += 1
                continue
            }
            let want = try Explanation.text(full, worker: worker, vacancy: vacancy)
            #expect(try Explanation.text(focused, worker: worker, vacancy: vacancy) == want, "\(worker) \(vacancy ?? "-")")
            compared += 1
        }
        #expect(compared == full.input.workers.count)
        let nobody = try RunData.load(db, runId: run, worker: "NO-SUCH-WORKER", vacancy: vacancies[0])
        #expect(throws: Explanation.Failure.self) { try Explanation.text(nobody, worker: "NO-SUCH-WORKER") }
    } }

    /// `explain --vacancy V` alone, for every vacancy of the fixtures' run: the same text from its
    /// own rows as from the whole run; its matches, unfilled openings and refused workers as
    /// SQL written here and the report's unfilled rows say; exit 2 for a vacancy not in the run.
    @Test func explainAVacancyAloneSaysWhatTheStoredRunSays() throws { try FixtureRun.withWholeRun { fixture, db, runId, full in
        let run = Int64(runId)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(try fixture.report(runId, "json").utf8))
                                  as? [String: Any])
        let unfilled = try #require(report["unfilled_vacancies"] as? [[String: Any]])
        var unfilledSeen = 0, excludedSeen = 0
        for vacancy in full.input.vacancies.map(\.id) {
            let text = try Explanation.explainVacancy(full, vacancy: vacancy)
            let focused = try RunData.load(db, runId: run, vacancy: vacancy)
            #expect(focused.input.vacancies.map(\.id) == [vacancy])
            #expect(try Explanation.explainVacancy(focused, vacancy: vacancy) == text, "\(vacancy)")
            let matched = try fixture.rows("SELECT worker_id, fit_micro FROM run_matches WHERE run_id = $1 AND vacancy_id = $2",
                                           [PostgresValue(runId), PostgresValue(vacancy)])
            for m in matched {
                #expect(text.contains("\n  \(m[0]) fit \(FitScore.text(micro: Int(m[1])!)), the worker's rank "), "\(vacancy) \(m[0])")
            }
            #expect(text.contains("matched: \(matched.count) of its ") == !matched.isEmpty, "\(vacancy)")
            let rows = unfilled.filter { $0["id"] as? String == vacancy }
            #expect(text.components(separatedBy: "\nunfilled: ").count - 1 == rows.count, "\(vacancy): \(text)")
            for row in rows {
                #expect(text.contains("\nunfilled: \(row["open"] ?? "") opening(s) \(row["reason"] ?? ""): \(row["detail"] ?? "")\n"),
                        "\(vacancy): \(text)")
                unfilledSeen += 1
                if row["reason"] as? String == "excluded" { excludedSeen += 1 }
            }
            let refused = try fixture.count("""
                SELECT count(DISTINCT worker_id) FROM run_exclusions WHERE run_id = $1 AND subject = 'pair' AND vacancy_id = $2
                """, [PostgresValue(runId), PostgresValue(vacancy)])
            #expect(text.contains("pairs refused by the pair rules (\(refused) worker(s)):") == (refused > 0), "\(vacancy)")
        }
        #expect(unfilledSeen > 10 && excludedSeen > 3, "the fixtures exercise every kind of unfilled row")
        let nobody = try fixture.command(["explain", String(runId), "--vacancy", "NO-SUCH-VACANCY"])
        #expect(nobody.status == 2 && nobody.stderr.contains("vacancy NO-SUCH-VACANCY is not in run \(runId)'s snapshot"))
        let neither = try fixture.command(["explain", String(runId)])
        #expect(neither.status == 2 && neither.stderr.contains("give --worker W, --vacancy V, or both"), "\(neither.stderr)")
        let one = try fixture.command(["explain", String(runId), "--vacancy", full.input.vacancies[0].id])
        let expected = try Explanation.explainVacancy(full, vacancy: full.input.vacancies[0].id)
        #expect(one.status == 0 && one.stdout == expected, "\(one.stderr)")
    } }

    /// Openings past 64 bits (FEEDS.md sets no bound), loaded, run and reported: every sum of
    /// openings equals PostgreSQL's exact numeric sum over the run's snapshot, in summary.json
    /// and in the JSON and HTML reports, and an unfilled vacancy's open count (beyond its
    /// candidates) is exact.
    @Test func openingsPastSixtyFourBitsAreReportedExactly() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let huge = "123456789012345678901234567890"
        var lines = try contents(projectRoot.appendingPathComponent("Fixtures/vacancies.csv"))
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let column = lines[0].split(separator: ",").firstIndex(of: "openings")!
        var cells = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(cells[0] == "V001")
        cells[column + 1] = huge  // the title before it is quoted and holds one comma
        lines = [lines[0], cells.joined(separator: ",")]
        let file = fixture.dir.appendingPathComponent("v001.csv")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        let load = try fixture.command(["load", "vacancies", file.path, "--mode", "delta"])
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stdout.contains("1 updated"), "\(load.stdout)")
        #expect(try fixture.run(out: "big").status == 0)
        let runId = try fixture.count("SELECT max(run_id) FROM runs")

        let sums = try fixture.rows("""
            SELECT sum(v.openings)::text, (sum(v.openings) FILTER (WHERE p.eligible))::text,
                   (sum(v.openings - p.matched) FILTER (WHERE p.eligible))::text,
                   -- V001's "too few candidates" row: the openings beyond its candidates
                   max(v.openings - p.candidates) FILTER (WHERE p.id = 'V001')::text
            FROM run_participants p
            JOIN run_snapshot s ON s.run_id = p.run_id AND s.kind = 'vacancy' AND s.key = p.id
            JOIN vacancy_versions v ON v.vacancy_id = s.key AND v.version = s.version
            WHERE p.run_id = $1 AND p.subject = 'vacancy'
            """, [PostgresValue(runId)])[0]
        #expect(sums[0].count == huge.count && sums[0].hasPrefix("1234567890123"))
        let summary = try contents(fixture.dir.appendingPathComponent("big/summary.json"))
        for (key, sum) in zip(["openings", "eligible_openings", "unfilled_openings"], sums) {
            #expect(summary.contains("\"\(key)\": \(sum)"), "\(key)")
        }
        let json = try fixture.report(runId, "json")
        for (key, sum) in zip(["openings", "eligible_openings", "unfilled_openings"], sums) {
            #expect(json.contains("\"\(key)\": \(sum),"), "\(key)")
        }
        #expect(json.contains("\"open\": \(sums[3])\n"))
        let page = try XHTMLPage(try fixture.report(runId, "html"))
        #expect(page.text["h-openings"] == sums[0] && page.text["h-unfilled-openings"] == sums[2])
    }

    /// FEEDS.md records the iso-codes version "with every load and run": the report and
    /// `runs show` give the loads the run's rows came from, counted here with SQL of its own.
    @Test func theReportNamesTheLoadsItsRowsCameFromAndTheirIsoCodes() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        // The fixtures are seeded without a load; one vacancy more comes from a load.
        let lines = try String(contentsOf: projectRoot.appendingPathComponent("Fixtures/vacancies.csv"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines[1].hasPrefix("V001,"))
        let file = fixture.dir.appendingPathComponent("portal-2.csv")
        try ("\(lines[0])\nV900,\(lines[1].dropFirst(5))\n").write(to: file, atomically: true, encoding: .utf8)
        let load = try fixture.command(["load", "vacancies", file.path, "--mode", "delta"])
        #expect(load.status == 0, "\(load.stderr)")
        let outcome = try fixture.run(out: "run")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let runId = try fixture.count("SELECT max(run_id) FROM runs")

        let loaded = try fixture.rows("""
            SELECT f.feed_id::text, f.file_sha256, f.iso_codes_version, count(*)::text
            FROM run_snapshot s JOIN vacancy_versions v ON v.vacancy_id = s.key AND v.version = s.version
            JOIN feeds f ON f.feed_id = v.feed_id WHERE s.run_id = $1 AND s.kind = 'vacancy'
            GROUP BY f.feed_id, f.file_sha256, f.iso_codes_version
            """, [PostgresValue(runId)])
        #expect(loaded.count == 1 && loaded.first?[3] == "1", "\(loaded)")
        let (feedId, sha, iso) = (loaded[0][0], loaded[0][1], loaded[0][2])
        let snapshotRows = try fixture.count("SELECT count(*) FROM run_snapshot WHERE run_id = $1", [PostgresValue(runId)])
        let whoRows = try fixture.count("SELECT count(*) FROM who_list_entries WHERE edition = '2023'")

        let json = try fixture.report(runId, "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let run = try #require(object["run"] as? [String: Any])
        #expect(run["iso_codes_versions"] as? [String] == [iso])
        let loads = try #require(object["loads"] as? [[String: Any]])
        let fromLoad = loads.filter { $0["feed_id"] is Int }
        #expect(fromLoad.count == 1)
        #expect("\(fromLoad.first?["feed_id"] ?? "")" == feedId)
        #expect(fromLoad.first?["kind"] as? String == "vacancies" && fromLoad.first?["source"] as? String == "portal-2")
        #expect(fromLoad.first?["file_name"] as? String == "portal-2.csv" && fromLoad.first?["file_sha256"] as? String == sha)
        #expect(fromLoad.first?["iso_codes_version"] as? String == iso && fromLoad.first?["rows"] as? Int == 1)
        // The seeded versions name no load; the WHO list edition is the migrations' (no load, its entries).
        let who = loads.filter { $0["kind"] as? String == "who_list" }
        #expect(who.count == 1 && who.first?["rows"] as? Int == whoRows && who.first?["feed_id"] is NSNull)
        #expect(who.first?["iso_codes_version"] is NSNull)
        let rows = loads.filter { $0["kind"] as? String != "who_list" }.compactMap { $0["rows"] as? Int }
        #expect(rows.reduce(0, +) == snapshotRows, "every snapshot row is counted once")
        let noLoad = loads.filter { $0["feed_id"] is NSNull && $0["kind"] as? String != "who_list" }
        #expect(noLoad.map { $0["kind"] as? String } == ["employers", "fx_rates", "minimum_wages", "recruiters", "vacancies", "workers"])
        #expect(noLoad.allSatisfy { $0["source"] is NSNull && $0["file_sha256"] is NSNull }, "\(noLoad)")

        let page = try XHTMLPage(try fixture.report(runId, "html"))
        let cells = page.cells["load-\(feedId)"] ?? []
        #expect(cells.count == 8 && cells.first == feedId && cells[4] == sha && cells[5] == iso && cells[7] == "1", "\(cells)")
        #expect(page.text["run-iso-codes"] == iso)
        #expect(page.cells["load-who-list"]?.last == String(whoRows))

        let show = try fixture.command(["runs", "show", String(runId)])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("iso-codes \(iso) (of the 1 load its rows came from"), "\(show.stdout)")
    }

    /// A withdrawn employer the snapshot keeps (a vacancy still names it) counts under the load
    /// that wrote its content, not the one that withdrew it, whose file does not hold it.
    @Test func aWithdrawnEmployerCountsUnderTheLoadOfItsContent() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let lines = try String(contentsOf: projectRoot.appendingPathComponent("Fixtures/employers.csv"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines[1].hasPrefix("E01,") && lines[2].hasPrefix("E02,"))
        let changed = fixture.dir.appendingPathComponent("employers-a.csv")
        try "\(lines[0])\n\(lines[1].replacingOccurrences(of: "Klinikum", with: "Clinic"))\n".write(to: changed, atomically: true, encoding: .utf8)
        let without = fixture.dir.appendingPathComponent("employers-b.csv")
        try "\(lines[0])\n\(lines[2])\n".write(to: without, atomically: true, encoding: .utf8)
        for (file, mode) in [(changed, "delta"), (without, "snapshot")] {
            let load = try fixture.command(["load", "employers", file.path, "--source", "hr", "--mode", mode])
            #expect(load.status == 0, "\(load.stderr)")
        }
        #expect(try fixture.count("SELECT count(*) FROM current_employers WHERE employer_id = 'E01' AND withdrawn") == 1)
        let outcome = try fixture.run(out: "run")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let runId = try fixture.count("SELECT max(run_id) FROM runs")
        let feeds = try fixture.rows("SELECT feed_id::text FROM feeds WHERE source = 'hr' ORDER BY feed_id")
        #expect(feeds.count == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try fixture.report(runId, "json").utf8)) as? [String: Any])
        let loads = try #require(object["loads"] as? [[String: Any]])
        let byFeed = Dictionary(loads.compactMap { l in (l["feed_id"] as? Int).map { (String($0), l) } }, uniquingKeysWith: { a, _ in a })
        #expect(byFeed[feeds[0][0]]?["rows"] as? Int == 1, "E01's content came from the delta: \(loads)")
        #expect(byFeed[feeds[1][0]] == nil, "the snapshot that withdrew E01 wrote no row the run read: \(loads)")
    }

    @Test func compareTwoPoliciesListsNewLostAndChangedMatches() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "default", ["--policy", "Fixtures/policy.toml"]).status == 0)
        #expect(try fixture.run(out: "strict", ["--policy", "Fixtures/policy-strict.toml"]).status == 0)
        let ids = try fixture.rows("SELECT run_id FROM runs ORDER BY run_id").map { Int($0[0])! }
        #expect(ids.count == 2)
        let json = try fixture.report(ids[1], "json", ["--compare", String(ids[0])])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let comparison = try #require(object["comparison"] as? [String: Any])
        func workers(_ key: String) -> [String] {
            (comparison[key] as? [[String: Any]] ?? []).compactMap { $0["worker_id"] as? String }
        }
        // The expected sets, from the stored matches of both runs.
        func sql(_ condition: String) throws -> [String] {
            try fixture.rows("""
                SELECT w FROM (
                    SELECT coalesce(a.worker_id, b.worker_id) AS w
                    FROM (SELECT * FROM run_matches WHERE run_id = $1) a
                    FULL JOIN (SELECT * FROM run_matches WHERE run_id = $2) b ON a.worker_id = b.worker_id
                    WHERE \(condition)) x
                ORDER BY w COLLATE "C"
                """, [PostgresValue(ids[0]), PostgresValue(ids[1])]).map { $0[0] }
        }
        let new = try sql("a.worker_id IS NULL"), lost = try sql("b.worker_id IS NULL")
        let changed = try sql("""
            a.worker_id IS NOT NULL AND b.worker_id IS NOT NULL
            AND (a.vacancy_id, a.fit_micro, a.worker_rank) <> (b.vacancy_id, b.fit_micro, b.worker_rank)
            """)
        #expect(workers("new") == new)
        #expect(workers("lost") == lost)
        #expect(workers("changed") == changed)
        #expect(!lost.isEmpty || !changed.isEmpty, "the strict policy changes something")
        #expect((comparison["policy_changes"] as? [String] ?? []).contains("min_fit: 0.5 -> 0.6"))
        // A rule whose text names a policy value says what this run set: the source cites the law (48 hours).
        let strictReport = try fixture.report(ids[1], "md")
        #expect(strictReport.contains("hours_per_week is above the policy's max_weekly_hours (this run: max_weekly_hours 45) | ILO C1"),
                "\(strictReport)")
        #expect(try fixture.report(ids[0], "md").contains("(this run: max_weekly_hours 48)"))
        // Each lost match says what became of the pair in the strict run; where the strict run
        // excluded the vacancy (e.g. EXCESSIVE_HOURS at 45 hours), the reason is the stored one.
        let excludedNow = try fixture.rows("""
            SELECT m.worker_id, m.vacancy_id, string_agg(e.reason, ', ' ORDER BY e.reason)
            FROM run_matches m JOIN run_exclusions e ON e.run_id = $2 AND e.subject = 'vacancy' AND e.vacancy_id = m.vacancy_id
            WHERE m.run_id = $1 GROUP BY m.worker_id, m.vacancy_id
            """, [PostgresValue(ids[0]), PostgresValue(ids[1])])
        #expect(!excludedNow.isEmpty, "the strict policy excludes vacancies that had matches")
        func whys(_ key: String) -> [String: String] {
            Dictionary(uniqueKeysWithValues: (comparison[key] as? [[String: Any]] ?? []).map {
                ($0["worker_id"] as? String ?? "", $0["why"] as? String ?? "")
            })
        }
        let (lostWhy, changedWhy) = (whys("lost"), whys("changed"))
        #expect(lostWhy.values.allSatisfy { $0.hasPrefix("now: ") })
        for row in excludedNow {
            // Lost, or matched elsewhere now (changed): either way the old pair's vacancy is excluded.
            let expected = lostWhy[row[0]] != nil ? "now: vacancy excluded: \(row[2])"
                : "\(row[1]) now: vacancy excluded: \(row[2])"
            #expect((lostWhy[row[0]] ?? changedWhy[row[0]]) == expected, "\(row[0])")
        }
        let html = try fixture.report(ids[1], "html", ["--compare", String(ids[0])])
        let page = try XHTMLPage(html)
        #expect(page.text["compare-counts"]?.contains("\(new.count) new, \(lost.count) lost, \(changed.count) changed") == true)
    }
}

extension FixtureRun {
    /// A fixture database with one succeeded run (default policy, stable) written to `dir/run`, and its id.
    static func withRun() throws -> (FixtureRun, Int) {
        let fixture = try FixtureRun()
        let outcome = try fixture.run(out: "run")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return (fixture, try fixture.count("SELECT max(run_id) FROM runs"))
    }

    /// A fixture run (`withRun`), a connection to its database and the whole run as `RunData.load`
    /// reads it, for `body`; the database is dropped after.
    static func withWholeRun(_ body: (FixtureRun, Connection, Int, RunData) throws -> Void) throws {
        let (fixture, runId) = try withRun()
        defer { fixture.close() }
        let db = try fixture.database.connect()
        defer { db.close() }
        try body(fixture, db, runId, try RunData.load(db, runId: Int64(runId)))
    }

    /// `labourmatch report RUN --format F --out -` (standard output).
    func report(_ runId: Int, _ format: String, _ extra: [String] = []) throws -> String {
        let outcome = try command(["report", String(runId), "--format", format, "--out", "-"] + extra)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout
    }
}

/// An XHTML page parsed by Foundation's XML parser (so a page that is not
/// well-formed fails), with the text, attributes and cell texts of elements that have an id.
struct XHTMLPage {
    var text: [String: String] = [:]
    var attributes: [String: [String: String]] = [:]
    /// The texts of the `td`/`th` children of a row with an id.
    var cells: [String: [String]] = [:]

    struct NotWellFormed: Error, CustomStringConvertible {
        let description: String
    }

    init(_ source: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(source.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw NotWellFormed(description: "line \(parser.lineNumber), column \(parser.columnNumber): "
                                + "\(parser.parserError.map { "\($0)" } ?? "parse error")")
        }
        text = collector.text; attributes = collector.attributes; cells = collector.cells
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var text: [String: String] = [:]
        var attributes: [String: [String: String]] = [:]
        var cells: [String: [String]] = [:]
        /// Open elements with an id, and the text gathered inside each.
        private var open: [(id: String?, tag: String, text: String)] = []
        private var rowId: String?
        private var cell: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes attrs: [String: String] = [:]) {
            let id = attrs["id"]
            if let id { attributes[id] = attrs }
            if name == "tr" { rowId = id; if let id { cells[id] = [] } }
            if (name == "td" || name == "th") && rowId != nil { cell = "" }
            open.append((id, name, ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            for i in open.indices where open[i].id != nil { open[i].text += string }
            if cell != nil { cell! += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let last = open.removeLast()
            if let id = last.id { text[id] = last.text }
            if (name == "td" || name == "th"), let c = cell, let rowId {
                cells[rowId, default: []].append(c)
                cell = nil
            }
            if name == "tr" { rowId = nil }
        }
    }
}
