import Feeds
import Foundation
import Postgres
import Store
import Testing

/// Polls `condition` every 50 ms for up to `seconds`; whether it came true.
func waitFor(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}

/// `labourmatch load` and `labourmatch feeds` as operators run them: subprocesses on a real server.
@Suite struct LoadCommandTests {
    /// `db bench-read` (hidden, for Scripts/bench) times the client's share of a load without a server.
    @Test func benchReadTimesTheClientAloneWithoutADatabase() throws {
        let run = try runLabourmatch(["db", "bench-read", "vacancies", fixturePath("vacancies.csv")],
                                     environment: ["DATABASE_URL": "postgresql://nobody@/nowhere?host=/nonexistent"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("rows=52 digest_s="), "\(run.stdout)")
        #expect(run.stdout.contains(" read_rows_per_s=") && run.stdout.contains(" encode_rows_per_s="))
        let bad = try runLabourmatch(["db", "bench-read", "vacancies", fixturePath("bad/vacancies-missing-column.csv")])
        #expect(bad.status != 0)
        let timing = try FeedLoader.measureClient(kind: .vacancies, path: fixturePath("vacancies.csv"), codes: systemCodes)
        #expect(timing.rows == 52)
        #expect(timing.readSeconds > 0 && timing.digestSeconds > 0)
    }

    /// The progress line, shown when stderr is a terminal (here a pseudo-terminal of
    /// script(1)), escapes the file's name like the summary does: it wrote it raw, so a name
    /// holding a terminal escape (here one that retitles the window) drove the terminal.
    @Test func theProgressLineEscapesTheFileName() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let path = try writeFile(dir, "v\u{1B}]0;HACKED\u{07}.csv", try String(contentsOfFile: fixturePath("vacancies.csv"), encoding: .utf8))
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            let command = [labourmatchBinary.path, "load", "vacancies", path, "--source", "portal", "--database-url", t.url()]
                .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            shell.arguments = ["-qec", command, "/dev/null"]
            let out = PipeReading.pipe()
            shell.standardOutput = out
            shell.standardInput = FileHandle.nullDevice
            try shell.run()
            let seen = String(decoding: PipeReading.all(of: out.fileHandleForReading), as: UTF8.self)
            shell.waitUntilExit()
            #expect(shell.terminationStatus == 0, "\(seen)")
            #expect(seen.contains("loading v\\u{1B}]0;HACKED\\u{7}.csv: "), "the progress line was shown, escaped: \(seen)")
            #expect(!seen.contains("\u{1B}]0;") && !seen.contains("\u{07}"), "\(seen)")
        }
    }

    @Test func loadsSaysWhatItDidAndTheSecondTimeIsANoOp() throws {
        try LoadDB.with { t in
            let url = t.url()
            for kind in ["employers", "recruiters"] {
                let run = try runLabourmatch(["load", kind, fixturePath("\(kind).csv"), "--database-url", url])
                #expect(run.status == 0, "\(run.stderr)")
            }
            let first = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.hasPrefix("loaded \(fixturePath("vacancies.csv")) as feed 3: vacancies from source 'vacancies', snapshot, csv"))
            #expect(first.stdout.contains("rows: 52 read = 52 inserted + 0 updated + 0 unchanged + 0 rejected"))
            let again = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url])
            #expect(again.status == 0)
            #expect(again.stdout.hasPrefix("no-op: "))
            #expect(again.stdout.contains("as feed 3"))
            #expect(!again.stdout.contains("note:"), "\(again.stdout)")
            // Asked with another mode than feed 3's: still a no-op (FEEDS.md), but it says that
            // feed 3 was not loaded as now asked (it read as "your delta is in place").
            let asDelta = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--mode", "delta", "--database-url", url])
            #expect(asDelta.status == 0 && asDelta.stdout.hasPrefix("no-op: "), "\(asDelta.stdout)\(asDelta.stderr)")
            #expect(asDelta.stdout.contains("note: feed 3 loaded it snapshot, csv (0 rows rejected), not delta, csv as asked now: "
                                            + "give --force to load it as asked"), "\(asDelta.stdout)")
            #expect(try t.int("SELECT count(*) FROM feeds") == 3)

            let list = try runLabourmatch(["feeds", "list", "--database-url", url])
            #expect(list.status == 0)
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.count == 4, "a header and three loads, newest first: \(list.stdout)")
            #expect(lines[1].drop { $0 == " " }.hasPrefix("3  vacancies"))
            #expect(!list.stdout.contains("--limit shows more"), "\(list.stdout)")
            let two = try runLabourmatch(["feeds", "list", "--limit", "2", "--database-url", url])
            #expect(two.stdout.split(separator: "\n").count == 4 && two.stdout.hasSuffix(
                "(the 2 newest shown; older loads are recorded: --before 2 shows the next 2, --limit more at once)\n"), "\(two.stdout)")
            // The next page: loads older than the last id shown.
            let next = try runLabourmatch(["feeds", "list", "--limit", "2", "--before", "2", "--database-url", url])
            let nextLines = next.stdout.split(separator: "\n")
            #expect(next.status == 0 && nextLines.count == 2 && nextLines[1].drop { $0 == " " }.hasPrefix("1  employers"),
                    "\(next.stdout)")
            #expect(try runLabourmatch(["feeds", "list", "--before", "1", "--database-url", url]).stdout
                    == "no loads recorded before feed 1\n")
            #expect(try runLabourmatch(["feeds", "list", "--before", "0", "--database-url", url]).status == 2)
            let three = try runLabourmatch(["feeds", "list", "--limit", "3", "--database-url", url])
            #expect(!three.stdout.contains("--limit shows more"), "\(three.stdout)")
            let show = try runLabourmatch(["feeds", "show", "3", "--database-url", url])
            #expect(show.stdout.hasPrefix("feed 3: vacancies from source 'vacancies', snapshot, csv"))
            let missing = try runLabourmatch(["feeds", "show", "99", "--database-url", url])
            #expect(missing.status == 2)

            // A snapshot of the same source without two rows withdraws them, and says which.
            let lines2 = try String(contentsOfFile: fixturePath("vacancies.csv"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
            let dropped = [lines2[5], lines2[2]].map { String($0.prefix { $0 != "," }) }
            let fewer = FileManager.default.temporaryDirectory.appendingPathComponent("fewer-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: fewer) }
            try Data(lines2.enumerated().filter { ![2, 5].contains($0.offset) }.map(\.element)
                .joined(separator: "\n").utf8).write(to: fewer)
            let snapshot = try runLabourmatch(["load", "vacancies", fewer.path, "--source", "vacancies", "--database-url", url])
            #expect(snapshot.status == 0 && snapshot.stdout.contains("as feed 4"), "\(snapshot.stdout)\(snapshot.stderr)")
            let withdrawn = try runLabourmatch(["feeds", "show", "4", "--withdrawn", "--database-url", url])
            #expect(withdrawn.status == 0 && withdrawn.stdout == dropped.sorted().map { $0 + "\n" }.joined(),
                    "\(withdrawn.stdout)\(withdrawn.stderr)")
            #expect(try runLabourmatch(["feeds", "show", "3", "--withdrawn", "--database-url", url]).stdout == "")
            // Found through 0013's index, not by reading the whole versions table (as planned
            // when a scan is dearer: here the table is small, so scans are priced out).
            try t.db.execute("SET enable_seqscan = off")
            defer { _ = try? t.db.execute("RESET enable_seqscan") }
            let plan = try t.strings("EXPLAIN SELECT vacancy_id::text FROM vacancy_versions WHERE feed_id = 4 AND withdrawn")
                .joined(separator: "\n")
            #expect(plan.contains("vacancy_versions_withdrawn_by"), "\(plan)")
            #expect(try runLabourmatch(["feeds", "show", "3", "--withdrawn", "--rejections", "--database-url", url]).status == 2)
            #expect(snapshot.stdout.contains("withdrawn: 2 (keys of source 'vacancies' the file no longer lists)\n"
                                             + "    (the keys: labourmatch feeds show 4 --withdrawn)\n"), "\(snapshot.stdout)")
            #expect(!snapshot.stdout.contains("warning:") && !snapshot.stderr.contains("warning"), "\(snapshot.stdout)")
            // The first file again: a no-op (FEEDS.md), which says the source has changed since.
            let back = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url])
            #expect(back.stdout.hasPrefix("no-op: ") && back.stdout.contains("note: this source has had 1 load since feed 3, "
                + "the latest feed 4: what it holds now may differ from this file"), "\(back.stdout)")
            // A partial file as a snapshot withdraws most of the source: it stands (FEEDS.md), and says so.
            let partial = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: partial) }
            try Data((lines2.prefix(4).joined(separator: "\n") + "\n").utf8).write(to: partial)
            let cut = try runLabourmatch(["load", "vacancies", partial.path, "--source", "vacancies", "--database-url", url])
            #expect(cut.status == 0 && cut.stdout.contains("withdrawn: 48 (")
                    && cut.stdout.contains("  warning: this snapshot withdrew more keys than its file has accepted rows (48 against 3)"),
                    "\(cut.stdout)")
            #expect(cut.stderr.contains("feed 5: this snapshot withdrew more keys than its file has accepted rows"), "\(cut.stderr)")
        }
    }

    /// A no-op of a file whose earlier load rejected rows says so: vacancies loaded before their
    /// employers are all rejected, and the same file once the employers are in was a bare no-op.
    @Test func aNoOpSaysTheEarlierLoadRejectedRows() throws {
        try LoadDB.with { t in
            let url = t.url()
            let early = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url])
            #expect(early.status == 0 && early.stdout.contains("UNKNOWN_EMPLOYER 52"), "\(early.stdout)")
            // Every row rejected: exit 0, and a warning on stderr, where a scheduled load's log is read.
            #expect(early.stderr.contains("warning: feed 1: every one of its 52 rows was rejected, so nothing of the file "
                + "was loaded (labourmatch feeds show 1 says why)"), "\(early.stderr)")
            for kind in ["employers", "recruiters"] {
                let loaded = try runLabourmatch(["load", kind, fixturePath("\(kind).csv"), "--database-url", url])
                #expect(loaded.status == 0 && !loaded.stderr.contains("every one of its"), "\(loaded.stderr)")
            }
            let again = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url])
            #expect(again.status == 0 && again.stdout.hasPrefix("no-op: ") && again.stdout.contains(
                "note: feed 1 rejected 52 rows of its 52 (labourmatch feeds show 1 says why): if their cause is mended now"),
                "\(again.stdout)")
            let forced = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--force", "--database-url", url])
            #expect(forced.status == 0 && forced.stdout.contains("rows: 52 read = 52 inserted"), "\(forced.stdout)")
        }
    }

    @Test func feedsShowRejectionsPrintsTheOfflineFormat() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let url = t.url()
            let load = try runLabourmatch(["load", "workers", fixturePath("bad/workers-rows.csv"), "--database-url", url])
            #expect(load.status == 0, "\(load.stderr)")
            #expect(load.stdout.contains("rejected: MALFORMED_ROW 3"))
            #expect(load.stdout.contains("labourmatch feeds show 3 --rejections"))
            let rejections = try runLabourmatch(["feeds", "show", "3", "--rejections", "--database-url", url])
            #expect(rejections.status == 0)
            let expected = try String(contentsOfFile: fixturePath("expected/rejections/workers-rows.csv.rejections.csv"),
                                      encoding: .utf8)
            #expect(rejections.stdout == expected)
            // --detail: the same rows, each with the sentence the database keeps for it.
            let detailed = try runLabourmatch(["feeds", "show", "3", "--rejections", "--detail", "--database-url", url])
            #expect(detailed.status == 0, "\(detailed.stderr)")
            let rows = detailed.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(rows.first == "file,line,field,reason,raw,detail")
            let details = try t.strings("SELECT detail FROM feed_rejections ORDER BY line")
            #expect(!details.isEmpty && details.allSatisfy { !$0.isEmpty })
            for sentence in details {
                #expect(detailed.stdout.contains(RunInputs.csvField(sentence)), "\(sentence)")
            }
            let alone = try runLabourmatch(["feeds", "show", "3", "--detail", "--database-url", url])
            #expect(alone.status == 2 && alone.stderr.contains("--detail goes with --rejections"), "\(alone.stderr)")
        }
    }

    /// `--rejections-out` lists every rejected row, a dry run's too (read inside its transaction
    /// before the rollback), a no-op's from the load it repeats: the same file each time, the rows
    /// `feeds show --rejections --detail` prints. A load that fails writes none; a directory is
    /// bad usage.
    @Test func rejectionsOutListsEveryRejectedRowEvenOfADryRun() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let url = t.url()
            let dir = try scratchDir()
            let bad = fixturePath("bad/vacancies-rows.csv")
            func load(_ out: String, _ extra: [String] = []) throws -> LabourmatchProcess.Outcome {
                try runLabourmatch(["load", "vacancies", bad, "--rejections-out", dir.appendingPathComponent(out).path,
                                    "--database-url", url] + extra)
            }
            func file(_ name: String) throws -> String { try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) }
            let dry = try load("dry.csv", ["--dry-run"])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(try t.int("SELECT count(*) FROM feed_rejections") == 0, "a dry run writes nothing")
            let expected = try String(contentsOfFile: fixturePath("expected/rejections/vacancies-rows.csv.rejections.csv"),
                                      encoding: .utf8).split(separator: "\n").count - 1
            #expect(dry.stdout.contains("rejections: \(expected) row(s) written to"), "\(dry.stdout)")
            #expect(try file("dry.csv").split(separator: "\n").count == expected + 1)
            #expect(try load("real.csv").status == 0)
            #expect(try load("noop.csv").stdout.hasPrefix("no-op: "))
            let feed = try t.int("SELECT max(feed_id)::int FROM feeds")   // not 3: the dry run took an id
            let shown = try runLabourmatch(["feeds", "show", String(feed), "--rejections", "--detail", "--database-url", url])
            #expect(try file("dry.csv") == shown.stdout)
            #expect(try file("real.csv") == shown.stdout)
            #expect(try file("noop.csv") == shown.stdout)
            let failed = try runLabourmatch(["load", "vacancies", fixturePath("bad/vacancies-missing-column.csv"),
                                             "--rejections-out", dir.appendingPathComponent("failed.csv").path,
                                             "--database-url", url])
            #expect(failed.status == 2)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["dry.csv", "noop.csv", "real.csv"],
                    "no file, and no temporary file left, for a failed load")
            let intoDirectory = try runLabourmatch(["load", "vacancies", bad, "--rejections-out", dir.path, "--database-url", url])
            #expect(intoDirectory.status == 2 && intoDirectory.stderr.contains("is a directory"), "\(intoDirectory.stderr)")
            // Paths refused before any work (2): the feed file itself (a dry run overwrote it),
            // a directory that does not exist (it was created, and left behind by a failed load),
            // an empty name.
            let copy = dir.appendingPathComponent("copy.csv").path
            try FileManager.default.copyItem(atPath: bad, toPath: copy)
            let link = dir.appendingPathComponent("link.csv").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: copy)
            let target = dir.appendingPathComponent("target.txt").path
            try Data("keep\n".utf8).write(to: URL(fileURLWithPath: target))
            let elsewhere = dir.appendingPathComponent("elsewhere.csv").path
            try FileManager.default.createSymbolicLink(atPath: elsewhere, withDestinationPath: target)
            // `..` after a link to a directory is where the system takes it: `lc/../q` is
            // `a/b/q`, which does not exist, though `q` beside `lc` does (the temporary file
            // went there, and the rename after the commit failed).
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("a/b/c"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("q"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("lc").path,
                                                       withDestinationPath: dir.appendingPathComponent("a/b/c").path)
            for (out, why) in [(dir.appendingPathComponent("lc").path + "/../q/r.csv", "no directory"),
                               (copy, "is the feed file itself"), (link, "is the feed file itself"),
                               (elsewhere, "is a symbolic link or not a regular file"),
                               (dir.appendingPathComponent("no/such/dir/r.csv").path, "no directory"),
                               ("", "give a file name")] {
                let refused = try runLabourmatch(["load", "vacancies", copy, "--dry-run", "--rejections-out", out,
                                                  "--database-url", url])
                #expect(refused.status == 2 && refused.stderr.contains(why), "\(out): \(refused.stderr)")
            }
            #expect(FileManager.default.contentsEqual(atPath: copy, andPath: bad), "the feed file is intact")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep\n", "a link is not written through")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("no").path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("q").path).isEmpty)
        }
    }

    /// A stop signal while the rejections file is written removes its temporary file, and the
    /// process ends by the signal (the load is rolled back), as without --rejections-out. SIGHUP
    /// too (a dropped ssh session), whose default death left the file.
    @Test(arguments: [SIGTERM, SIGHUP])
    func aStoppedLoadLeavesNoRejectionsFile(signal: Int32) throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let path = try writeFile(dir, "all-bad.csv", Self.bigVacancies(count: 60_000, badEvery: 1))
            let out = try scratchDir()
            let load = try startLabourmatch(["load", "vacancies", path, "--dry-run", "--rejections-out",
                                             out.appendingPathComponent("r.csv").path, "--database-url", t.url()])
            let writing = waitFor(seconds: 120) {
                (try? FileManager.default.contentsOfDirectory(atPath: out.path))?.contains { $0.hasSuffix(".tmp") } == true
            }
            #expect(writing, "the temporary file appeared")
            Foundation.kill(load.pid, signal)
            let done = load.finish()
            #expect(done.status == 128 + signal, "\(done.stderr)")
            #expect(done.stderr.contains("stopped before the load's COMMIT; nothing was loaded"), "\(done.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 0)
        }
    }

    /// A load without --rejections-out stopped by a signal says that nothing was loaded, and
    /// ends by the signal (it ended without a word, though README says what became of it).
    @Test(arguments: [SIGTERM, SIGINT])
    func aStoppedLoadSaysNothingWasLoaded(signal: Int32) throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let load = try startLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", t.url()],
                                            environment: ["LABOURMATCH_TEST_PAUSE_AFTER_ROWS": "1"])
            #expect(load.waitForStderr(containing: "test pause"), "\(load.stderr)")
            Foundation.kill(load.pid, signal)
            let done = load.finish()
            #expect(done.signaled && done.status == 128 + signal, "\(done.status) \(done.stderr)")
            #expect(done.stderr.contains("\(signal == SIGINT ? "SIGINT" : "SIGTERM"): stopped before the load's COMMIT; "
                                         + "nothing was loaded"), "\(done.stderr)")
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 0)
        }
    }

    /// A load whose connection is lost before its COMMIT says that nothing was loaded and to load
    /// the file again (it gave the bare "connection lost" of the COPY).
    @Test func aLoadThatLosesItsConnectionSaysNothingWasLoaded() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let application = "lm-lost-\(UInt32.random(in: 0...UInt32.max))"
            let load = try startLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"),
                                             "--database-url", t.url(application: application)],
                                            environment: ["LABOURMATCH_TEST_PAUSE_AFTER_ROWS": "1",
                                                          "LABOURMATCH_TEST_PAUSE_SECONDS": "3"])
            #expect(load.waitForStderr(containing: "test pause"), "\(load.stderr)")
            #expect(try t.int("""
                SELECT count(*) FROM pg_stat_activity, pg_terminate_backend(pid) AS t
                WHERE application_name = $1 AND t
                """, [PostgresValue(application)]) == 1)
            let done = load.finish()
            #expect(done.status == 1 && done.stderr.contains("nothing was loaded (the load's transaction never committed): "
                                                             + "load the file again"), "\(done.stderr)")
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 0)
        }
    }

    /// A load started ignoring SIGHUP (nohup, a dropped ssh session) goes on when it comes: it
    /// caught every stop signal, so nohup no longer protected it (it died by SIGHUP).
    @Test func aLoadStartedUnderNohupIgnoresSIGHUP() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "trap '' HUP; exec \"$@\"", "sh", labourmatchBinary.path, "load", "vacancies",
                               fixturePath("vacancies.csv"), "--database-url", t.url()]
            var environment = ProcessInfo.processInfo.environment
            environment["LABOURMATCH_TEST_PAUSE_AFTER_ROWS"] = "1"
            environment["LABOURMATCH_TEST_PAUSE_SECONDS"] = "3"
            shell.environment = environment
            let err = PipeReading.pipe()
            shell.standardError = err
            shell.standardOutput = FileHandle.nullDevice
            try shell.run()
            let said = String(decoding: PipeReading.chunk(of: err.fileHandleForReading), as: UTF8.self)
            #expect(said.contains("test pause"), "\(said)")
            kill(shell.processIdentifier, SIGHUP)
            let rest = String(decoding: PipeReading.all(of: err.fileHandleForReading), as: UTF8.self)
            shell.waitUntilExit()
            #expect(shell.terminationReason == .exit && shell.terminationStatus == 0, "\(said)\(rest)")
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 1)
        }
    }

    /// A stop signal while standard error is a full pipe (a stalled log reader, a terminal
    /// paused with Ctrl-S): the process still ends by it, its message given up after a while.
    /// It waited for ever to write the message, and the load went on.
    @Test(arguments: [false, true])
    func aStopSignalEndsALoadWhoseStandardErrorIsFull(duringTheCommit: Bool) throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let application = "lm-full-stderr-\(UInt32.random(in: 0...UInt32.max))"
            // During the COMMIT: its answer held by a proxy until the signal came, then let go;
            // the outcome's warning, on the full pipe, hung the process (its feed committed).
            let proxied = duringTheCommit ? try LostAnswerProxy.inFront(of: t.db) : nil
            defer { proxied?.0.release(); proxied?.0.close() }
            proxied?.0.holdAnswer(after: "COPY lm_stage", to: "COMMIT")
            let url = proxied.map { $0.1 + " options='-csearch_path=\(t.schema)' application_name='\(application)'" }
                ?? t.url(application: application)
            let load = Process()
            load.executableURL = labourmatchBinary
            load.arguments = ["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url]
            var environment = ProcessInfo.processInfo.environment
            if !duringTheCommit {
                environment["LABOURMATCH_TEST_PAUSE_AFTER_ROWS"] = "1"
                environment["LABOURMATCH_TEST_PAUSE_SECONDS"] = "600"
            }
            load.environment = environment
            let err = PipeReading.pipe()
            // Filled to the brim before the child starts: its first message to stderr blocks.
            let writeEnd = err.fileHandleForWriting.fileDescriptor
            let flags = fcntl(writeEnd, F_GETFL)
            _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)
            let block = [UInt8](repeating: 0x2E, count: 4096)
            while (block.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }) > 0 {}
            _ = fcntl(writeEnd, F_SETFL, flags)   // the flag is the child's too: its writes must wait
            load.standardError = err
            load.standardOutput = FileHandle.nullDevice
            try load.run()
            defer { if load.isRunning { kill(load.processIdentifier, SIGKILL) } }
            let reached = waitFor(seconds: 60) {
                if let (proxy, _) = proxied { return proxy.heldAnswers == 1 }
                return (try? t.int("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = '\(application)'")) == 1
            }
            #expect(reached)
            kill(load.processIdentifier, SIGTERM)
            if let (proxy, _) = proxied {
                Thread.sleep(forTimeInterval: 0.5)   // the signal noted (its message given up after 2 s)
                proxy.release()
            }
            let ended = waitFor(seconds: 30) { !load.isRunning }
            #expect(ended, "the load ended within 30 s of SIGTERM")
            if ended {
                #expect(load.terminationReason == .uncaughtSignal && load.terminationStatus == SIGTERM)
            }
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == (duringTheCommit ? 1 : 0))
        }
    }

    /// The same, once its COMMIT is on its way (it has reached the server; its answer is held):
    /// it says so, waits for the outcome, says it, and ends by the signal (without a rejections
    /// file it died at once, and could say "nothing was loaded" of a committed load).
    @Test func aLoadStoppedDuringItsCommitSaysWhatBecameOfIt() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let (proxy, conninfo) = try LostAnswerProxy.inFront(of: t.db)
            defer { proxy.release(); proxy.close() }
            proxy.holdAnswer(after: "COPY lm_stage", to: "COMMIT")
            let load = try startLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"),
                                             "--database-url", conninfo + " options='-csearch_path=\(t.schema)'"])
            #expect(waitFor(seconds: 60) { proxy.heldAnswers == 1 }, "the COMMIT reached the server")
            Foundation.kill(load.pid, SIGTERM)
            #expect(load.waitForStderr(containing: "SIGTERM: the load's COMMIT is on its way; ending once its outcome is known"),
                    "\(load.stderr)")
            proxy.release()
            let done = load.finish()
            let feed = try t.int("SELECT max(feed_id)::int FROM feeds WHERE kind = 'vacancies'")
            #expect(done.status == 128 + SIGTERM, "\(done.stderr)")
            #expect(done.stdout.hasPrefix("loaded "), "\(done.stdout)")
            #expect(done.stderr.contains("SIGTERM came while feed \(feed) committed: the load is complete (summary above); "
                                         + "ending by the signal"), "\(done.stderr)")
            #expect(!done.stderr.contains("nothing was loaded"), "\(done.stderr)")
        }
    }

    /// The same, when the answer never comes (a hung network) and the signals are a closed ssh
    /// session's two SIGHUPs (which never end a command at once): the process still ends by the
    /// signal within the stop budget, saying the load may be in the database, and the
    /// rejections file is not published.
    @Test func aLoadWhoseCommitGetsNoAnswerStillEndsAfterAStop() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let path = try scratchDir().appendingPathComponent("r.csv").path
            let (proxy, conninfo) = try LostAnswerProxy.inFront(of: t.db)
            defer { proxy.release(); proxy.close() }
            proxy.holdAnswer(after: "COPY lm_stage", to: "COMMIT")
            let load = try startLabourmatch(["load", "vacancies", fixturePath("bad/vacancies-rows.csv"), "--rejections-out", path,
                                             "--database-url", conninfo + " options='-csearch_path=\(t.schema)'"])
            #expect(waitFor(seconds: 60) { proxy.heldAnswers == 1 }, "the COMMIT reached the server")
            let signalled = ContinuousClock.now
            Foundation.kill(load.pid, SIGHUP)
            #expect(load.waitForStderr(containing: "SIGHUP: the load's COMMIT is on its way"), "\(load.stderr)")
            Foundation.kill(load.pid, SIGHUP)
            let done = load.finish()
            let waited = ContinuousClock.now - signalled
            #expect(done.signaled && done.status == 128 + SIGHUP, "\(done.status): \(done.stderr)")
            #expect(waited >= .seconds(29) && waited < .seconds(60), "ended \(waited) after the signal")
            #expect(done.stderr.contains("the outcome of the load's COMMIT is still unknown 30 s after SIGHUP (the database "
                                         + "does not answer): it may be in the database"), "\(done.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path), "no rejections file for a load nobody can vouch for")
        }
    }

    /// A rejections file that cannot be put in place after the load committed (PATH became a
    /// directory meanwhile): exit 1, saying that the feed IS loaded and where the rows are.
    @Test func aRejectionsFileThatCannotBePublishedSaysTheLoadCommitted() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let path = try scratchDir().appendingPathComponent("r.csv").path
            let application = "lm-publish-\(UInt32.random(in: 0...UInt32.max))"
            let load = try startLabourmatch(["load", "vacancies", fixturePath("bad/vacancies-rows.csv"), "--rejections-out", path,
                                             "--database-url", t.url(application: application)],
                                            environment: ["LABOURMATCH_TEST_PAUSE_AFTER_ROWS": "1",
                                                          "LABOURMATCH_TEST_PAUSE_SECONDS": "10"])
            // Past its check of PATH once it is connected; it pauses 10 s before staging (3 s
            // could pass before a loaded machine saw the connection and made the directory).
            let connected = waitFor(seconds: 30) {
                (try? t.int("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = '\(application)'")) == 1
            }
            #expect(connected)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            let done = load.finish()
            #expect(done.status == 1, "\(done.stderr)")
            let feed = try t.int("SELECT max(feed_id)::int FROM feeds")
            #expect(done.stderr.contains("feed \(feed) IS loaded (committed), only its rejections file is missing: "
                                         + "labourmatch feeds show \(feed) --rejections --detail"), "\(done.stderr)")
            #expect(done.stdout.hasPrefix("loaded "), "\(done.stdout)")
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 1)
        }
    }

    /// A load of `bad/vacancies-rows.csv` with `--rejections-out` through a proxy that holds the
    /// answer to its COMMIT (which has reached the server), sent SIGTERM, once its handler has
    /// run (it says so). The caller releases or closes the proxy.
    static func signalledDuringTheCommit(_ t: LoadDB, rejectionsOut: String) throws -> (LostAnswerProxy, LabourmatchProcess) {
        try t.loadReferences()
        let (proxy, conninfo) = try LostAnswerProxy.inFront(of: t.db)
        proxy.holdAnswer(after: "COPY lm_stage", to: "COMMIT")
        let load = try startLabourmatch(["load", "vacancies", fixturePath("bad/vacancies-rows.csv"), "--rejections-out", rejectionsOut,
                                         "--database-url", conninfo + " options='-csearch_path=\(t.schema)'"])
        #expect(waitFor(seconds: 60) { proxy.heldAnswers == 1 }, "the COMMIT reached the server")
        Foundation.kill(load.pid, SIGTERM)
        // The handler has run (not a fixed half second: a late one let the load end with 0):
        // it must not remove the file.
        #expect(load.waitForStderr(containing: "SIGTERM: the load's COMMIT is on its way; ending once its outcome is known"),
                "\(load.stderr)")
        return (proxy, load)
    }

    /// A stop signal that comes while the load's COMMIT is on its way (the server committed,
    /// its answer is late) no longer removes the rejections file: the load is in the database,
    /// so the file is published and the summary printed, and then the process ends by the
    /// signal, saying why.
    @Test func aStopSignalDuringTheCommitKeepsTheRejectionsFile() throws {
        try LoadDB.with { t in
            let path = try scratchDir().appendingPathComponent("r.csv").path
            let (proxy, load) = try Self.signalledDuringTheCommit(t, rejectionsOut: path)
            defer { proxy.release(); proxy.close() }
            let feed = try t.int("SELECT max(feed_id)::int FROM feeds WHERE kind = 'vacancies'")
            proxy.release()
            let done = load.finish()
            #expect(done.status == 128 + SIGTERM, "\(done.stdout)\(done.stderr)")
            #expect(done.stdout.hasPrefix("loaded "), "\(done.stdout)")
            #expect(done.stderr.contains("SIGTERM came while feed \(feed) committed: the load is complete"), "\(done.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == ["r.csv"])
            // The same rows as the no-op of the same file writes (those of the feed it repeats).
            let again = (path as NSString).deletingLastPathComponent + "/again.csv"
            let noOp = try runLabourmatch(["load", "vacancies", fixturePath("bad/vacancies-rows.csv"), "--rejections-out", again,
                                           "--database-url", t.url()])
            #expect(noOp.stdout.hasPrefix("no-op: "), "\(noOp.stdout)\(noOp.stderr)")
            let written = try String(contentsOfFile: path, encoding: .utf8)
            let repeated = try String(contentsOfFile: again, encoding: .utf8)
            #expect(written.split(separator: "\n").count > 1 && written == repeated)
        }
    }

    /// The same signal, when the COMMIT's connection then breaks and nobody can say whether it
    /// went through: the failure is said, and the process still ends by the signal (it exited 1
    /// as if no signal had come), leaving no file behind.
    @Test func aStopSignalDuringACommitThatFailsStillEndsTheProcess() throws {
        try LoadDB.with { t in
            let dir = try scratchDir()
            let (proxy, load) = try Self.signalledDuringTheCommit(t, rejectionsOut: dir.appendingPathComponent("r.csv").path)
            defer { proxy.release(); proxy.close() }
            proxy.close()   // the answer never comes, and no new connection gets through to look
            let done = load.finish()
            #expect(done.status == 128 + SIGTERM, "\(done.stdout)\(done.stderr)")
            #expect(done.stderr.contains("the load may have been committed"), "\(done.stderr)")
            #expect(done.stderr.contains("SIGTERM came while the load committed; what became of the load is said above; ending by the signal"),
                    "\(done.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        }
    }

    /// A load that published its rejections file removes what a SIGKILLed load of the same
    /// name left behind (`.NAME.PID.tmp` of a process that no longer exists, untouched for an
    /// hour), and nothing else: not a live process's file, not a recent one, not another name's.
    @Test func aPublishedRejectionsFileRemovesOrphansOfItsName() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let finished = Process()
            finished.executableURL = URL(fileURLWithPath: "/bin/true")
            try finished.run()
            finished.waitUntilExit()
            let dead = finished.processIdentifier, alive = ProcessInfo.processInfo.processIdentifier
            let orphan = ".r.csv.\(dead).tmp", live = ".r.csv.\(alive).tmp"
            let others = [".other.csv.\(dead).tmp", ".r.csv.x\(dead).tmp", "r.csv.\(dead).tmp"]
            let recent = ".r.csv.\(dead + 1_000_000).tmp"   // no such process either, but written just now
            for name in [orphan, live, recent] + others {
                _ = try writeFile(dir, name, "partial")
                if name != recent {
                    try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)],
                                                          ofItemAtPath: dir.appendingPathComponent(name).path)
                }
            }
            let load = try runLabourmatch(["load", "vacancies", fixturePath("bad/vacancies-rows.csv"), "--dry-run",
                                           "--rejections-out", dir.appendingPathComponent("r.csv").path,
                                           "--database-url", t.url()])
            #expect(load.status == 0, "\(load.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
                    == ([live, recent, "r.csv"] + others).sorted())
        }
    }

    /// A dry run says how many rejections it does not list; a file name holding a line break
    /// or a terminal escape is printed escaped, in the summary and in `feeds list`.
    @Test func dryRunsCountWhatTheyDoNotListAndFileNamesAreEscaped() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let url = t.url()
            let dry = try runLabourmatch(["load", "vacancies", fixturePath("bad/vacancies-rows.csv"), "--dry-run",
                                          "--database-url", url])
            #expect(dry.status == 0, "\(dry.stderr)")
            let listed = dry.stdout.split(separator: "\n").filter { $0.hasPrefix("    line ") }.count
            let rejected = try #require(dry.stdout.split(separator: "\n").first { $0.contains(" rejected") }
                .flatMap { $0.split(separator: "+").last?.split(separator: " ").first }.flatMap { Int($0) })
            #expect(listed > 0 && listed < rejected, "\(dry.stdout)")
            #expect(dry.stdout.contains("    ... and \(rejected - listed) more (a dry run lists the first \(listed)"),
                    "\(dry.stdout)")

            let dir = try scratchDir()
            let name = "evil\n99 employers fake\u{1B}[31m.csv"
            let evil = try writeFile(dir, name, try String(contentsOfFile: fixturePath("employers.csv"), encoding: .utf8))
            let load = try runLabourmatch(["load", "employers", evil, "--source", "evil", "--database-url", url])
            #expect(load.status == 0, "\(load.stderr)")
            #expect(load.stdout.contains(#"evil\n99 employers fake\u{1B}[31m.csv"#), "\(load.stdout)")
            #expect(!load.stdout.contains("\u{1B}"))
            let list = try runLabourmatch(["feeds", "list", "--database-url", url])
            #expect(list.stdout.contains(#"evil\n99 employers fake\u{1B}[31m.csv"#), "\(list.stdout)")
            #expect(!list.stdout.contains("\u{1B}") && !list.stdout.contains("\n99 employers"))
            // A source (by default the file's name) with a right-to-left override is escaped too.
            let bidi = try writeFile(dir, "emp\u{202E}vsc.exe.csv",
                                     try String(contentsOfFile: fixturePath("employers.csv"), encoding: .utf8))
            let reversed = try runLabourmatch(["load", "employers", bidi, "--database-url", url])
            #expect(reversed.status == 0, "\(reversed.stderr)")
            let shown = try runLabourmatch(["feeds", "list", "--database-url", url]).stdout
                + (try runLabourmatch(["feeds", "show", String(try t.int("SELECT max(feed_id)::int FROM feeds")),
                                       "--database-url", url]).stdout)
            for text in [reversed.stdout, shown] {
                #expect(!text.unicodeScalars.contains { $0.value == 0x202E }, "\(text.debugDescription)")
                #expect(text.contains(#"emp\u{202E}vsc.exe"#), "\(text)")
            }
        }
    }

    @Test(arguments: [
        ("vacancies", "bad/vacancies-missing-column.csv", "'currency'"),
        ("workers", "bad/workers-unknown-key.ndjson", "passport_number"),
        ("recruiters", "bad/recruiters-empty.csv", "no header"),
        ("vacancies", "bad/vacancies-empty.ndjson", "no data rows"),
    ])
    func badFilesExit2AndWriteNothing(kind: String, file: String, named: String) throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let before = try t.writtenRows()
            let run = try runLabourmatch(["load", kind, fixturePath(file), "--database-url", t.url()])
            #expect(run.status == 2)
            #expect(run.stderr.contains(file), "the message names the file: \(run.stderr)")
            #expect(run.stderr.contains(named), "the message names the problem: \(run.stderr)")
            #expect(run.stdout.isEmpty)
            #expect(try t.writtenRows() == before)
        }
    }

    /// What an operator is told beside the counts: a WHO edition that drops a country names it
    /// (`feeds show --withdrawn`), `--withdrawn` of a delta says it withdraws nothing, a source new
    /// for its kind names the kind's other sources, and a source with a space at an end is refused.
    @Test func theSummaryNamesWhatTheCountsHide() throws {
        try LoadDB.with { t in
            let url = t.url(), dir = try scratchDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let list = try shippedWHOListLines()
            let edition = try writeFile(dir, "who-safeguards-2024.csv", ([list[0]] + list.dropFirst(2)).joined(separator: "\n") + "\n")
            let who = try runLabourmatch(["load", "who-list", edition, "--database-url", url])
            #expect(who.status == 0 && who.stdout.contains("countries the previous edition had and this one has not: 1\n"
                + "    (their safeguard is lifted; the countries: labourmatch feeds show 1 --withdrawn)"), "\(who.stdout)\(who.stderr)")
            // Its countries are all written as the new edition, though the counts call them unchanged.
            #expect(who.stdout.contains("WHO list edition 2024, now the current one, stores its \(list.count - 2) countries; "
                + "the counts below compare it with the edition it replaces"), "\(who.stdout)")
            #expect(try t.int("SELECT count(*) FROM who_list_entries WHERE edition = '2024'") == list.count - 2)
            let shown = try runLabourmatch(["feeds", "show", "1", "--database-url", url])
            #expect(shown.status == 0 && shown.stdout.contains("WHO list edition 2024, which stores \(list.count - 2) countries; "
                + "the counts below compare it with the edition it replaced"), "\(shown.stdout)")
            let dropped = try runLabourmatch(["feeds", "show", "1", "--withdrawn", "--database-url", url])
            #expect(dropped.status == 0 && dropped.stdout == "AF\n", "\(dropped.stdout)\(dropped.stderr)")

            let employers = try runLabourmatch(["load", "employers", fixturePath("employers.csv"), "--database-url", url])
            #expect(employers.status == 0 && !employers.stdout.contains("is new for"), "\(employers.stdout)")
            let none = try runLabourmatch(["feeds", "show", "2", "--withdrawn", "--database-url", url])
            #expect(none.status == 0 && none.stdout.isEmpty
                    && none.stderr.contains("feed 2 is a delta load, which withdraws nothing"), "\(none.stderr)")
            let dated = try writeFile(dir, "employers-2026-11-30.csv", try String(contentsOfFile: fixturePath("employers.csv"),
                                                                                   encoding: .utf8))
            let next = try runLabourmatch(["load", "employers", dated, "--database-url", url])
            #expect(next.status == 0 && next.stdout.contains("note: source 'employers-2026-11-30' is new for employers; their "
                + "latest loads came from 'employers': a snapshot withdraws only its own source's keys"), "\(next.stdout)")
            let employerRows = try t.int("SELECT count(*) FROM current_employers")
            #expect(next.stdout.contains("note: \(employerRows) rows repeat, unchanged, keys whose current version source "
                + "'employers' wrote: a key belongs to the source that wrote its current version"), "\(next.stdout)")
            // A workers feed's rejected rows (a person's data) go to a file its owner alone may read.
            _ = try t.load(.recruiters, fixturePath("recruiters.csv"))
            let out = dir.appendingPathComponent("rejected-workers.csv").path
            let workers = try runLabourmatch(["load", "workers", fixturePath("bad/workers-rows.csv"), "--rejections-out", out,
                                              "--database-url", url])
            var info = stat()
            #expect(workers.status == 0 && stat(out, &info) == 0 && info.st_mode & 0o777 == 0o600, "\(workers.stderr)")
            for bad in [" ", "portal ", " portal", "portal\u{A0}"] {
                let refused = try runLabourmatch(["load", "employers", dated, "--source", bad, "--database-url", url])
                #expect(refused.status == 2 && refused.stderr.contains("and not begin or end with a space"), "\(refused.stderr)")
            }
        }
    }

    /// WHO list editions move forward: an edition before the current one is refused (exit 2,
    /// nothing written) unless --allow-older-edition, which makes it current; the flag is for
    /// who-list files only.
    @Test func anOlderWHOEditionIsRefusedUnlessAskedFor() throws {
        try LoadDB.with { t in
            let url = t.url(), dir = try scratchDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let list = try shippedWHOListLines()
            let older = try writeFile(dir, "who-safeguards-2020.csv", ([list[0]] + list.dropFirst(3)).joined(separator: "\n") + "\n")
            let before = try t.writtenRows()
            let refused = try runLabourmatch(["load", "who-list", older, "--database-url", url])
            #expect(refused.status == 2 && refused.stderr.contains("WHO list edition 2020 (from the file name) is older than the "
                + "current edition 2023") && refused.stderr.contains("--allow-older-edition"), "\(refused.stderr)")
            #expect(try t.writtenRows() == before)
            let dry = try runLabourmatch(["load", "who-list", older, "--dry-run", "--database-url", url])
            #expect(dry.status == 2, "a dry run says what the load would do: \(dry.stdout)")
            let asked = try runLabourmatch(["load", "who-list", older, "--allow-older-edition", "--database-url", url])
            #expect(asked.status == 0 && asked.stdout.contains("WHO list edition 2020, now the current one"), "\(asked.stderr)")
            #expect(try t.strings("SELECT edition FROM who_list_editions WHERE is_current") == ["2020"])
            #expect(refused.stderr.contains("it is one-way, since an edition is loaded once and 2023 cannot be made current again"))
            // 2023 again (the migrations' bytes): not a quiet no-op, since 2020 is the list in force.
            let back = try runLabourmatch(["load", "who-list", repositoryRoot.appendingPathComponent("Reference/who-safeguards-2023.csv").path,
                                           "--database-url", url])
            #expect(back.status == 2 && back.stderr.contains("WHO list edition 2023 was loaded before from the same bytes, but "
                + "the current edition is 2020"), "\(back.stdout)\(back.stderr)")
            // A newer one needs nothing.
            let newer = try writeFile(dir, "who-safeguards-2026.csv", list.joined(separator: "\n") + "\n")
            #expect(try runLabourmatch(["load", "who-list", newer, "--database-url", url]).status == 0)
            let misplaced = try runLabourmatch(["load", "employers", fixturePath("employers.csv"), "--allow-older-edition",
                                                "--database-url", url])
            #expect(misplaced.status == 2 && misplaced.stderr.contains("applies to a who-list file only"), "\(misplaced.stderr)")
        }
    }

    @Test func usageErrorsExit2() throws {
        let dir = try scratchDir()
        let text = try writeFile(dir, "vacancies.txt", "vacancy_id\n")
        for args in [["load", "vacancy", fixturePath("vacancies.csv")],       // no such kind
                     ["load", "vacancies", dir.appendingPathComponent("none.csv").path],
                     ["load", "vacancies", text],                             // no format from the name
                     ["load", "who-list", repositoryRoot.appendingPathComponent("Reference/who-safeguards-2023.csv").path, "--mode", "delta"],
                     ["load", "who-list", repositoryRoot.appendingPathComponent("Reference/who-safeguards-2023.csv").path, "--force"],
                     ["load", "vacancies", fixturePath("vacancies.csv"), "--mode", "sometimes"]] {
            let run = try runLabourmatch(args + ["--database-url", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"])
            #expect(run.status == 2, "\(args): \(run.stderr)")
        }
        // Standard input is not a file a load can read twice: said as such ("no such file" before).
        let stdin = try runLabourmatch(["load", "employers", "-", "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(stdin.status == 2 && stdin.stderr.contains("a load reads a file, not standard input"), "\(stdin.stderr)")
        let rejectionsToStdout = try runLabourmatch(["load", "employers", fixturePath("employers.csv"), "--rejections-out", "-",
                                                     "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(rejectionsToStdout.status == 2 && rejectionsToStdout.stderr.contains("the rejections go to a file, not standard output"),
                "\(rejectionsToStdout.stderr)")
        // An empty --database-url (an unset variable in a script) does not fall back to the defaults.
        let empty = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", ""])
        #expect(empty.status == 2 && empty.stderr.contains("--database-url is empty"), "\(empty.stderr)")
    }

    @Test func aServerThatDoesNotAnswerExits1WithoutThePassword() throws {
        let run = try runLabourmatch(["load", "employers", fixturePath("employers.csv"), "--database-url",
                                      "postgresql://lm:s3cr3t-pw@127.0.0.1:1/none?connect_timeout=2"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("127.0.0.1"))
        #expect(!run.stderr.contains("s3cr3t-pw"))
        // A string that can never connect is bad usage (2), as for run; its password stays out.
        let bad = try runLabourmatch(["load", "employers", fixturePath("employers.csv"), "--database-url",
                                      "postgresql://lm:s3cr3t-pw@[bad"])
        #expect(bad.status == 2 && bad.stderr.contains("invalid connection string"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("s3cr3t-pw"), "\(bad.stderr)")
    }

    /// A bare database name is one, as for `psql NAME` (libpq's environment gives the rest); it
    /// was refused as an invalid connection string for a while.
    @Test func aBareDatabaseNameConnectsAsForPsql() throws {
        try LoadDB.with { t in
            let row = try #require(try t.db.query("""
                SELECT current_database(), current_setting('port'),
                       trim(split_part(current_setting('unix_socket_directories'), ',', 1))
                """).first)
            let name = try row.decode(0, as: String.self)
            let environment = ["PGHOST": try row.decode(2, as: String.self), "PGPORT": try row.decode(1, as: String.self),
                               "PGUSER": "postgres", "PGOPTIONS": "-csearch_path=\(t.schema)"]
            let listed = try runLabourmatch(["feeds", "list", "--database-url", name], environment: environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(!listed.stderr.contains("invalid connection string"), "\(listed.stderr)")
        }
    }

    /// A big file with some bad rows (so that a finished load would write rejections too).
    static func bigVacancies(count: Int, badEvery: Int = 100) -> String {
        var lines = generatedVacancies(count: count).split(separator: "\n").map(String.init)
        for i in stride(from: badEvery, to: lines.count, by: badEvery) {
            var fields = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[6] = "three"   // openings
            lines[i] = fields.joined(separator: ",")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aLoadKilledMidwayLeavesNoTrace() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let before = try t.writtenRows()
            let path = try writeFile(try scratchDir(), "big.csv", Self.bigVacancies(count: 4000))
            let application = "lm-kill-\(t.schema)"
            let load = try startLabourmatch(["load", "vacancies", path, "--database-url", t.url(application: application)],
                                              environment: ["LABOURMATCH_TEST_PAUSE_AFTER_ROWS": "3000",
                                                            "LABOURMATCH_TEST_PAUSE_SECONDS": "120"])
            #expect(load.waitForStderr(containing: "test pause"), "\(load.stderr)")
            // The server has received rows of the COPY: the load is part-way.
            let copied = try waitFor {
                try t.int("""
                    SELECT coalesce(max(p.tuples_processed), 0)::int FROM pg_stat_progress_copy p
                    JOIN pg_stat_activity a ON a.pid = p.pid WHERE a.application_name = $1
                    """, [.init(application)]) > 0
            }
            #expect(copied)
            load.kill()
            #expect(load.finish().status == 128 + SIGKILL)
            // The server notices the lost client and rolls back.
            #expect(try waitFor {
                try t.int("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = $1", [.init(application)]) == 0
            })
            #expect(try t.writtenRows() == before)
            // And the same file then loads cleanly.
            let again = try runLabourmatch(["load", "vacancies", path, "--source", "portal", "--database-url", t.url()])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("rows: 4,000 read = 3,960 inserted + 0 updated + 0 unchanged + 40 rejected"))
            #expect(try t.int("SELECT count(*) FROM feed_rejections") == 40)
        }
    }

    /// A load's session is named `labourmatch load PID` in pg_stat_activity (where an operator
    /// looks for what holds a lock), unless the connection string named it (the test above).
    @Test func aLoadNamesItsSession() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let path = try writeFile(try scratchDir(), "big.csv", Self.bigVacancies(count: 3000))
            let load = try startLabourmatch(["load", "vacancies", path, "--database-url", t.url(application: nil)],
                                              environment: ["LABOURMATCH_TEST_PAUSE_AFTER_ROWS": "2000",
                                                            "LABOURMATCH_TEST_PAUSE_SECONDS": "120"])
            defer { load.kill(); _ = load.finish() }
            #expect(load.waitForStderr(containing: "test pause"), "\(load.stderr)")
            #expect(try t.int("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = $1",
                              [.init("labourmatch load \(load.pid)")]) == 1)
        }
    }

    /// The connection broke during the load's COMMIT: the loader looks on a new connection
    /// whether it committed (it waits for the load's lock, then looks for its feed row) and says
    /// so. Committed (the answer was lost): exit 0, the summary and a warning; loading the file
    /// again is the no-op it should be. Not committed (the COMMIT never reached the server):
    /// exit 1, nothing loaded, and loading it again loads it.
    @Test(arguments: [true, false])
    func aLoadWhoseCommitGotNoAnswerFindsOutWhetherItCommitted(committed: Bool) throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let (proxy, conninfo) = try LostAnswerProxy.inFront(of: t.db)
            defer { proxy.close() }
            if committed {
                proxy.loseAnswer(after: "COPY lm_stage", to: "COMMIT")
            } else {
                proxy.loseStatement(after: "COPY lm_stage", to: "COMMIT")
            }
            let url = conninfo + " options='-csearch_path=\(t.schema)'"
            let load = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url])
            #expect(proxy.lostAnswers == 1, "the proxy lost nothing: is the marker still sent?")
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == (committed ? 1 : 0))
            if committed {
                #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
                #expect(load.stdout.hasPrefix("loaded "), "\(load.stdout)")
                #expect(load.stdout.contains("rows: 52 read = 52 inserted"), "\(load.stdout)")
                #expect(load.stderr.contains("feed 3 is in the database: the load committed"), "\(load.stderr)")
            } else {
                #expect(load.status == 1, "\(load.stdout)\(load.stderr)")
                #expect(load.stderr.contains("and it did not commit: nothing was loaded"), "\(load.stderr)")
                #expect(try t.int("SELECT count(*) FROM vacancies") == 0)
            }
            // After a commit, the same file is a no-op: one whose own COMMIT gets no answer is
            // still a no-op (it wrote nothing), not "did not commit"; its rejections file is
            // written on a new connection (it failed on the broken one, exit 1).
            if committed { proxy.loseAnswer(after: "pg_try_advisory_xact_lock", to: "COMMIT") }
            let out = try scratchDir().appendingPathComponent("again.csv").path
            let again = try runLabourmatch(["load", "vacancies", fixturePath("vacancies.csv"), "--database-url", url,
                                            "--rejections-out", out])
            #expect(proxy.lostAnswers == (committed ? 2 : 1))
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == "file,line,field,reason,raw,detail\n")
            #expect(again.stdout.hasPrefix(committed ? "no-op: " : "loaded "), "\(again.stdout)")
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 1)
            #expect(try t.int("SELECT count(*) FROM vacancies") == 52)
        }
    }

    /// `FeedLoader.committed` answers from the feed row once the load's lock is free, and
    /// does not guess (nil) while a transaction still holds the lock of its kind and source,
    /// unless the load's own server process is gone (a later load holds the lock): then its
    /// transaction has ended and the feed row answers.
    @Test func whetherALoadCommittedIsUnknownWhileItsLockIsHeld() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            var load = try t.load(.vacancies, fixturePath("vacancies.csv"))
            let holder = try Connection(ConnectionConfig(conninfo: t.url()))
            defer { holder.close() }
            try holder.execute("BEGIN")
            try holder.execute("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '/vacancies/vacancies', 0))")
            #expect(try FeedLoader.committed(load, on: t.db, timeout: 0.2) == nil)
            func serverProcess(_ c: Connection) throws -> Int32 {
                Int32(try c.query("SELECT pg_backend_pid()")[0].decode(0, as: Int.self))
            }
            let holderPID = try serverProcess(holder)
            #expect(try FeedLoader.committed(load, on: t.db, serverProcess: holderPID, timeout: 0.2) == nil)
            let gone = try Connection(ConnectionConfig(conninfo: t.url()))
            let gonePID = try serverProcess(gone)
            #expect(gonePID > 0 && gonePID != holderPID)
            gone.close()
            #expect(waitFor { (try? t.int("SELECT count(*)::int FROM pg_stat_activity WHERE pid = \(gonePID)")) == 0 })
            #expect(try FeedLoader.committed(load, on: t.db, serverProcess: gonePID, timeout: 0.2) == true)
            var unknown = load
            unknown.feedId = 999
            #expect(try FeedLoader.committed(unknown, on: t.db, serverProcess: gonePID, timeout: 0.2) == false)
            try holder.execute("ROLLBACK")
            #expect(try FeedLoader.committed(load, on: t.db, timeout: 0.2) == true)
            load.feedId = 999
            #expect(try FeedLoader.committed(load, on: t.db, timeout: 0.2) == false)
        }
    }

    @Test func twoLoadsOfDifferentFilesRunTogether() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            // Keys K00900-K00999 are in both files, with other titles: both write versions of them.
            let a = try writeFile(dir, "a.csv", generatedVacancies(count: 1000))
            let b = try writeFile(dir, "b.csv", generatedVacancies(count: 1000, from: 900, title: "Another title"))
            let pause = ["LABOURMATCH_TEST_PAUSE_AFTER_ROWS": "500", "LABOURMATCH_TEST_PAUSE_SECONDS": "1.5"]
            let first = try startLabourmatch(["load", "vacancies", a, "--source", "portal-a", "--database-url", t.url()],
                                               environment: pause)
            #expect(first.waitForStderr(containing: "test pause"))
            let second = try startLabourmatch(["load", "vacancies", b, "--source", "portal-b", "--database-url", t.url()],
                                                environment: pause)
            let (one, two) = (first.finish(), second.finish())
            #expect(one.status == 0, "\(one.stderr)")
            #expect(two.status == 0, "\(two.stderr)")
            #expect(try t.int("SELECT count(*) FROM feeds WHERE kind = 'vacancies'") == 2)
            #expect(try t.int("SELECT count(*) FROM vacancies") == 1900)
            #expect(try t.int("SELECT count(*) FROM current_vacancies WHERE NOT withdrawn") == 1900)
            #expect(try t.int("SELECT count(*) FROM vacancy_versions") == 2000)
            // Each shared key: versions 1 and 2, one from each load, the later one current.
            #expect(try t.int("""
                SELECT count(*) FROM (SELECT vacancy_id FROM vacancy_versions GROUP BY vacancy_id
                                      HAVING count(*) = 2 AND count(DISTINCT feed_id) = 2 AND max(version) = 2) shared
                """) == 100)
            #expect(try t.int("SELECT sum(rows_inserted + rows_updated) FROM feeds WHERE kind = 'vacancies'") == 2000)
        }
    }

    @Test func aSecondLoadOfTheSameSourceWaitsThenGivesUp() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let before = try t.writtenRows()
            let dir = try scratchDir()
            let first = try startLabourmatch(
                ["load", "vacancies", try writeFile(dir, "v.csv", generatedVacancies(count: 200)), "--database-url", t.url()],
                environment: ["LABOURMATCH_TEST_PAUSE_AFTER_ROWS": "100", "LABOURMATCH_TEST_PAUSE_SECONDS": "120"])
            #expect(first.waitForStderr(containing: "test pause"))
            let second = try runLabourmatch(["load", "vacancies", try writeFile(dir, "w.csv", generatedVacancies(count: 10)),
                                             "--source", "v", "--lock-timeout", "1", "--database-url", t.url()])
            #expect(second.status == 3)
            #expect(second.stderr.contains("another load of vacancies from source 'v' held the lock"), "\(second.stderr)")
            first.kill()
            _ = first.finish()
            #expect(try t.writtenRows() == before)
        }
    }
}
