import Feeds
import Foundation
import Postgres
import Store
import Testing

/// FeedLoader on a real server: versions, no-ops, snapshots and deltas, sources.
@Suite struct FeedLoaderTests {
    /// The fixture vacancies with V003 changed (title and openings), V052 left out and V999 added.
    static func changedVacancies() -> String {
        var lines = vacancyFixtureLines
        let v003 = lines.firstIndex { $0.hasPrefix("V003,") }!
        lines[v003] = lines[v003].replacingOccurrences(of: ",Nursing Assistant (Pflegeassistenz),DE,4,",
                                                       with: ",Nursing Assistant (night),DE,5,")
        let v052 = lines.firstIndex { $0.hasPrefix("V052,") }!
        let added = "V999" + lines[v052].dropFirst(4)
        lines.remove(at: v052)
        lines.append(added)
        return lines.joined(separator: "\n") + "\n"
    }

    /// One NDJSON vacancy line; `title` is JSON string text as written (escapes allowed).
    static func vacancyJSON(_ id: String, employer: String = "E01", title: String = "Nurse", openings: String = "1") -> String {
        #"{"vacancy_id":"\#(id)","employer_id":"\#(employer)","isco_code":"2221","title":"\#(title)","destination_country":"DE","openings":\#(openings),"monthly_wage":3000,"currency":"EUR","hours_per_week":40}"#
    }

    @Test func cleanLoadStoresEveryRowWithItsLists() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let report = try t.load(.vacancies, fixturePath("vacancies.csv"))
            #expect(report.outcome == .loaded)
            #expect(report.mode == .snapshot)
            #expect(report.source == "vacancies")
            let c = report.counts
            #expect((c.read, c.inserted, c.updated, c.unchanged, c.rejected, c.withdrawn) == (52, 52, 0, 0, 0, 0))
            // The feeds row says the same, and every version points to it.
            let feed = try #require(report.feedId)
            let row = try t.db.query("""
                SELECT rows_read, rows_inserted, rows_rejected, file_name, file_sha256, iso_codes_version, mode
                FROM feeds WHERE feed_id = $1
                """, params: [.init(feed)])[0]
            #expect(try row.decode(0, as: Int.self) == 52)
            #expect(try row.decode(1, as: Int.self) == 52)
            #expect(try row.decode(2, as: Int.self) == 0)
            #expect(try row.decode(3, as: String.self) == "vacancies.csv")
            // The file is valid UTF-8, so its text has the same bytes.
            let text = try String(contentsOfFile: fixturePath("vacancies.csv"), encoding: .utf8)
            #expect(try row.decode(4, as: String.self) == RunInputs.sha256Hex(text))
            #expect(try row.decode(5, as: String.self) == systemCodes.version)
            #expect(try row.decode(6, as: String.self) == "snapshot")
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE feed_id = $1 AND version = 1", [.init(feed)]) == 52)
            // V001's lists, in the order of the file.
            #expect(try t.strings("""
                SELECT u.item FROM vacancy_versions v, unnest(v.required_skills) WITH ORDINALITY u(item, n)
                WHERE v.vacancy_id = 'V001' AND v.version = 1 ORDER BY u.n
                """) == ["patient-care:3:E", "medication-administration:3:E", "iv-therapy:2:O"])
            #expect(try t.strings("""
                SELECT u.item FROM vacancy_versions v, unnest(v.contract_languages) WITH ORDINALITY u(item, n)
                WHERE v.vacancy_id = 'V001' ORDER BY u.n
                """) == ["de", "en"])
            let v001 = try t.db.query("""
                SELECT title, monthly_wage::text, hours_per_week::text, recruiter_id, start_date::text, content_sha256
                FROM current_vacancies WHERE vacancy_id = 'V001'
                """)[0]
            #expect(try v001.decode(0, as: String.self) == "Registered Nurse (Pflegefachkraft), Triple Win")
            #expect(try v001.decode(1, as: String.self) == "3450")
            #expect(try v001.decode(2, as: String.self) == "38.5")
            #expect(v001.isNull(3))
            #expect(try v001.decode(4, as: String.self) == "2027-04-01")
            // content_sha256 is the SHA-256 of the record's canonical text.
            let parsed = try FeedReader(kind: .vacancies, format: .csv, codes: systemCodes, knownEmployer: { _ in true })
                .readAll(path: fixturePath("vacancies.csv")).accepted.first { $0.key == "V001" }
            guard case .vacancy(let vacancy)? = parsed else { Issue.record("V001 not parsed"); return }
            #expect(try v001.decode(5, as: String.self) == RunInputs.sha256Hex(vacancy.canonicalText))
        }
    }

    @Test func theSameFileAgainIsANoOp() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let first = try t.load(.vacancies, fixturePath("vacancies.csv"))
            let before = try t.writtenRows()
            let again = try t.load(.vacancies, fixturePath("vacancies.csv"))
            guard case .noOp(let previous, _) = again.outcome else { Issue.record("not a no-op: \(again.outcome)"); return }
            #expect(previous == first.feedId)
            #expect(again.feedId == nil)
            #expect(try t.writtenRows() == before, "nothing written, not even a feeds row")
            // Another source may load the same bytes: its own first load.
            let other = try t.load(.vacancies, fixturePath("vacancies.csv"), source: "portal-b")
            #expect(other.outcome == .loaded)
            #expect(other.counts.unchanged == 52)
        }
    }

    @Test func theNDJSONTwinChangesNothing() throws {
        // Same content in another format: same canonical text, so every row is unchanged.
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.vacancies, fixturePath("vacancies.csv"))
            let twin = try t.load(.vacancies, fixturePath("vacancies.ndjson"))
            #expect(twin.source == "vacancies")
            #expect((twin.counts.unchanged, twin.counts.inserted, twin.counts.updated) == (52, 0, 0))
            #expect(try t.int("SELECT count(*) FROM vacancy_versions") == 52)
            let workers = try t.load(.workers, fixturePath("workers.csv"))
            let workersTwin = try t.load(.workers, fixturePath("workers.ndjson"))
            #expect(workers.counts.inserted == 300)
            #expect(workersTwin.counts.unchanged == 300)
        }
    }

    @Test func aChangedFileWritesVersionsAndKeepsTheOldOnes() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let first = try t.load(.vacancies, fixturePath("vacancies.csv"))
            let dir = try scratchDir()
            let changed = try t.load(.vacancies, try writeFile(dir, "vacancies.csv", Self.changedVacancies()))
            let c = changed.counts
            #expect((c.read, c.inserted, c.updated, c.unchanged, c.withdrawn) == (52, 1, 1, 50, 1))
            // V003: version 2 is current, version 1 still readable as it was.
            let versions = try t.db.query("""
                SELECT version, title, openings, is_current, feed_id FROM vacancy_versions
                WHERE vacancy_id = 'V003' ORDER BY version
                """)
            #expect(versions.count == 2)
            #expect(try versions[0].decode(1, as: String.self) == "Nursing Assistant (Pflegeassistenz)")
            #expect(try versions[0].decode(2, as: Int.self) == 4)
            #expect(try versions[0].decode(3, as: Bool.self) == false)
            #expect(try versions[0].decode(4, as: Int64.self) == first.feedId!)
            #expect(try versions[1].decode(1, as: String.self) == "Nursing Assistant (night)")
            #expect(try versions[1].decode(3, as: Bool.self) == true)
            #expect(try versions[1].decode(4, as: Int64.self) == changed.feedId!)
            // Both versions have their own lists.
            #expect(try t.int("SELECT cardinality(required_skills) FROM vacancy_versions WHERE vacancy_id = 'V003' AND version = 1") == 3)
            #expect(try t.int("SELECT cardinality(required_skills) FROM vacancy_versions WHERE vacancy_id = 'V003' AND version = 2") == 3)
            // V052 left the snapshot: a new version, withdrawn, same content and lists.
            let v052 = try t.db.query("""
                SELECT version, withdrawn, title, content_sha256 FROM vacancy_versions WHERE vacancy_id = 'V052' ORDER BY version
                """)
            #expect(v052.count == 2)
            #expect(try v052[1].decode(1, as: Bool.self))
            #expect(try v052[1].decode(2, as: String.self) == v052[0].decode(2, as: String.self))
            #expect(try v052[1].decode(3, as: String.self) == v052[0].decode(3, as: String.self))
            #expect(try t.int("SELECT cardinality(required_skills) FROM vacancy_versions WHERE vacancy_id = 'V052' AND version = 2") == 2)
            #expect(try t.int("""
                SELECT count(*) FROM vacancy_versions a JOIN vacancy_versions b ON b.vacancy_id = a.vacancy_id AND b.version = 2
                WHERE a.vacancy_id = 'V052' AND a.version = 1 AND a.required_skills = b.required_skills
                  AND a.required_languages = b.required_languages AND a.contract_languages = b.contract_languages
                """) == 1)
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE NOT withdrawn") == 52)
            // Unchanged rows kept their only version.
            #expect(try t.int("SELECT count(*) FROM vacancy_versions WHERE vacancy_id = 'V001'") == 1)

            // V052 comes back: a new version, not withdrawn, equal to the old content.
            let back = try t.load(.vacancies, fixturePath("vacancies.csv"), source: "vacancies")
            guard case .noOp = back.outcome else { Issue.record("the first file again is a no-op (FEEDS.md)"); return }
            // The same rows in other bytes (a trailing empty line): not a no-op.
            let restored = try t.load(.vacancies, try writeFile(dir, "vacancies-again.csv",
                                                                vacancyFixtureLines.joined(separator: "\n") + "\n\n"),
                                      source: "vacancies")
            #expect((restored.counts.updated, restored.counts.withdrawn) == (2, 1), "V003 and V052 back; V999 gone")
            let now = try t.db.query("SELECT version, withdrawn FROM current_vacancies WHERE vacancy_id = 'V052'")[0]
            #expect(try now.decode(0, as: Int.self) == 3)
            #expect(try now.decode(1, as: Bool.self) == false)
        }
    }

    @Test func deltaModeWithdrawsNothing() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.vacancies, fixturePath("vacancies.csv"))
            let dir = try scratchDir()
            let delta = try t.load(.vacancies, try writeFile(dir, "vacancies.csv", Self.changedVacancies()), mode: .delta)
            #expect(delta.mode == .delta)
            #expect((delta.counts.inserted, delta.counts.updated, delta.counts.withdrawn) == (1, 1, 0))
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE vacancy_id = 'V052' AND NOT withdrawn") == 1)
            #expect(try t.int("SELECT count(*) FROM vacancy_versions WHERE vacancy_id = 'V052'") == 1)
        }
    }

    @Test func aSnapshotWithdrawsOnlyItsOwnSource() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            try t.load(.vacancies, try writeFile(dir, "a.csv", generatedVacancies(count: 10, prefix: "A")), source: "portal-a")
            try t.load(.vacancies, try writeFile(dir, "b.csv", generatedVacancies(count: 10, prefix: "B")), source: "portal-b")
            // portal-b's next snapshot lists only half of its keys.
            let next = try t.load(.vacancies, try writeFile(dir, "b2.csv", generatedVacancies(count: 5, prefix: "B")),
                                  source: "portal-b")
            #expect(next.counts.withdrawn == 5)
            #expect(try t.strings("SELECT vacancy_id FROM current_vacancies WHERE withdrawn ORDER BY vacancy_id")
                    == ["B00005", "B00006", "B00007", "B00008", "B00009"])
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE vacancy_id LIKE 'A%' AND NOT withdrawn") == 10)
            // A key last written by another source is not this source's to withdraw.
            try t.load(.vacancies, try writeFile(dir, "a-takes-b.csv", generatedVacancies(count: 1, prefix: "B", title: "Taken over")),
                       source: "portal-a", mode: .delta)
            let b3 = try t.load(.vacancies, try writeFile(dir, "b3.csv", generatedVacancies(count: 1, prefix: "B", from: 1)),
                                source: "portal-b")
            #expect(b3.counts.withdrawn == 3, "B00002-B00004 only: B00000 is now portal-a's, B00005-9 were withdrawn already")
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE vacancy_id = 'B00000' AND NOT withdrawn") == 1)
        }
    }

    @Test func rejectedRowsWithAKeyAreNotWithdrawnAndMalformedRowsStopWithdrawals() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            try t.load(.vacancies, try writeFile(dir, "v.csv", generatedVacancies(count: 4)))
            // K00001's row has a bad value; K00003 is missing: only K00003 is withdrawn.
            var lines = generatedVacancies(count: 4).split(separator: "\n").map(String.init)
            var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[5] = "UK"   // destination_country: not an ISO code
            lines[2] = fields.joined(separator: ",")
            lines.remove(at: 4)
            let bad = try t.load(.vacancies, try writeFile(dir, "v.csv", lines.joined(separator: "\n") + "\n"))
            #expect(bad.counts.rejected == 1)
            #expect(bad.counts.rejectedByReason[.invalidValue] == 1)
            #expect(bad.counts.withdrawn == 1)
            #expect(try t.strings("SELECT vacancy_id FROM current_vacancies WHERE withdrawn") == ["K00003"])
            #expect(try t.strings("SELECT key FROM feed_rejections") == ["K00001"])
            // A MALFORMED_ROW: its keys cannot be trusted, so the snapshot withdraws nothing.
            let malformed = try t.load(.vacancies, try writeFile(dir, "v.csv", lines[0] + "\n" + lines[1] + "\nK00002,\"E01\"x\n"))
            #expect(malformed.withdrawalsSkipped)
            #expect(malformed.counts.withdrawn == 0)
            #expect(malformed.counts.rejectedByReason[.malformedRow] == 1)
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE withdrawn") == 1)
            let recorded = try t.db.query("SELECT withdrawals_skipped, rows_withdrawn FROM feeds WHERE feed_id = $1",
                                          params: [.init(malformed.feedId!)])[0]
            #expect(try recorded.decode(0, as: Bool.self))
            #expect(try recorded.decode(1, as: Int.self) == 0)
        }
    }

    @Test func anEmptySnapshotIsRefusedUnlessAllowed() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.vacancies, fixturePath("vacancies.csv"))
            let before = try t.writtenRows()
            #expect(throws: LoadError.self) { try t.load(.vacancies, fixturePath("bad/vacancies-empty.ndjson"), source: "vacancies") }
            #expect(try t.writtenRows() == before)
            let delta = try t.load(.vacancies, fixturePath("bad/vacancies-empty.ndjson"), source: "vacancies", mode: .delta)
            #expect((delta.counts.read, delta.counts.withdrawn) == (0, 0))
            let header = try writeFile(try scratchDir(), "v.csv", vacancyFixtureLines[0] + "\n")
            let all = try t.load(.vacancies, header, source: "vacancies", allowEmpty: true)
            #expect(all.counts.withdrawn == 52)
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE NOT withdrawn") == 0)
        }
    }

    @Test func aDryRunReportsAndWritesNothing() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.vacancies, fixturePath("vacancies.csv"))
            let before = try t.writtenRows()
            let dir = try scratchDir()
            let dry = try t.load(.vacancies, try writeFile(dir, "vacancies.csv", Self.changedVacancies()), dryRun: true)
            #expect(dry.outcome == .dryRun)
            #expect(dry.feedId == nil)
            #expect((dry.counts.inserted, dry.counts.updated, dry.counts.unchanged, dry.counts.withdrawn) == (1, 1, 50, 1))
            #expect(try t.writtenRows() == before)
            // The connection is still usable, outside any transaction.
            #expect(!t.db.inTransaction)
        }
    }

    @Test func workersCanBeWithdrawnBySnapshot() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.workers, fixturePath("workers.csv"))
            let lines = try String(contentsOfFile: fixturePath("workers.csv"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            let fewer = try writeFile(try scratchDir(), "workers.csv", lines.dropLast(10).joined(separator: "\n") + "\n")
            let delta = try t.load(.workers, fewer)
            #expect(delta.mode == .delta, "workers default to delta")
            #expect(delta.counts.withdrawn == 0)
            let snapshot = try t.load(.workers, fewer, mode: .snapshot)
            guard case .noOp = snapshot.outcome else { Issue.record("same bytes, same source: no-op"); return }
            let copy = try writeFile(try scratchDir(), "workers.csv", lines.dropLast(10).joined(separator: "\n") + "\n\n")
            let withdrawn = try t.load(.workers, copy, mode: .snapshot)
            #expect(withdrawn.counts.withdrawn == 10)
            #expect(try t.int("SELECT count(*) FROM current_workers WHERE withdrawn") == 10)
            // The withdrawn version keeps its lists.
            #expect(try t.int("""
                SELECT count(*) FROM current_workers w JOIN worker_versions p
                    ON p.worker_id = w.worker_id AND p.version = w.version - 1
                WHERE w.withdrawn AND cardinality(w.occupations) > 0 AND p.occupations = w.occupations
                  AND p.skills = w.skills AND p.languages = w.languages
                  AND p.preferred_destinations = w.preferred_destinations
                """) == 10)
        }
    }

    @Test func referencesAreCheckedAgainstTheDatabase() throws {
        try LoadDB.with { t in
            // No employers yet: every vacancy names an unknown employer.
            let none = try t.load(.vacancies, fixturePath("vacancies.csv"))
            #expect(none.counts.rejectedByReason[.unknownEmployer] == 52)
            #expect(try t.int("SELECT count(*) FROM feed_rejections WHERE reason = 'UNKNOWN_EMPLOYER'") == 52)
            try t.load(.employers, fixturePath("employers.csv"))
            let some = try t.load(.vacancies, fixturePath("vacancies.ndjson"))
            // Now only those with a recruiter are rejected, as recruiters are not loaded.
            let withRecruiter = try t.int("SELECT count(*) FROM feed_rejections WHERE feed_id = $1", [.init(some.feedId!)])
            #expect(withRecruiter == some.counts.rejectedByReason[.unknownRecruiter])
            #expect(withRecruiter > 0 && withRecruiter < 52)
        }
    }

    @Test func valuesTheDatabaseCannotHoldAreRejectedNotFatal() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            // NDJSON can carry U+0000 in a string; PostgreSQL text cannot.
            let nul = FeedLoaderTests.vacancyJSON("VN1", title: #"Nurse\u0000"#)
            let ok = FeedLoaderTests.vacancyJSON("VN3")
            let report = try t.load(.vacancies, try writeFile(dir, "v.ndjson", [nul, ok].joined(separator: "\n")))
            #expect((report.counts.inserted, report.counts.rejected) == (1, 1))
            let rows = try t.db.query("SELECT line, field, reason, key, raw FROM feed_rejections ORDER BY line")
            #expect(try rows.map { try "\($0.decode(0, as: Int.self)):\($0.decode(1, as: String.self)):\($0.decode(2, as: String.self))" }
                    == ["1:title:INVALID_VALUE"])
            #expect(try rows[0].decode(3, as: String.self) == "VN1")
            // The raw text holds the JSON escape as written; it is stored as is.
            #expect(try rows[0].decode(4, as: String.self) == nul)
        }
    }

    /// Openings and contract months of any size (FEEDS.md: "integer >= 1") are stored as
    /// written (0006_counts_unbounded; until then int4 made them INVALID_VALUE past
    /// 2,147,483,647), their content hash is stable, and the database refuses a fraction.
    /// A key belongs to the source that wrote its current version: a row of another source
    /// that repeats it unchanged writes nothing and is counted as kept by that source (the
    /// summary says so), so the first source's next snapshot withdraws it; a changed row moves it.
    @Test func unchangedRowsOfAnotherSourceAreCountedAsKeptByIt() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let lines = vacancyFixtureLines
            let (k1, k2) = ("K1," + lines[1].dropFirst(5), "K2," + lines[2].dropFirst(5))
            let a1 = try writeFile(dir, "a1.csv", "\(lines[0])\n\(k1)\n\(k2)\n")
            let b1 = try writeFile(dir, "b1.csv", "\(lines[0])\n\(k1)\n")
            let a2 = try writeFile(dir, "a2.csv", "\(lines[0])\n\(k2)\n")
            #expect(try t.load(.vacancies, a1, source: "A", mode: .snapshot).counts.inserted == 2)
            let b = try t.load(.vacancies, b1, source: "B", mode: .snapshot)
            #expect(b.counts.unchanged == 1 && b.keptByOtherSources == 1 && b.keptByOtherSource == "A" && !b.keptBySeveralSources)
            // The only source of its kind is never counted (the query is not even run).
            let copy = try writeFile(dir, "employers-again.csv", try String(contentsOfFile: fixturePath("employers.csv"), encoding: .utf8))
            let alone = try t.load(.employers, copy, source: "employers", mode: .delta)
            #expect(alone.counts.unchanged == alone.counts.read && alone.keptByOtherSources == 0)
            #expect(try t.load(.vacancies, a2, source: "A", mode: .snapshot).counts.withdrawn == 1, "K1 was A's")
            // Withdrawn, K1 is no longer current for anyone: B's changed listing brings it back as B's.
            let b2 = try writeFile(dir, "b2.csv", "\(lines[0])\n\(k1.replacingOccurrences(of: ",DE,", with: ",AT,"))\n")
            let back = try t.load(.vacancies, b2, source: "B", mode: .snapshot)
            #expect(back.counts.updated == 1 && back.keptByOtherSources == 0)
            #expect(try t.strings("SELECT f.source FROM current_vacancies v JOIN feeds f USING (feed_id) WHERE vacancy_id = 'K1'") == ["B"])
        }
    }

    @Test func countsOfAnySizeAreStoredExactly() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let huge = "123456789012345678901234567890"
            var months = FeedLoaderTests.vacancyJSON("VC2", openings: "3000000000")
            months.removeLast()
            months += #","contract_months":\#(huge)0}"#
            let lines = [FeedLoaderTests.vacancyJSON("VC1", openings: huge), months]
            let first = try t.load(.vacancies, try writeFile(dir, "c.ndjson", lines.joined(separator: "\n")), source: "counts")
            #expect((first.counts.inserted, first.counts.rejected) == (2, 0))
            #expect(try t.strings("""
                SELECT openings::text || '/' || coalesce(contract_months::text, '-') FROM current_vacancies
                WHERE vacancy_id IN ('VC1', 'VC2') ORDER BY vacancy_id
                """) == [huge + "/-", "3000000000/" + huge + "0"])
            let again = try t.load(.vacancies, try writeFile(dir, "c2.ndjson", lines.reversed().joined(separator: "\n")),
                                   source: "counts")
            #expect((again.counts.unchanged, again.counts.updated) == (2, 0))
            #expect(throws: PostgresError.self) {
                _ = try t.db.execute("SELECT '2.0'::whole_count")
            }
        }
    }

    /// Decimals past 64 bits are stored as written (normalised), and the same values spelt
    /// otherwise (trailing zeros, an exponent) are the same content: the reload is unchanged.
    @Test func longDecimalsAreStoredExactlyAndCompareByValue() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let wage = "123456789012345678901234567890.0000000000000000000000000001"
            func line(_ wage: String, _ years: String) -> String {
                #"{"vacancy_id":"VL1","employer_id":"E01","isco_code":"2221","title":"Nurse","destination_country":"DE","openings":1,"monthly_wage":\#(wage),"currency":"EUR","hours_per_week":40,"min_experience_years":\#(years)}"#
            }
            let first = try t.load(.vacancies, try writeFile(dir, "v.ndjson", line(wage, "2.5e-30")), source: "long")
            #expect(first.counts.inserted == 1)
            let row = try t.db.query("""
                SELECT monthly_wage::text, min_experience_years::text FROM current_vacancies WHERE vacancy_id = 'VL1'
                """)[0]
            #expect(try row.decode(0, as: String.self) == wage)
            #expect(try row.decode(1, as: String.self) == "0.0000000000000000000000000000025")
            let again = try t.load(.vacancies, try writeFile(dir, "v2.ndjson", line(wage + "000", "25E-31")), source: "long")
            #expect((again.counts.unchanged, again.counts.updated) == (1, 0))
            let moved = try t.load(.vacancies, try writeFile(dir, "v3.ndjson", line(wage + "1", "2.5e-30")), source: "long")
            #expect(moved.counts.updated == 1)
            #expect(try t.strings("SELECT monthly_wage::text FROM current_vacancies WHERE vacancy_id = 'VL1'")
                    == [wage + "1"])
        }
    }

    @Test func aNewWHOListEditionBecomesCurrent() throws {
        try LoadDB.with { t in
            let shipped = repositoryRoot.appendingPathComponent("Reference/who-safeguards-2023.csv").path
            let same = try t.load(.whoList, shipped)
            guard case .noOp(let feed, _) = same.outcome else { Issue.record("the shipped edition is loaded already"); return }
            #expect(feed == nil, "loaded by the migrations, not by a feed")
            // 2024: Nepal leaves, Fiji joins, Ghana's name changes.
            var lines = try String(contentsOfFile: shipped, encoding: .utf8).split(separator: "\n").map(String.init)
            lines.removeAll { $0.hasPrefix("NP,") }
            lines = lines.map { $0.hasPrefix("GH,") ? "GH,Ghana (Republic of),AFR" : $0 }
            lines.append("FJ,Fiji,WPR")
            let dir = try scratchDir()
            let path = try writeFile(dir, "who-safeguards-2024.csv", lines.joined(separator: "\n") + "\n")
            let loaded = try t.load(.whoList, path)
            #expect(loaded.whoListEdition == "2024")
            let c = loaded.counts
            #expect((c.read, c.inserted, c.updated, c.unchanged, c.withdrawn) == (55, 1, 1, 53, 1))
            #expect(try t.strings("SELECT DISTINCT edition FROM current_who_list") == ["2024"])
            #expect(try t.int("SELECT count(*) FROM current_who_list") == 55)
            #expect(try t.int("SELECT count(*) FROM who_list_entries WHERE edition = '2023'") == 55, "the old edition stays")
            #expect(throws: LoadError.self) { try t.load(.whoList, path, mode: .delta) }
            // Another file claiming edition 2024: refused, editions are never replaced.
            let other = try writeFile(dir, "who-2024-b.csv", lines.dropLast().joined(separator: "\n") + "\n")
            let error = try #require(throws: LoadError.self) { try t.load(.whoList, other, source: "who-safeguards-2024") }
            #expect("\(error)".contains("edition 2024"))
            #expect(LoadError.exitStatus(for: error) == 2)
            // A file whose name gives no edition: refused (it became the current list as `unknown`).
            let unnamed = try writeFile(dir, "who-list.csv", lines.joined(separator: "\n") + "\n")
            let missing = try #require(throws: LoadError.self) { try t.load(.whoList, unnamed) }
            #expect("\(missing)".contains("gives no WHO list edition"))
            #expect(LoadError.exitStatus(for: missing) == 2)
            #expect(try t.strings("SELECT DISTINCT edition FROM current_who_list") == ["2024"])
        }
    }

    /// A WHO list edition with a rejected row is refused whole (exit 2, nothing written): it
    /// became the current edition without that country, so its safeguard was lifted with exit 0
    /// (a file cut after a broken row became an edition of no country at all). The message
    /// names the rejections; an empty edition's refusal no longer offers --mode delta.
    @Test func aWHOListEditionWithARejectedRowIsRefusedWhole() throws {
        try LoadDB.with { t in
            let shipped = repositoryRoot.appendingPathComponent("Reference/who-safeguards-2023.csv").path
            let lines = try String(contentsOfFile: shipped, encoding: .utf8).split(separator: "\n").map(String.init)
            let dir = try scratchDir()
            let feedsBefore = try t.int("SELECT count(*) FROM feeds")
            func refused(_ name: String, _ text: String, dryRun: Bool = false) throws -> String {
                let error = try #require(throws: LoadError.self) {
                    try t.load(.whoList, try writeFile(dir, name, text), dryRun: dryRun)
                }
                #expect(LoadError.exitStatus(for: error) == 2)
                #expect(try t.strings("SELECT DISTINCT edition FROM current_who_list") == ["2023"])
                #expect(try t.int("SELECT count(*) FROM current_who_list") == lines.count - 1)
                #expect(try t.int("SELECT count(*) FROM feeds") == feedsBefore)
                return "\(error)"
            }
            let badRegion = lines.map { $0.hasPrefix("NG,") ? "NG,Nigeria,AFRICA" : $0 }
            let line = (badRegion.firstIndex { $0.hasPrefix("NG,") } ?? 0) + 1
            let said = try refused("who-safeguards-2026.csv", badRegion.joined(separator: "\n") + "\n")
            #expect(said.contains("1 row was rejected (line \(line), who_region: INVALID_VALUE") && said.contains("nothing was loaded"),
                    "\(said)")
            #expect(try refused("who-safeguards-2026.csv", badRegion.joined(separator: "\n") + "\n", dryRun: true) == said)
            let cut = try refused("who-safeguards-2027.csv", "country,name,who_region\nAF,\"Afghan\n")
            #expect(cut.contains("line 2, the row: MALFORMED_ROW"), "\(cut)")
            let many = try refused("who-safeguards-2028.csv", lines[0] + "\n" + lines.dropFirst().map { $0 + ",x" }.joined(separator: "\n") + "\n")
            #expect(many.contains("\(lines.count - 1) rows were rejected") && many.contains("; and \(lines.count - 6) more)"), "\(many)")
            let empty = try refused("who-safeguards-2029.csv", lines[0] + "\n")
            #expect(empty.contains("lift every safeguard") && !empty.contains("--mode delta"), "\(empty)")
        }
    }

    @Test func anUnmigratedDatabaseSaysToMigrate() throws {
        try TestDatabase.withSchema { db, _ in
            let error = try #require(throws: LoadError.self) {
                try FeedLoader(connection: db, codes: systemCodes).load(kind: .employers, path: fixturePath("employers.csv"))
            }
            #expect("\(error)".contains("labourmatch db migrate"))
            #expect(LoadError.exitStatus(for: error) == 1)
        }
    }

    /// The lock-timeout message holds any wait the Swift API takes (1e30 and infinity trapped in
    /// the conversion to Int).
    @Test func aLockTimeoutOfAnySizeIsWritten() {
        for (seconds, shown) in [(60.0, "60"), (2.5, "2"), (1e30, "1e+30"), (.infinity, "inf")] {
            let text = LoadError.lockTimeout(kind: .vacancies, source: "s", seconds: seconds).description
            #expect(text.contains("held the lock for \(shown) s"), "\(text)")
        }
    }

    @Test func theDefaultSourceIsTheBaseNameWithoutExtension() {
        #expect(FeedLoader.defaultSource(path: "/data/in/portal-a.csv") == "portal-a")
        #expect(FeedLoader.defaultSource(path: "portal-a.JSONL") == "portal-a")
        #expect(FeedLoader.defaultSource(path: "dir/.csv") == ".csv")
        #expect(FeedLoader.defaultSource(path: "notes.txt") == "notes.txt")
        #expect(LoadMode.defaultMode(for: .vacancies) == .snapshot)
        #expect(LoadMode.defaultMode(for: .fxRates) == .snapshot)
        #expect(LoadMode.defaultMode(for: .workers) == .delta)
        #expect(LoadMode.defaultMode(for: .employers) == .delta)
    }
}

/// Two loads of other sources writing the same keys: the later one waits for the earlier
/// and writes the next version, whichever way their statements interleave.
@Suite struct ConcurrentWriterTests {
    /// A result handed from a thread to the test. `@unchecked Sendable`: `value` is only
    /// touched under `lock`.
    final class Box<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: T?
        var value: T? {
            get { lock.lock(); defer { lock.unlock() }; return stored }
            set { lock.lock(); stored = newValue; lock.unlock() }
        }
    }

    /// A load of vacancies on another connection and thread (named `name` in pg_stat_activity):
    /// its outcome once `done` is signalled.
    static func loadMeanwhile(_ t: LoadDB, path: String, source: String?, as name: String)
        -> (Box<Result<LoadReport, any Error>>, DispatchSemaphore) {
        let schema = t.schema
        let result = Box<Result<LoadReport, any Error>>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            result.value = Result {
                let db = try TestDatabase.connect()
                defer { db.close() }
                try db.execute("SET search_path TO \(schema)")
                try db.execute("SET application_name TO '\(name)-\(schema)'")
                return try FeedLoader(connection: db, codes: systemCodes).load(kind: .vacancies, path: path, source: source)
            }
            done.signal()
        }
        return (result, done)
    }

    /// Whether the session `loadMeanwhile` named `name` comes to wait for a lock.
    static func waitsForALock(_ t: LoadDB, _ name: String) throws -> Bool {
        try waitFor {
            // Inside a transaction, pg_stat_activity is read once unless asked again.
            try t.db.execute("SELECT pg_stat_clear_snapshot()")
            return try t.int("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
                             [.init("\(name)-\(t.schema)")]) == 1
        }
    }

    /// A snapshot that goes back to an earlier file is a no-op (FEEDS.md), unless forced: then
    /// its rows compare with what is current, and the key the file in between withdrew is back.
    @Test func forceLoadsAFileAnEarlierLoadHad() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let all = generatedVacancies(count: 4)
            let a = try writeFile(dir, "daily.csv", all)
            #expect(try t.load(.vacancies, a).counts.inserted == 4)
            let lines = all.split(separator: "\n").map(String.init)
            let b = try writeFile(dir, "daily-b.csv", lines.dropLast().joined(separator: "\n") + "\n")
            #expect(try t.load(.vacancies, b, source: "daily").counts.withdrawn == 1)
            let again = try t.load(.vacancies, a)
            guard case .noOp = again.outcome else { Issue.record("not a no-op: \(again.outcome)"); return }
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE NOT withdrawn") == 3)
            var loader = t.loader()
            loader.force = true
            let forced = try loader.load(kind: .vacancies, path: a)
            guard case .loaded = forced.outcome else { Issue.record("not loaded: \(forced.outcome)"); return }
            #expect((forced.counts.inserted, forced.counts.updated, forced.counts.unchanged) == (0, 1, 3))
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE NOT withdrawn") == 4)
            // Forced again: nothing changes, and it is recorded as a load.
            let twice = try loader.load(kind: .vacancies, path: a)
            #expect((twice.counts.updated, twice.counts.unchanged, twice.counts.withdrawn) == (0, 4, 0))
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 4)
        }
    }

    /// A file replaced between the first pass (its SHA-256) and the second (its rows) fails
    /// the load: another file's rows recorded under the first file's hash would make the real
    /// file a no-op later, its rows never loaded.
    @Test func aFileReplacedWhileTheLoadWaitsFailsAndLoadsNothing() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let daily = try writeFile(dir, "daily.csv", generatedVacancies(count: 20))
            let before = try t.writtenRows()
            // A load of the same source inside a transaction left open holds the source's lock.
            try t.db.execute("BEGIN")
            try t.load(.vacancies, try writeFile(dir, "other.csv", generatedVacancies(count: 3)), source: "daily")
            let (result, done) = Self.loadMeanwhile(t, path: daily, source: nil, as: "lm-r")
            #expect(try Self.waitsForALock(t, "lm-r"), "the load hashed the file and waits for the lock")
            // The file is replaced, as a feed drop does it (write aside, rename over).
            let shorter = try writeFile(dir, "daily.tmp", generatedVacancies(count: 5))
            #expect(rename(shorter, daily) == 0)
            try t.db.execute("ROLLBACK")
            done.wait()
            #expect(throws: LoadError.self) { try result.value?.get() }
            if case .failure(let error)? = result.value {
                #expect("\(error)".contains("the file changed while it was loaded"), "\(error)")
                #expect(LoadError.exitStatus(for: error) == 1)
            }
            #expect(try t.writtenRows() == before, "nothing of either file was written")
            // The file as it is now loads (5 rows), and is not taken for the one hashed before.
            let now = try t.load(.vacancies, daily)
            #expect(now.counts.inserted == 5)
        }
    }

    /// A pipe is refused before it is opened (opening a FIFO would wait for a writer, and a load
    /// reads its file twice).
    @Test func aPipeIsRefusedAtOnce() throws {
        try LoadDB.with { t in
            let fifo = try scratchDir().appendingPathComponent("feed.csv").path
            #expect(mkfifo(fifo, 0o600) == 0)
            do {
                _ = try t.load(.employers, fifo)
                Issue.record("a FIFO was loaded")
            } catch {
                #expect("\(error)".contains("not a regular file"), "\(error)")
                #expect(LoadError.exitStatus(for: error) == 2)
            }
        }
    }

    @Test func aLoadThatFindsNewKeysTakenMeanwhileWritesTheNextVersion() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let a = try writeFile(dir, "a.csv", generatedVacancies(count: 20))
            let b = try writeFile(dir, "b.csv", generatedVacancies(count: 20, from: 10, title: "From portal b"))
            // Load A inside a transaction left open: its new keys are inserted, not committed.
            try t.db.execute("BEGIN")
            try t.load(.vacancies, a, source: "portal-a")
            // Load B on another connection: its first look sees K00010-K00019 as new, and its
            // identity insert must wait for A.
            let (result, done) = Self.loadMeanwhile(t, path: b, source: "portal-b", as: "lm-b")
            #expect(try Self.waitsForALock(t, "lm-b"), "B waits for A's uncommitted keys")
            try t.db.execute("COMMIT")
            done.wait()
            let report = try #require(try result.value?.get())
            #expect((report.counts.inserted, report.counts.updated) == (10, 10))
            #expect(try t.int("SELECT count(*) FROM vacancy_versions WHERE vacancy_id >= 'K00010' AND vacancy_id < 'K00020' AND version = 2 AND is_current") == 10)
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE title = 'From portal b'") == 20)
        }
    }

}

/// A snapshot stages the rows its source already holds lean, and checks the guess before it writes.
@Suite struct LeanStagingTests {

    @Test func aSnapshotReloadStagesTheRowsItsSourceHoldsLean() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let first = try t.load(.vacancies, try writeFile(dir, "a.csv", generatedVacancies(count: 20)), source: "a")
            #expect(first.leanRows == 0, "a first load finds nothing to skip")
            // K00003 changes; the other 19 rows repeat their current version.
            var lines = generatedVacancies(count: 20).split(separator: "\n").map(String.init)
            var fields = lines[4].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(fields[0] == "K00003")
            fields[4] = "Changed title"
            lines[4] = fields.joined(separator: ",")
            let changed = try writeFile(dir, "a2.csv", lines.joined(separator: "\n") + "\n")
            let report = try t.load(.vacancies, changed, source: "a")
            #expect(report.leanRows == 19)
            #expect(!report.restartedWhole)
            #expect(report.leanTrusted, "no load of vacancies committed meanwhile: the plan leaves the lean rows out")
            let c = report.counts
            #expect((c.read, c.inserted, c.updated, c.unchanged) == (20, 0, 1, 19))
            #expect(try t.strings("SELECT vacancy_id || ':' || version FROM current_vacancies WHERE version > 1") == ["K00003:2"])
            #expect(try t.strings("SELECT title FROM current_vacancies WHERE vacancy_id = 'K00003'") == ["Changed title"])
            // The lean rows' versions are the ones the first load wrote, lists and all.
            #expect(try t.int("SELECT count(*)::int FROM current_vacancies WHERE version = 1 AND feed_id = $1",
                              [.init(first.feedId!)]) == 19)
            // Another source holding the same keys stages whole: its rows are not its own.
            let other = try t.load(.vacancies, changed, source: "b")
            #expect(other.leanRows == 0)
            #expect(other.counts.unchanged == 20)
            // A source holding more versions than the limit stages whole (the read stops at the limit).
            var limited = t.loader()
            limited.leanLimit = 5
            let over = try limited.load(kind: .vacancies, path: try writeFile(dir, "a4.csv", generatedVacancies(count: 21)),
                                        source: "a")
            #expect(over.leanRows == 0)
            #expect((over.counts.inserted, over.counts.updated, over.counts.unchanged) == (1, 1, 19), "K00003 goes back to its first title")
            // A delta stages whole too.
            let delta = try t.load(.vacancies, try writeFile(dir, "a3.csv", generatedVacancies(count: 20, title: "Delta")),
                                   source: "a", mode: .delta)
            #expect(delta.leanRows == 0)
            #expect(delta.counts.updated == 20)
        }
    }

    @Test func aKeyChangedUnderALeanRowStartsTheLoadAgainWhole() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let a = try writeFile(dir, "a.csv", generatedVacancies(count: 20))
            try t.load(.vacancies, a, source: "a")
            // Source a again, one key more: the 20 known rows go lean.
            let a2 = try writeFile(dir, "a2.csv", generatedVacancies(count: 21))
            // Meanwhile, source b gives K00005 a new version.
            let b = try writeFile(dir, "b.csv", generatedVacancies(count: 1, from: 5, title: "From portal b"))
            var loader = t.loader()
            loader.testPause = loadMeanwhile(t, .vacancies, b)
            let report = try loader.load(kind: .vacancies, path: a2, source: "a")
            #expect(report.restartedWhole)
            // The time adds up: the first attempt, then the second's read and merge.
            #expect((report.firstAttemptSeconds ?? 0) > 0
                    && report.seconds >= report.firstAttemptSeconds! + report.readSeconds + report.mergeSeconds,
                    "\(report.seconds) \(report.firstAttemptSeconds ?? -1) \(report.readSeconds) \(report.mergeSeconds)")
            #expect(!report.leanTrusted)
            #expect(report.leanRows == 0, "the second attempt stages every row whole")
            let c = report.counts
            #expect((c.read, c.inserted, c.updated, c.unchanged) == (21, 1, 1, 19))
            // K00005: a's version, then b's, then a's content again as version 3.
            let original = try t.strings("SELECT title FROM vacancy_versions WHERE vacancy_id = 'K00005' AND version = 1")
            #expect(original.count == 1 && original != ["From portal b"])
            #expect(try t.strings("SELECT title FROM vacancy_versions WHERE vacancy_id = 'K00005' ORDER BY version")
                    == original + ["From portal b"] + original)
            #expect(try t.int("""
                SELECT count(DISTINCT content_sha256)::int FROM vacancy_versions
                WHERE vacancy_id = 'K00005' AND version IN (1, 3)
                """) == 1)
            #expect(try t.int("SELECT count(*)::int FROM feeds WHERE kind = 'vacancies'") == 3, "one feed per load, none from the first attempt")
        }
    }


    /// A pause after 10 rows in which another connection loads `path` as `kind` from source "b"
    /// and commits, while the paused load is still reading.
    private func loadMeanwhile(_ t: LoadDB, _ kind: FeedKind, _ path: String) -> LoadTestPause {
        let schema = t.schema
        return LoadTestPause(afterRows: 10, seconds: 0) {
            let db = try TestDatabase.connect()
            defer { db.close() }
            try db.execute("SET search_path TO \(schema)")
            try FeedLoader(connection: db, codes: systemCodes).load(kind: kind, path: path, source: "b")
        }
    }

    /// The lines of `generatedVacancies(count:)` with some keys' titles changed and some keys left out.
    private func edited(_ count: Int, titles: [Int: String] = [:], without: Set<Int> = [], adding extra: Int = 0) -> String {
        let lines = generatedVacancies(count: count + extra).split(separator: "\n").map(String.init)
        var out = [lines[0]]
        for (i, line) in lines.dropFirst().enumerated() where !without.contains(i) {
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if let title = titles[i] { fields[4] = title }
            out.append(fields.joined(separator: ","))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// With the lean rows trusted, a snapshot still withdraws exactly the keys its file no longer
    /// names: the count that skips the anti-join must not hide a key that is gone, whether the
    /// file only drops it, drops one and brings a new one, or names it only in a rejected row.
    @Test func aTrustedPlanStillWithdrawsWhatTheFileNoLongerNames() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            try t.load(.vacancies, try writeFile(dir, "a.csv", generatedVacancies(count: 20)), source: "a")
            func current(_ key: String) throws -> String {
                try t.strings("SELECT version || ':' || withdrawn FROM current_vacancies WHERE vacancy_id = $1", [.init(key)])[0]
            }

            // One title changed, nothing dropped: nothing withdrawn.
            let same = try t.load(.vacancies, try writeFile(dir, "a1.csv", edited(20, titles: [3: "New title"])), source: "a")
            #expect(same.leanTrusted)
            #expect((same.counts.updated, same.counts.unchanged, same.counts.withdrawn) == (1, 19, 0))

            // K00007 dropped, K00020 new: as many rows as the source holds, and one is gone.
            let swapped = try t.load(.vacancies, try writeFile(dir, "a2.csv", edited(20, titles: [3: "New title"], without: [7], adding: 1)),
                                     source: "a")
            #expect(swapped.leanTrusted)
            #expect((swapped.counts.inserted, swapped.counts.unchanged, swapped.counts.withdrawn) == (1, 19, 1))
            #expect(try current("K00007") == "2:true")

            // K00011 named by a rejected row only (an unknown employer): not gone, not changed.
            var lines = edited(21, titles: [3: "New title"], without: [7]).split(separator: "\n").map(String.init)
            let row = try #require(lines.firstIndex { $0.hasPrefix("K00011,") })
            var fields = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[1] = "NO-SUCH-EMPLOYER"
            lines[row] = fields.joined(separator: ",")
            let rejected = try t.load(.vacancies, try writeFile(dir, "a3.csv", lines.joined(separator: "\n") + "\n"), source: "a")
            #expect(rejected.leanTrusted)
            #expect((rejected.counts.rejected, rejected.counts.unchanged, rejected.counts.withdrawn) == (1, 19, 0))
            #expect(try current("K00011") == "1:false")

            // K00012 dropped and K00003 changed back: one gone, one updated.
            let both = try t.load(.vacancies, try writeFile(dir, "a4.csv", edited(21, without: [7, 12])), source: "a")
            #expect(both.leanTrusted)
            #expect((both.counts.updated, both.counts.unchanged, both.counts.withdrawn) == (1, 18, 1))
            #expect(try current("K00012") == "2:true")
            #expect(try current("K00003") == "3:false")
        }
    }

    /// A load of the same kind that commits while this one reads makes the plan look at the lean
    /// rows again (here it changed none of them: nothing restarts); a load of another kind does not.
    @Test func aLoadOfTheSameKindMeanwhileMakesThePlanLookAtTheLeanRows() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let a = try writeFile(dir, "a.csv", generatedVacancies(count: 20))
            try t.load(.vacancies, a, source: "a")
            let a2 = try writeFile(dir, "a2.csv", edited(20, titles: [3: "New title"]))
            let b = try writeFile(dir, "b.csv", generatedVacancies(count: 1, prefix: "B"))
            var loader = t.loader()
            loader.testPause = loadMeanwhile(t, .vacancies, b)
            let report = try loader.load(kind: .vacancies, path: a2, source: "a")
            #expect(!report.leanTrusted)
            #expect(!report.restartedWhole)
            #expect((report.leanRows, report.counts.updated, report.counts.unchanged) == (19, 1, 19))
            #expect(try t.int("SELECT count(*)::int FROM current_vacancies WHERE vacancy_id = 'B00000'") == 1)

            loader.testPause = loadMeanwhile(t, .employers, fixturePath("employers.csv"))
            let again = try loader.load(kind: .vacancies, path: try writeFile(dir, "a3.csv", edited(20, titles: [4: "Other title"])),
                                        source: "a")
            #expect(again.leanTrusted)
            #expect((again.counts.updated, again.counts.unchanged) == (2, 18))
            #expect(try t.int("SELECT count(*)::int FROM feeds WHERE kind = 'employers' AND source = 'b'") == 1)
        }
    }
}

/// DUPLICATE_KEY, found among the staged rows by the reader's rule.
@Suite struct DuplicateKeyLoadTests {

    /// The loader finds DUPLICATE_KEY in the database (the reader holds no keys); its rejections
    /// are the offline reader's, sentence included, and the summary's first ones come in line order.
    @Test func duplicateKeysAreTheReadersOwnRejections() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            var lines = generatedVacancies(count: 12).split(separator: "\n").map(String.init)
            func row(_ i: Int, id: String, openings: String? = nil) -> String {
                var fields = lines[i + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                fields[0] = id
                if let openings { fields[6] = openings }
                return fields.joined(separator: ",")
            }
            lines += [row(1, id: "K00003"), row(2, id: "D1", openings: "many"), row(3, id: "D1"),
                      row(4, id: "D1"), row(5, id: "K00003"), row(6, id: "K00011", openings: "x"), row(7, id: "K00000")]
            for i in 0..<12 { lines.append(row(i, id: "K000\(String(format: "%02d", i))")) }
            let text = lines.joined(separator: "\n") + "\n"
            let path = try writeFile(dir, "dups.csv", text)
            let offline = try FeedReader(kind: .vacancies, format: .csv, codes: systemCodes,
                                         knownEmployer: { _ in true }, knownRecruiter: { _ in true })
                .readAll(path: path)
            let report = try t.load(.vacancies, path)
            let stored = try t.db.query("SELECT line, field, reason, key, raw, detail FROM feed_rejections ORDER BY line")
                .map { r in Rejection(line: try r.decode(0), field: try r.decodeIfPresent(1), reason: RejectionReason(rawValue: try r.decode(2))!,
                                      raw: try r.decode(4), key: try r.decodeIfPresent(3), detail: try r.decode(5)) }
            #expect(stored == offline.rejections)
            #expect(offline.rejections.filter { $0.reason == .duplicateKey }.count == 16)
            #expect(report.counts.rejectedByReason[.duplicateKey] == 16)
            #expect(report.counts.rejected == offline.rejections.count)
            #expect(report.counts.inserted == offline.accepted.count)
            #expect(report.firstRejections == Array(offline.rejections.prefix(FeedLoader.firstRejectionsKept)))
            // D1: the first row was rejected, so it held no key; the second was accepted.
            #expect(try t.int("SELECT count(*)::int FROM current_vacancies WHERE vacancy_id = 'D1'") == 1)
            #expect(try t.strings("SELECT reason FROM feed_rejections WHERE key = 'D1' ORDER BY line") == ["INVALID_VALUE", "DUPLICATE_KEY"])
        }
    }

    /// A row the database cannot hold is rejected by the loader; like any rejected row, it
    /// does not hold its key (FEEDS.md), so a later row with that key loads.
    @Test func aRowTheDatabaseCannotHoldDoesNotHoldItsKey() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let nul = FeedLoaderTests.vacancyJSON("VN1", title: #"Nurse\u0000"#)
            let ok = FeedLoaderTests.vacancyJSON("VN1")
            let again = FeedLoaderTests.vacancyJSON("VN1", title: "Nurse 2")
            // What the tables cannot hold is a field check: it comes before the references (FEEDS.md's order).
            let nulUnknown = FeedLoaderTests.vacancyJSON("VN2", employer: "NOPE", title: #"Nurse\u0000"#)
            let report = try t.load(.vacancies, try writeFile(dir, "v.ndjson", [nul, ok, again, nulUnknown].joined(separator: "\n")))
            #expect((report.counts.inserted, report.counts.rejected) == (1, 3))
            #expect(try t.strings("SELECT line || ':' || reason || ':' || field FROM feed_rejections ORDER BY line")
                    == ["1:INVALID_VALUE:title", "3:DUPLICATE_KEY:vacancy_id", "4:INVALID_VALUE:title"])
            #expect(try t.strings("SELECT title FROM current_vacancies WHERE vacancy_id = 'VN1'") == ["Nurse"])
        }
    }
}
