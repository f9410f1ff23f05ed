import Batch
import Foundation
import Feeds
import Postgres
import Store
import Testing

/// `labourmatch run` end to end against the real server, each test in a database
/// of its own. Serialized: the tests time child processes against each other
/// (pauses, kills), which a machine shared with parallel tests would blur.
@Suite(.serialized) struct NightlyRunTests {
    /// Snapshot rows of the fixtures: 11 employers, 6 recruiters, 52 vacancies,
    /// 300 workers, 9 minimum wages, 12 exchange rates (Fixtures/README.md).
    static let fixtureRows = 11 + 6 + 52 + 300 + 9 + 12

    /// An employer and a recruiter withdrawn from their feeds (blocklisted, struck off) while
    /// vacancies and workers that name them are still loaded: the snapshot keeps them, so their
    /// rules still hold, and the run equals the offline match of the full files (it lifted every
    /// EMPLOYER_BLOCKLISTED and RECRUITER_BLOCKLISTED, and its exported inputs did not reproduce).
    @Test func aWithdrawnEmployerOrRecruiterStillNamedKeepsItsRules() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let db = try fixture.database.connect()
        defer { db.close() }
        for (table, key, id, columns) in [
            ("employer_versions", "employer_id", "E05", "name, country, sector, iris_certified, blocklisted"),
            ("recruiter_versions", "recruiter_id", "R05",
             "name, license_country, license_number, license_expires, iris_certified, blocklisted")] {
            try db.execute("UPDATE \(table) SET is_current = false WHERE \(key) = '\(id)'")
            try db.execute("""
                INSERT INTO \(table) (\(key), version, \(columns), content_sha256, withdrawn)
                SELECT \(key), 2, \(columns), content_sha256, true FROM \(table) WHERE \(key) = '\(id)' AND version = 1
                """)
        }
        let run = try fixture.run(out: "run")
        #expect(run.status == 0, "\(run.stderr)")
        let offline = try fixture.offline()
        try fixture.expectSameFiles("run", as: offline)
        let exclusions = try String(contentsOf: fixture.dir.appendingPathComponent("run/exclusions.csv"), encoding: .utf8)
        #expect(exclusions.contains(",EMPLOYER_BLOCKLISTED") && exclusions.contains(",RECRUITER_BLOCKLISTED"))
        #expect(try fixture.count("SELECT count(*) FROM run_snapshot WHERE key IN ('E05', 'R05') AND version = 2") == 2)
    }

    @Test(arguments: [["--strategy", "stable"], ["--strategy", "greedy"],
                      ["--strategy", "optimal", "--policy", "Fixtures/policy-strict.toml"]])
    func runAndExportEqualOfflineMatch(options: [String]) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let run = try fixture.run(out: "run", options)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("results: \(fixture.dir.appendingPathComponent("run").path)"))
        let offline = try fixture.offline(options)
        try fixture.expectSameFiles("run", as: offline)
        #expect(FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("run/report.md").path))
        // Written last: the checksums of every other file, in sha256sum's format, sorted by name.
        let runDir = fixture.dir.appendingPathComponent("run")
        var sums = ""
        for name in ["exclusions.csv", "matches.csv", "report.html", "report.md", "summary.json"] {
            let bytes = Array(try Data(contentsOf: runDir.appendingPathComponent(name)))
            sums += "\(RunInputs.sha256Hex(bytes: bytes))  \(name)\n"
        }
        #expect(try String(contentsOf: runDir.appendingPathComponent("SHA256SUMS"), encoding: .utf8) == sums)

        let runId = try fixture.count("SELECT max(run_id) FROM runs")
        let export = try fixture.command(["export", String(runId), "--out", fixture.dir.appendingPathComponent("export").path])
        #expect(export.status == 0, "\(export.stderr)")
        try fixture.expectSameFiles("export", as: offline)

        // The run's inputs, exported as feed files with its policy, reproduce it offline with the
        // command `export --inputs` prints: the same input_sha256, policy_sha256 and files.
        let audit = fixture.dir.appendingPathComponent("audit")
        // Another run's WHO list, of another edition, left in the directory: removed, not left beside.
        let stale = audit.appendingPathComponent("inputs/who-list-1999.csv")
        try FileManager.default.createDirectory(at: stale.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("country,name,who_region\n".utf8).write(to: stale)
        let inputs = try fixture.command(["export", String(runId), "--out", audit.path, "--inputs"])
        #expect(inputs.status == 0, "\(inputs.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: audit.appendingPathComponent("inputs/who-list-2023.csv").path))
        // Every worker's profile is its owner's to read only; the rest as the umask says.
        var info = stat()
        #expect(stat(audit.appendingPathComponent("inputs/workers.csv").path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(stat(audit.appendingPathComponent("inputs/vacancies.csv").path, &info) == 0 && info.st_mode & 0o077 != 0)
        // The command names this binary by its path (it is not on PATH): pasted, it runs.
        let head = "reproduce: \(labourmatchBinary.resolvingSymlinksInPath().path) "
        let reproduce = try #require(inputs.stdout.split(separator: "\n").first { $0.hasPrefix(head) }, "\(inputs.stdout)")
        let arguments = reproduce.dropFirst(head.count).split(separator: " ").map(String.init)
        #expect(arguments.contains(options[1]), "the run's strategy")
        let reproduced = try CLIProcess.run(arguments)
        #expect(reproduced.status == 0, "\(reproduced.stderr)")
        try fixture.expectSameFiles("audit/reproduced", as: offline)
        #expect(try String(contentsOf: audit.appendingPathComponent("reproduced/rejections.csv"), encoding: .utf8)
                == "file,line,field,reason,raw\n", "every exported row is accepted")
        // Started by a name found on PATH as this very binary: that name; a `labourmatch` on PATH that
        // is another program is not named (pasted, it would run instead).
        let bin = fixture.dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("lm-other"), withDestinationURL: labourmatchBinary)
        try Data("#!/bin/sh\nexit 99\n".utf8).write(to: bin.appendingPathComponent("labourmatch"))
        #expect(chmod(bin.appendingPathComponent("labourmatch").path, 0o755) == 0)
        let real = labourmatchBinary.resolvingSymlinksInPath().path
        // (name, PATH's first entry, the command's first word): a relative entry depends on the
        // directory the command is pasted in, so the real path is named.
        for (name, entry, head) in [("lm-other", bin.path, "reproduce: lm-other match "),
                                    ("labourmatch", bin.path, "reproduce: \(real) match "),
                                    ("lm-other", "bin", "reproduce: \(real) match ")] {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/bash")
            // `labourmatch` by its path under that name (exec -a), as a shell that found another one would not run it.
            shell.arguments = ["-c", name == "lm-other" ? "exec lm-other \"$@\"" : "exec -a labourmatch \"$0\" \"$@\"",
                               labourmatchBinary.path, "export", String(runId), "--out", audit.path, "--inputs",
                               "--database-url", fixture.database.conninfo]
            shell.environment = ProcessInfo.processInfo.environment.merging(["PATH": "\(entry):/usr/bin:/bin"]) { $1 }
            shell.currentDirectoryURL = fixture.dir
            let out = PipeReading.pipe()
            shell.standardOutput = out
            try shell.run()
            let said = String(decoding: PipeReading.all(of: out.fileHandleForReading), as: UTF8.self)
            shell.waitUntilExit()
            #expect(shell.terminationStatus == 0 && said.contains("\n" + head), "\(name) \(entry): \(said)")
        }
        // A directory name that would drive the terminal (ESC, a quote): the command spells it in
        // bash's $'...' quoting, prints no raw ESC, and pasted into bash, reproduces the run.
        let odd = fixture.dir.appendingPathComponent("odd \u{1B}[31m'\u{202E}dir")
        let quoted = try fixture.command(["export", String(runId), "--out", odd.path, "--inputs"])
        let line = try #require(quoted.stdout.split(separator: "\n").first { $0.hasPrefix("reproduce: ") }, "\(quoted.stdout)")
        // The override as its UTF-8 bytes, in octal: bash reads `\u202E` as such only in a UTF-8
        // locale, and ksh reads every hex digit after `\x` ("[31m" is safe, "ff" would not be).
        #expect(!line.contains("\u{1B}") && !line.contains("\u{202E}") && line.contains("$'")
                && line.contains("\\033[31m\\'\\342\\200\\256dir"), "\(line)")
        let pasted = Process()
        pasted.executableURL = URL(fileURLWithPath: "/bin/bash")
        pasted.arguments = ["-c", String(line.dropFirst("reproduce: ".count))]
        pasted.environment = ProcessInfo.processInfo.environment.merging(["LC_ALL": "C"]) { $1 }
        try pasted.run()
        pasted.waitUntilExit()
        #expect(pasted.terminationStatus == 0)
        try fixture.expectSameFiles("odd \u{1B}[31m'\u{202E}dir/reproduced", as: offline)

        // Exported again without --inputs: the inputs/ of before is left, and said not to be this export's.
        let without = try fixture.command(["export", String(runId), "--out", audit.path])
        #expect(without.status == 0 && without.stderr.contains("/inputs was left as it was: an earlier export's"),
                "\(without.stderr)")

        // The snapshot names one version of every fixture row; results are stored once.
        #expect(try fixture.count("SELECT count(*) FROM run_snapshot WHERE run_id = $1", [PostgresValue(runId)])
                == Self.fixtureRows)
        #expect(try fixture.count("SELECT count(*) FROM run_matches") == (try fixture.dataRows("run", "matches.csv")))
        #expect(try fixture.count("SELECT count(*) FROM run_exclusions") == (try fixture.dataRows("run", "exclusions.csv")))
        // Every worker with a candidate keeps its best ones (at most five), the match among them when it is one.
        #expect(try fixture.count("""
            SELECT count(*) FROM run_participants p WHERE p.subject = 'worker' AND p.candidates > 0 AND
                (SELECT count(*) FROM run_top_candidates t WHERE t.worker_id = p.id) <> least(p.candidates, 5)
            """) == 0)

        let show = try fixture.command(["runs", "show", String(runId)])
        #expect(show.status == 0, "\(show.stderr)")
        for step in ["lock", "snapshot", "rules", "candidates", "assign", "persist", "report"] {
            #expect(show.stdout.contains("\n  \(step) "), "runs show lists step \(step)")
        }
        #expect(show.stdout.contains("from the first step") && !show.stdout.contains("resumed at"), "\(show.stdout)")
        let list = try fixture.command(["runs", "list"])
        #expect(list.stdout.contains("succeeded"), "\(list.stdout)")
    }

    @Test func secondRunOfAHeldScopeExits3() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        // Paused while a file exists, not for fixed seconds: a slow start of the second runner
        // must not find the first one done (status 0 instead of 3).
        let hold = try Self.holdFile(fixture)
        let first = try fixture.start(out: "first", environment: [
            "LABOURMATCH_TEST_PAUSE_AT_STEP": "candidates", "LABOURMATCH_TEST_PAUSE_WHILE": hold.path,
        ])
        defer { try? FileManager.default.removeItem(at: hold) }
        #expect(first.waitForStderr(containing: "test hook: pausing at candidates"), "\(first.stderr)")
        let second = try fixture.run(out: "second")
        #expect(second.status == 3, "\(second.stderr)")
        #expect(second.stderr.contains("scope 'default' is held by another run"))
        #expect(second.stderr.contains("pid \(first.pid)"), "\(second.stderr)")
        #expect(second.stderr.contains("since "))
        // Another scope is another lock: it runs meanwhile.
        let other = try fixture.run(out: "other", ["--scope", "other"])
        #expect(other.status == 0, "\(other.stderr)")
        try FileManager.default.removeItem(at: hold)
        let done = first.finish()
        #expect(done.status == 0, "\(done.stderr)")
        // The refused runner left no trace: one execution per run.
        #expect(try fixture.count("SELECT count(*) FROM run_executions") == 2)
        #expect(try fixture.count("SELECT count(*) FROM run_leases") == 0, "leases are released")
    }

    /// (kill point, the step the next execution resumes at)
    static let killPoints: [(String, String)] = [
        ("snapshot", "snapshot"), ("rules", "rules"), ("assign", "rules"), ("persist", "rules"),
        ("persist.copy", "rules"), ("report", "report"),
    ]

    /// A killed run is not resumed from a snapshot changed since its step recorded it: a runner
    /// login may insert into a started run, and regression reviews' planted rows were matched,
    /// delivered and sealed (verify alone saw them): before its rules, and before its report. A
    /// row naming a version that does not exist (the hash, over the versions named, misses it)
    /// is refused too. Resuming again would fail the same way: the message does not offer it.
    @Test(arguments: [("rules", false), ("report", false), ("report", true)])
    func aKilledRunWhoseSnapshotChangedIsNotResumed(killAt: String, missingVersion: Bool) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let killed = try fixture.run(out: "run", environment: ["LABOURMATCH_TEST_KILL_AT_STEP": killAt])
        #expect(killed.signaled && killed.status == 128 + SIGKILL, "status \(killed.status): \(killed.stderr)")
        let db = try fixture.database.connect()
        defer { db.close() }
        if !missingVersion {
            // A version no current view shows (as a withdrawn one), planted into the snapshot by a runner login.
            try db.execute("INSERT INTO workers (worker_id) VALUES ('W9999')")
            try db.execute("CREATE TEMP TABLE planted AS SELECT * FROM worker_versions WHERE worker_id = 'W0001'")
            try db.execute("UPDATE planted SET worker_id = 'W9999', is_current = false")
            try db.execute("INSERT INTO worker_versions SELECT * FROM planted")
        } else {
            try db.execute("INSERT INTO workers (worker_id) VALUES ('W9998')")
        }
        let runner = try Connection(ConnectionConfig(conninfo: fixture.database.conninfo).acting(as: .runner))
        defer { runner.close() }
        let runId = try fixture.count("SELECT max(run_id) FROM runs")
        try runner.execute("INSERT INTO run_snapshot (run_id, kind, key, version) VALUES ($1, 'worker', $2, $3)",
                           params: [PostgresValue(runId), PostgresValue(missingVersion ? "W9998" : "W9999"),
                                    PostgresValue(missingVersion ? 999 : 1)])
        let resumed = try fixture.run(out: "run")
        let said = missingVersion ? "snapshot names versions that do not exist (worker W9998 version 999)"
            : "snapshot no longer hashes to the input_sha256 its snapshot step recorded"
        #expect(resumed.status == 1 && resumed.stderr.contains(said) && resumed.stderr.contains("--rerun starts a new run")
                && !resumed.stderr.contains("the run is restartable"), "\(resumed.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 0)
        if killAt == "rules" { #expect(try fixture.count("SELECT count(*) FROM run_matches") == 0) }
    }

    @Test(arguments: killPoints)
    func killedRunResumesToTheSameResult(killAt: String, resumesAt: String) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let killed = try fixture.run(out: "run", environment: ["LABOURMATCH_TEST_KILL_AT_STEP": killAt])
        #expect(killed.signaled && killed.status == 128 + SIGKILL, "status \(killed.status): \(killed.stderr)")
        let runId = String(try fixture.count("SELECT max(run_id) FROM runs"))
        if killAt == "report" {
            // Its results stored, the run not finished: shown, with a warning that it is not sealed.
            for arguments in [["report", runId, "--format", "md", "--out", "-"], ["explain", runId, "--worker", "W0002"],
                              ["export", runId, "--out", fixture.dir.appendingPathComponent("early").path]] {
                let shown = try fixture.command(arguments)
                #expect(shown.status == 0 && shown.stderr.contains("warning: run \(runId) has not finished (status started)"),
                        "\(arguments): \(shown.stderr)")
            }
        } else if killAt == "snapshot" {
            // No results yet: said so, with both ways it can be (the advice was to restart it,
            // which a live run's lease refuses).
            let report = try fixture.command(["report", runId, "--out", "-"])
            #expect(report.status == 1 && report.stderr.contains("has no stored results yet (status started): it is still "
                                                                 + "running, or it stopped before storing them"),
                    "\(report.stderr)")
        }
        let again = try fixture.run(out: "run")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("succeeded"))
        try fixture.expectSameFiles("run", as: try fixture.offline())

        // One run, two executions: the killed one found dead, the second resumed after the last completed step.
        #expect(try fixture.rows("SELECT status, resumed_at FROM run_executions ORDER BY execution_id")
                == [["abandoned", "snapshot"], ["succeeded", resumesAt]])
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 1)
        // Steps completed before the kill are not run again.
        let secondSteps = try fixture.rows("""
            SELECT step FROM run_steps WHERE execution_id = (SELECT max(execution_id) FROM run_executions)
            """).map { $0[0] }
        #expect(secondSteps.contains("snapshot") == (resumesAt == "snapshot"))
        #expect(secondSteps.contains("persist") == (resumesAt != "report"))
        // No duplicate rows anywhere.
        #expect(try fixture.count("SELECT count(*) FROM run_snapshot") == Self.fixtureRows)
        #expect(try fixture.count("SELECT count(*) FROM run_matches") == (try fixture.dataRows("run", "matches.csv")))
        #expect(try fixture.count("SELECT count(*) FROM run_exclusions") == (try fixture.dataRows("run", "exclusions.csv")))
        #expect(try fixture.count("SELECT count(*) FROM run_summaries") == 1)
    }

    @Test func succeededRunIsNotRepeatedWithoutRerun() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "first").status == 0)
        let again = try fixture.run(out: "again")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already succeeded"), "\(again.stdout)")
        #expect(again.stdout.contains("results: \(fixture.dir.appendingPathComponent("first").path)"))
        #expect(try fixture.count("SELECT count(*) FROM run_executions") == 1)
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("again").path))
        #expect(!again.stderr.contains("warning"), "\(again.stderr)")

        let matches = try fixture.count("SELECT count(*) FROM run_matches")
        let rerun = try fixture.run(out: "rerun", ["--rerun"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        // A second run of the same instance; the first is kept with its results.
        #expect(try fixture.rows("SELECT number, status FROM runs ORDER BY run_id") == [["1", "succeeded"], ["2", "succeeded"]])
        #expect(try fixture.count("SELECT count(DISTINCT instance_id) FROM runs") == 1)
        #expect(try fixture.count("SELECT count(*) FROM run_matches") == 2 * matches)
        try fixture.expectSameFiles("rerun", as: fixture.dir.appendingPathComponent("first"))
        // Another strategy is another instance.
        #expect(try fixture.run(out: "greedy", ["--strategy", "greedy"]).stdout.contains("succeeded in"))
        // The rerun's directory written over by another run (a scheduler's fixed --out): said, with the way back.
        #expect(try fixture.run(out: "rerun", ["--strategy", "optimal"]).status == 0)
        let overwritten = try fixture.run(out: "again")
        #expect(overwritten.status == 0 && overwritten.stdout.contains("already succeeded"), "\(overwritten.stdout)")
        #expect(overwritten.stderr.contains("summary.json is not run 2's (its strategy differs): another run, or "
                                            + "something else, wrote there since: labourmatch export 2 --out DIR"),
                "\(overwritten.stderr)")
    }

    @Test func verifyPassesThenCatchesATamperedMatch() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "run").status == 0)
        let runId = String(try fixture.count("SELECT max(run_id) FROM runs"))
        let good = try fixture.command(["verify", runId])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("verified"))
        #expect(good.stdout.contains("input_sha256 of the run record)"), "\(good.stdout)")

        // Data loaded after the run does not change what the run read.
        let db = try fixture.database.connect()
        defer { db.close() }
        var worker = try FixtureSeeder.fixtureInputs().input.workers.first { $0.id == "W0001" }!
        worker.consent.toggle()
        try FixtureSeeder.writeNewVersion(db, of: worker)
        #expect(try fixture.command(["verify", runId]).status == 0, "verify reads the recorded versions")

        // Results are append-only: the trigger refuses even the superuser, so the
        // tamperer disables triggers first (session_replication_role = replica).
        let tamper = """
            UPDATE run_matches SET fit_micro = fit_micro - 1
            WHERE run_id = $1 AND worker_id = (SELECT min(worker_id) FROM run_matches WHERE run_id = $1)
            """
        let refused = #expect(throws: PostgresError.self) {
            try db.execute(tamper, params: [PostgresValue(text: runId, type: .int8)])
        }
        #expect(refused?.sqlState == "LM001", "\(String(describing: refused))")
        try db.execute("SET session_replication_role = replica")
        let tampered = try db.execute(tamper, params: [PostgresValue(text: runId, type: .int8)])
        try db.execute("RESET session_replication_role")
        #expect(tampered == 1)
        let bad = try fixture.command(["verify", runId])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("does NOT match"), "\(bad.stdout)")
        // The hash chain names the run whose stored rows changed.
        #expect(bad.stdout.contains("chain: run \(runId) FAILS"), "\(bad.stdout)")
        #expect(bad.stdout.contains("run \(runId): its stored rows no longer hash"), "\(bad.stdout)")
        #expect(bad.stdout.contains("matches.csv: 1 row only in the stored run, 1 only in the recomputation"), "\(bad.stdout)")
        #expect(!bad.stdout.contains("what this means"), "the inputs did not change: \(bad.stdout)")
        #expect(bad.stdout.contains("match breakdowns"))
        #expect(try fixture.command(["verify", "999999"]).status == 2)
        let both = try fixture.command(["verify", "1", "--chain"])
        #expect(both.status == 2 && both.stderr.contains("give a run id or --chain, not both"), "\(both.stderr)")
        // The run record's input_sha256 is compared with its snapshot's (a forged record kept
        // another run's).
        try db.execute("SET session_replication_role = replica")
        try db.execute("UPDATE runs SET input_sha256 = repeat('0', 64)")
        try db.execute("RESET session_replication_role")
        let input = try fixture.command(["verify", runId])
        #expect(input.status == 1)
        #expect(input.stdout.contains("input_sha256 of the run record: 1 row only in the stored run, 1 only in the recomputation"),
                "\(input.stdout)")
        #expect(input.stdout.contains("- stored:     " + String(repeating: "0", count: 64)), "\(input.stdout)")
        #expect(input.stdout.contains("what this means: the row versions the run read no longer hash to its input_sha256"),
                "\(input.stdout)")
        // A snapshot row naming a version that does not exist is named, not silently left out.
        let key = try fixture.rows("SELECT min(key) FROM run_snapshot WHERE run_id = $1 AND kind = 'worker'",
                                   [PostgresValue(text: runId, type: .int8)])[0][0]
        try db.execute("SET session_replication_role = replica")
        try db.execute("UPDATE run_snapshot SET version = 99 WHERE run_id = $1 AND kind = 'worker' AND key = $2",
                       params: [PostgresValue(text: runId, type: .int8), PostgresValue(key)])
        try db.execute("RESET session_replication_role")
        let gone = try fixture.command(["verify", runId])
        #expect(gone.status == 1)
        #expect(gone.stdout.contains("the snapshot names row versions that no versions table holds")
                && gone.stdout.contains("worker \(key) version 99"), "\(gone.stdout)")
        // export --inputs writes the rows as they are now (to find the changed one), but does not
        // print a command that claims to reproduce the run: exit 1, the missing version named.
        let exported = try fixture.command(["export", runId, "--out", fixture.dir.appendingPathComponent("tampered").path, "--inputs"])
        #expect(exported.status == 1, "\(exported.stdout)\(exported.stderr)")
        #expect(!exported.stdout.contains("reproduce:"), "\(exported.stdout)")
        #expect(exported.stderr.contains("the inputs written are not what run \(runId) read")
                && exported.stderr.contains("worker \(key) version 99"), "\(exported.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("tampered/inputs/workers.csv").path))
    }

    /// A run whose snapshot names a key it does not hold (a run of a labourmatch before session
    /// 17 left withdrawn employers out while its vacancies still named them) exports rows that
    /// `match` rejects UNKNOWN_EMPLOYER: its `reproduce:` line gave 111 matches for the run's 120
    /// (an upgrade review). The export reads its files back and prints no such line.
    @Test func anExportWhoseFilesDoNotReadBackPrintsNoCommand() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "run").status == 0)
        let runId = try fixture.rows("SELECT max(run_id)::text FROM runs")[0][0]
        let db = try fixture.database.connect()
        defer { db.close() }
        let employer = try fixture.rows("""
            SELECT min(v.employer_id) FROM run_snapshot s JOIN vacancy_versions v ON v.vacancy_id = s.key AND v.version = s.version
            WHERE s.run_id = \(runId) AND s.kind = 'vacancy'
            """)[0][0]
        try db.execute("SET session_replication_role = replica")
        try db.execute("DELETE FROM run_snapshot WHERE run_id = \(runId) AND kind = 'employer' AND key = $1",
                       params: [PostgresValue(employer)])
        try db.execute("RESET session_replication_role")
        // The record made to agree with that snapshot, as the older labourmatch's run recorded it.
        let first = try fixture.command(["export", runId, "--out", fixture.dir.appendingPathComponent("old").path, "--inputs"])
        let hash = try #require(first.stderr.firstMatch(of: /they hash to ([0-9a-f]{64})/)?.1, "\(first.stderr)")
        try db.execute("SET session_replication_role = replica")
        try db.execute("UPDATE runs SET input_sha256 = $1 WHERE run_id = \(runId)", params: [PostgresValue(String(hash))])
        try db.execute("RESET session_replication_role")
        let exported = try fixture.command(["export", runId, "--out", fixture.dir.appendingPathComponent("old").path, "--inputs"])
        #expect(exported.status == 1 && !exported.stdout.contains("reproduce:"), "\(exported.stdout)\(exported.stderr)")
        #expect(exported.stderr.contains("are the rows it read, but `labourmatch match` rejects")
                && exported.stderr.contains("vacancies.csv line") && exported.stderr.contains("UNKNOWN_EMPLOYER"),
                "\(exported.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("old/inputs/vacancies.csv").path))
    }

    @Test func droppedConnectionIsRetriedAndTheRunCompletes() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let runner = try fixture.start(out: "run", environment: [
            "LABOURMATCH_TEST_PAUSE_AT_STEP": "persist.copy", "LABOURMATCH_TEST_PAUSE_SECONDS": "4",
        ])
        let name = PostgresValue("labourmatch run \(runner.pid)")
        // Inside the persist transaction: the persist step is running and the runner's
        // backend is idle in a transaction during the pause.
        let found = try eventually {
            try fixture.count("""
                SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'
                    AND EXISTS (SELECT FROM run_steps WHERE step = 'persist' AND status = 'running')
                """, [name]) == 1
        }
        #expect(found)
        #expect(try fixture.count("""
            SELECT count(*) FROM pg_stat_activity, pg_terminate_backend(pid) AS t WHERE application_name = $1 AND t
            """, [name]) == 1)
        let done = runner.finish()
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stderr.contains("retrying on a new connection"), "\(done.stderr)")
        #expect(try fixture.rows("SELECT status, attempts FROM run_steps WHERE step = 'persist'") == [["completed", "2"]])
        try fixture.expectSameFiles("run", as: try fixture.offline())
        #expect(try fixture.count("SELECT count(*) FROM run_matches") == (try fixture.dataRows("run", "matches.csv")))
    }

    /// A persist step longer than the lease: the heartbeat keeps renewing it meanwhile (the
    /// persist transaction locks the lease row only at its end), so a second runner gets exit 3
    /// at once and the first completes. Before, the row stayed locked for the whole write: the
    /// heartbeat could not renew, the lease lapsed, and a second runner took the run over.
    @Test func aPersistLongerThanTheLeaseKeepsIt() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        // Paused inside the persist transaction until the test removes `hold`.
        let hold = try Self.holdFile(fixture)
        defer { try? FileManager.default.removeItem(at: hold) }   // a failed expectation must not leave it paused
        let first = try fixture.start(out: "first", ["--lease-seconds", "3"], environment: [
            "LABOURMATCH_TEST_PAUSE_AT_STEP": "persist.copy", "LABOURMATCH_TEST_PAUSE_WHILE": hold.path,
        ])
        #expect(try eventually {
            try fixture.count("SELECT count(*) FROM run_steps WHERE step = 'persist' AND status = 'running'") == 1
        })
        Thread.sleep(forTimeInterval: 4.5)
        #expect(try fixture.count("SELECT count(*) FROM run_leases WHERE expires_at > now()") == 1,
                "renewed during the persist step, past its 3 s")
        let second = try fixture.run(out: "second", ["--lease-seconds", "3"])
        #expect(second.status == 3, "\(second.stderr)")
        try FileManager.default.removeItem(at: hold)
        let done = first.finish()
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 1)
    }

    /// A runner (`run`, results in `run`) started and held at `point` while the returned file
    /// exists; the caller removes the file (in a `defer` too).
    static func runnerPaused(_ fixture: FixtureRun, at point: String, extra: [String] = [],
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> (CLIProcess, URL) {
        let hold = try holdFile(fixture)
        let runner = try fixture.start(out: "run", extra, environment: [
            "LABOURMATCH_TEST_PAUSE_AT_STEP": point, "LABOURMATCH_TEST_PAUSE_WHILE": hold.path,
        ])
        #expect(runner.waitForStderr(containing: "test hook: pausing at \(point)"), "\(runner.stderr)",
                sourceLocation: sourceLocation)
        return (runner, hold)
    }

    /// A file whose existence holds a runner paused (`LABOURMATCH_TEST_PAUSE_WHILE`).
    static func holdFile(_ fixture: FixtureRun) throws -> URL {
        let hold = fixture.dir.appendingPathComponent("hold-\(UUID().uuidString)")
        try Data().write(to: hold)
        return hold
    }

    /// A run paused at `pausedAt` once its step `step` has `status`, whose lease another runner
    /// (on another host) then took over, as it would after the lease expired: the lease row is
    /// the other's, and the other's start marked this execution abandoned.
    static func leaseTakenOver(_ fixture: FixtureRun, pausedAt: String, step: String, status: String) throws -> CLIProcess {
        let runner = try fixture.start(out: "run", environment: [
            "LABOURMATCH_TEST_PAUSE_AT_STEP": pausedAt, "LABOURMATCH_TEST_PAUSE_SECONDS": "3",
        ])
        #expect(try eventually {
            try fixture.count("SELECT count(*) FROM run_steps WHERE step = $1 AND status = $2",
                              [PostgresValue(step), PostgresValue(status)]) == 1
        })
        #expect(try fixture.count("""
            WITH t AS (UPDATE run_leases SET holder = 'elsewhere', host = 'other-host' RETURNING 1) SELECT count(*) FROM t
            """) == 1)
        let db = try fixture.database.connect()
        defer { db.close() }
        try JobRepository.abandonScopeExecutions(db, scope: "default", by: nil)
        return runner
    }

    /// Taken over in the engine, before the persist step, or inside its transaction: either way
    /// the runner says its lease was taken over (not the append-only refusal it meets first) and
    /// stores nothing, not even a step row in its abandoned execution (0007_insert_guards; the
    /// engine's three steps were inserted there as completed).
    @Test(arguments: [("engine", "snapshot", "completed"), ("persist", "assign", "completed"),
                      ("persist.copy", "persist", "running")])
    func runnerWhoseLeaseWasTakenOverStoresNothing(pausedAt: String, step: String, status: String) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let runner = try Self.leaseTakenOver(fixture, pausedAt: pausedAt, step: step, status: status)
        let steps = try fixture.rows("SELECT step, status FROM run_steps ORDER BY step")
        let done = runner.finish()
        #expect(try fixture.rows("SELECT step, status FROM run_steps ORDER BY step") == steps)
        // The holder now works on this run: not a failure to retry (1), another runner's (3).
        #expect(done.status == 3, "\(done.stderr)")
        #expect(done.stderr.contains("was taken over by") && done.stderr.contains("this runner stored nothing more"),
                "\(done.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM run_matches") == 0)
        #expect(try fixture.count("SELECT count(*) FROM run_summaries") == 0)
        #expect(try fixture.rows("SELECT status FROM runs") == [["failed"]])
        #expect(try fixture.rows("SELECT host FROM run_leases") == [["other-host"]], "the new holder keeps its lease")
    }

    /// A job instance that already succeeded says so (exit 0) even while another run holds its
    /// scope: that answer needs no lease. A new instance of the scope still gets exit 3.
    @Test func aSucceededInstanceIsDoneEvenWhileItsScopeIsHeld() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "first").status == 0)
        let hold = try Self.holdFile(fixture)
        defer { try? FileManager.default.removeItem(at: hold) }   // a failed expectation must not leave it paused
        let other = try CLIProcess(["run", "--date", "2026-11-30", "--database-url", fixture.database.conninfo,
                                    "--out", fixture.dir.appendingPathComponent("other").path],
                                   environment: ["LABOURMATCH_TEST_PAUSE_AT_STEP": "candidates",
                                                 "LABOURMATCH_TEST_PAUSE_WHILE": hold.path])
        #expect(try eventually { try fixture.count("SELECT count(*) FROM run_leases WHERE execution_id IS NOT NULL") == 1 })
        let again = try fixture.run(out: "first")
        #expect(again.status == 0 && again.stdout.contains("already succeeded"), "\(again.stdout)\(again.stderr)")
        let optimal = try fixture.run(out: "optimal", ["--strategy", "optimal"])
        #expect(optimal.status == 3, "\(optimal.stderr)")
        try FileManager.default.removeItem(at: hold)
        #expect(other.finish().status == 0)
        // Held by a --rerun of the same instance (run 3, not yet succeeded): still done (it
        // looked at the latest run only, and said "held", exit 3).
        let hold2 = try Self.holdFile(fixture)
        defer { try? FileManager.default.removeItem(at: hold2) }
        let rerun = try fixture.start(out: "rerun", ["--rerun"], environment: [
            "LABOURMATCH_TEST_PAUSE_AT_STEP": "candidates", "LABOURMATCH_TEST_PAUSE_WHILE": hold2.path])
        #expect(rerun.waitForStderr(containing: "test hook: pausing at candidates"), "\(rerun.stderr)")
        let during = try fixture.run(out: "first")
        #expect(during.status == 0 && during.stdout.contains("run 1 ") && during.stdout.contains("already succeeded"),
                "\(during.stdout)\(during.stderr)")
        try FileManager.default.removeItem(at: hold2)
        #expect(rerun.finish().status == 0)
        // A --rerun left unfinished is what the same command resumes: while another instance
        // holds the scope, that is "held" (exit 3, try later), not "already succeeded".
        let killed = try fixture.run(out: "first", ["--rerun"], environment: ["LABOURMATCH_TEST_KILL_AT_STEP": "rules"])
        #expect(killed.signaled)
        let hold3 = try Self.holdFile(fixture)
        defer { try? FileManager.default.removeItem(at: hold3) }
        let busy = try fixture.start(out: "busy", ["--date", "2026-11-30", "--rerun"], environment: [
            "LABOURMATCH_TEST_PAUSE_AT_STEP": "candidates", "LABOURMATCH_TEST_PAUSE_WHILE": hold3.path])
        #expect(busy.waitForStderr(containing: "test hook: pausing at candidates"), "\(busy.stderr)")
        let held = try fixture.run(out: "first")
        #expect(held.status == 3, "\(held.stdout)\(held.stderr)")
        try FileManager.default.removeItem(at: hold3)
        #expect(busy.finish().status == 0)
        let resumed = try fixture.run(out: "first")
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed at step"), "\(resumed.stdout)\(resumed.stderr)")
    }

    /// A run killed on one date is found dead by the next runner of its scope, whatever its date:
    /// its execution is `abandoned`, its running step failed, the run `failed` (no longer
    /// `started` for ever), and it can still be resumed.
    @Test func aDeadRunOfAnotherDateIsMarkedByTheNextRunnerOfItsScope() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let killed = try fixture.run(out: "first", environment: ["LABOURMATCH_TEST_KILL_AT_STEP": "rules"])
        #expect(killed.signaled)
        #expect(try fixture.rows("SELECT status FROM runs") == [["started"]])
        let next = try CLIProcess.run(["run", "--date", "2026-11-30", "--database-url", fixture.database.conninfo,
                                       "--out", fixture.dir.appendingPathComponent("next").path])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try fixture.rows("SELECT status FROM runs ORDER BY run_id") == [["failed"], ["succeeded"]])
        #expect(try fixture.rows("SELECT status FROM run_executions ORDER BY execution_id") == [["abandoned"], ["succeeded"]])
        #expect(try fixture.count("SELECT count(*) FROM run_steps WHERE status = 'running'") == 0)
        let resumed = try fixture.run(out: "first")
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed at step rules"), "\(resumed.stdout)\(resumed.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 2)
    }

    /// (signal, where the runner is when it comes, the step the resumed run starts at)
    static let stopPoints: [(Int32, String, String)] = [
        (SIGTERM, "engine", "rules"), (SIGTERM, "candidates", "rules"), (SIGTERM, "persist.copy", "rules"),
        (SIGINT, "report", "report"), (SIGHUP, "candidates", "rules"),
        // While the reports are rendered (tens of seconds for a large run): the handler records it.
        (SIGTERM, "report.render", "report"),
        // After the report is rendered, before its files and the seal: the run stops (it was
        // sealed, exit 0, the signal ignored).
        (SIGTERM, "report.write", "report"),
    ]

    /// A stop signal (a scheduler's SIGTERM, a terminal's Ctrl-C) is recorded, not left for the
    /// next runner to guess: the step and the execution `failed` with "stopped by SIGTERM", the
    /// run `failed`, the lease given up at once; the process dies by that signal; nothing half
    /// stored (a persist transaction in flight is rolled back); the same command resumes it.
    /// `engine`: the job computes, and the signal's handler records the stop itself.
    @Test(arguments: stopPoints)
    func aStopSignalIsRecordedReleasesTheLeaseAndTheRunResumes(signal: Int32, pausedAt: String, resumesAt: String) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (runner, hold) = try Self.runnerPaused(fixture, at: pausedAt)
        defer { try? FileManager.default.removeItem(at: hold) }   // a failed expectation must not leave it paused
        kill(runner.pid, signal)
        // A closed ssh session sends SIGHUP twice (the kernel, and the shell to its jobs): the
        // second must not end the process before the stop is recorded.
        if signal == SIGHUP { kill(runner.pid, SIGHUP) }
        let stopped = runner.finish()
        let name = [SIGINT: "SIGINT", SIGHUP: "SIGHUP"][signal] ?? "SIGTERM"
        #expect(stopped.signaled && stopped.status == 128 + signal, "status \(stopped.status): \(stopped.stderr)")
        let step = ["persist.copy": "persist", "engine": "rules", "report.write": "report", "report.render": "report"][pausedAt]
            ?? pausedAt
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("run/SHA256SUMS").path))
        #expect(stopped.stderr.contains("stopped by \(name) during step \(step); the step, the execution and the run "
                                        + "are marked failed and the lease of scope 'default' is released"),
                "\(stopped.stderr)")
        #expect(stopped.stderr.contains("resumes it"), "\(stopped.stderr)")
        try Self.expectStopRecorded(fixture, "stopped by \(name) during step \(step)", step: step, resumesAt: resumesAt)
    }

    /// A stop while the database does not answer (a hung network: the proxy keeps the answer to
    /// the persist step's COMMIT, which went through): the signal still ends the process, within
    /// the stop budget, saying the stop could not be recorded. Once the lease expires, the next
    /// runner marks the execution abandoned and resumes after the committed persist step.
    @Test func aStopEndsTheProcessWhenTheDatabaseDoesNotAnswer() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (proxy, conninfo) = try fixture.proxy()
        defer { proxy.close() }
        proxy.holdAnswer(after: "COPY run_matches", to: "COMMIT")
        let runner = try fixture.start(out: "run", ["--lease-seconds", "3"], conninfo: conninfo)
        #expect(eventually(within: 120) { proxy.heldAnswers == 1 }, "\(runner.stderr)")
        let signalled = ContinuousClock.now
        kill(runner.pid, SIGTERM)
        let stopped = Self.finish(runner, killedAfter: 90)
        let waited = ContinuousClock.now - signalled
        #expect(stopped.signaled && stopped.status == 128 + SIGTERM, "status \(stopped.status): \(stopped.stderr)")
        #expect(waited >= .seconds(29) && waited < .seconds(60), "ended \(waited) after the signal")
        let runId = try fixture.count("SELECT max(run_id) FROM runs")
        #expect(stopped.stderr.contains("stopped by SIGTERM during step persist; the stop could not be recorded within 30 s "
                                        + "of the signal (the database does not answer, or a commit's answer was lost: "
                                        + "`labourmatch runs show \(runId)` says where the run stands): the next runner of scope "
                                        + "'default' marks the execution abandoned"), "\(stopped.stderr)")
        proxy.release()
        #expect(try fixture.rows("SELECT status FROM runs") == [["started"]])
        Thread.sleep(forTimeInterval: 4)   // the dead runner's lease (3 s) expires
        let again = try fixture.run(out: "run", ["--lease-seconds", "3"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try fixture.rows("SELECT status, resumed_at FROM run_executions ORDER BY execution_id")
                == [["abandoned", "snapshot"], ["succeeded", "report"]])
        try fixture.expectSameFiles("run", as: try fixture.offline())
    }

    /// A stop after the seal, while the database does not answer (the proxy keeps the answer to
    /// the lease's release): the run succeeded, and the process still ends by the signal within
    /// the stop budget, saying so, rather than wait for the network for ever.
    @Test func aStopAfterTheSealEndsTheProcessWhenTheDatabaseDoesNotAnswer() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (proxy, conninfo) = try fixture.proxy()
        defer { proxy.close() }
        let release = "DELETE FROM run_leases WHERE scope = $1 AND holder = $2"
        proxy.holdAnswer(after: release, to: release)
        let runner = try fixture.start(out: "run", conninfo: conninfo)
        #expect(eventually(within: 120) { proxy.heldAnswers == 1 }, "\(runner.stderr)")
        kill(runner.pid, SIGTERM)
        let stopped = Self.finish(runner, killedAfter: 90)
        #expect(stopped.signaled && stopped.status == 128 + SIGTERM, "status \(stopped.status): \(stopped.stderr)")
        let runId = try fixture.count("SELECT max(run_id) FROM runs")
        #expect(stopped.stderr.contains("the run had ended (`labourmatch runs show \(runId)` says where the run stands), "
                                        + "but the process was still waiting for the database 30 s after SIGTERM: ending by it"),
                "\(stopped.stderr)")
        proxy.release()
        #expect(try fixture.rows("SELECT status FROM runs") == [["succeeded"]])
        try fixture.expectSameFiles("run", as: try fixture.offline())
    }

    /// `runner.finish()`, but a runner still alive `seconds` later is killed (status 137, which
    /// fails the test that expected it to end by itself) rather than waited for, for ever. The
    /// SIGKILL is sent only while the runner has not been reaped (its pid cannot have been reused).
    static func finish(_ runner: CLIProcess, killedAfter seconds: Double) -> CLIProcess.Outcome {
        let reaped = NSLock(), pid = runner.pid
        nonisolated(unsafe) var ended = false
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { reaped.withLock { if !ended { kill(pid, SIGKILL) } } }
        let outcome = runner.finish()
        reaped.withLock { ended = true }
        return outcome
    }

    /// After a stop: the execution, its step and the run failed with `message`, the lease gone,
    /// no result stored unless the persist step had completed; the same command then resumes at
    /// `resumesAt` and ends with the offline result.
    static func expectStopRecorded(_ fixture: FixtureRun, _ message: String, step: String, resumesAt: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try fixture.rows("SELECT status, message FROM run_executions") == [["failed", message]],
                sourceLocation: sourceLocation)
        #expect(try fixture.rows("SELECT status FROM runs") == [["failed"]], sourceLocation: sourceLocation)
        #expect(try fixture.rows("SELECT step, status FROM run_steps WHERE status <> 'completed'") == [[step, "failed"]],
                sourceLocation: sourceLocation)
        #expect(try fixture.count("SELECT count(*) FROM run_leases") == 0, "the lease is given up at once",
                sourceLocation: sourceLocation)
        #expect(try fixture.count("SELECT count(*) FROM run_matches") == (resumesAt == "report" ? (try fixture.count(
            "SELECT (summary->'counts'->>'matched')::bigint FROM run_summaries")) : 0), sourceLocation: sourceLocation)

        // Another host need not wait for the lease to expire; the same command resumes the run.
        let again = try fixture.run(out: "run")
        #expect(again.status == 0, "\(again.stderr)", sourceLocation: sourceLocation)
        #expect(try fixture.rows("SELECT status, resumed_at FROM run_executions ORDER BY execution_id")
                == [["failed", "snapshot"], ["succeeded", resumesAt]], sourceLocation: sourceLocation)
        try fixture.expectSameFiles("run", as: try fixture.offline(), sourceLocation: sourceLocation)
    }

    /// The runner's work connection waits on a lock (`pg_stat_activity`).
    static func runnerWaitsOnALock(_ fixture: FixtureRun, pid: Int32) throws -> Bool {
        try eventually {
            try fixture.count("""
                SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'
                """, [PostgresValue("labourmatch run \(pid)")]) == 1
        }
    }

    /// A stop while the persist transaction waits at its last statement (the lease fence, here
    /// held up by a lock): the stop cancels the statement and is recorded after the transaction
    /// rolled back, so the persist step is failed with nothing stored, not `failed` over rows it
    /// committed meanwhile (which made every restart fail on a duplicate key).
    @Test func aStopWhilePersistCommitsRecordsTheStepAsItEnded() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let holder = try fixture.database.connect()
        defer { holder.close() }
        let (runner, hold) = try Self.runnerPaused(fixture, at: "persist.copy")
        defer { try? FileManager.default.removeItem(at: hold) }   // a failed expectation must not leave it paused
        try holder.execute("BEGIN")
        _ = try holder.query("SELECT * FROM run_leases FOR UPDATE")
        try FileManager.default.removeItem(at: hold)
        #expect(try Self.runnerWaitsOnALock(fixture, pid: runner.pid), "the fence waits for the lease row")
        kill(runner.pid, SIGTERM)
        // The fence is cancelled, the transaction rolled back, the stop recorded; then the lease
        // is given up, once the lock on its row is.
        #expect(try eventually { try fixture.count("SELECT count(*) FROM run_executions WHERE status = 'failed'") == 1 },
                "the stop was recorded while the lease row was still locked")
        try holder.execute("COMMIT")
        let stopped = runner.finish()
        #expect(stopped.signaled && stopped.status == 128 + SIGTERM, "status \(stopped.status): \(stopped.stderr)")
        try Self.expectStopRecorded(fixture, "stopped by SIGTERM during step persist", step: "persist", resumesAt: "rules")
    }

    /// A failure recorded for a step whose commit went through (its answer was lost, then the
    /// job failed or was stopped before it looked) leaves the step completed: the run resumes
    /// after it. Marked failed, the step was done again over its own rows, and every restart
    /// failed on a duplicate key.
    @Test func aFailureRecordedOverACompletedStepLeavesItCompleted() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (runner, hold) = try Self.runnerPaused(fixture, at: "report")
        defer { try? FileManager.default.removeItem(at: hold) }   // a failed expectation must not leave it paused
        let db = try fixture.database.connect()
        defer { db.close() }
        let runId = try fixture.count("SELECT max(run_id) FROM runs")
        let executionId = try fixture.count("SELECT max(execution_id) FROM run_executions")
        let outcome = try db.transaction { tx in
            try JobRepository.failRunningExecution(tx, runId: Int64(runId), executionId: Int64(executionId),
                                                   step: .persist, started: Date(),
                                                   message: "stopped by SIGTERM during step persist")
        }
        #expect(outcome == .failed(stepMarked: false))
        #expect(try fixture.rows("SELECT status FROM run_steps WHERE step = 'persist'") == [["completed"]])
        #expect(try fixture.rows("SELECT status FROM run_executions") == [["failed"]])
        kill(runner.pid, SIGKILL)
        _ = runner.finish()
        let again = try fixture.run(out: "run")
        #expect(again.status == 0 && again.stdout.contains("resumed at step report"), "\(again.stdout)\(again.stderr)")
        try fixture.expectSameFiles("run", as: try fixture.offline())
    }

    /// Signals that come once the report step has sealed the run (its outcome is final) let it
    /// finish: it reports the run that succeeded and exits 0, rather than dying by the signal
    /// with "marked failed" (the first signal) or at once, its lease left behind (a second).
    @Test func signalsAfterTheSealLetTheRunFinish() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (runner, hold) = try Self.runnerPaused(fixture, at: "sealed")
        defer { try? FileManager.default.removeItem(at: hold) }   // a failed expectation must not leave it paused
        kill(runner.pid, SIGTERM)
        kill(runner.pid, SIGINT)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try fixture.rows("SELECT status FROM runs") == [["succeeded"]])
        try FileManager.default.removeItem(at: hold)
        let ended = runner.finish()
        #expect(!ended.signaled && ended.status == 0, "status \(ended.status): \(ended.stderr)")
        #expect(ended.stdout.contains("succeeded in"), "\(ended.stdout)")
        #expect(!ended.stderr.contains("stopped by"), "\(ended.stderr)")
        #expect(try fixture.rows("SELECT status FROM run_executions") == [["succeeded"]])
        #expect(try fixture.count("SELECT count(*) FROM run_leases") == 0)
    }

    /// A stop whose lease cannot be given up (its row stays locked) ends within the bounded
    /// waits, and says the lease was not released rather than that it was.
    @Test func aStopThatCannotReleaseTheLeaseSaysSo() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (runner, hold) = try Self.runnerPaused(fixture, at: "persist")
        defer { try? FileManager.default.removeItem(at: hold) }   // a failed expectation must not leave it paused
        let holder = try fixture.database.connect()
        defer { holder.close() }
        try holder.execute("BEGIN")
        _ = try holder.query("SELECT * FROM run_leases FOR UPDATE")
        kill(runner.pid, SIGTERM)
        let stopped = runner.finish()
        try holder.execute("COMMIT")
        #expect(stopped.signaled && stopped.status == 128 + SIGTERM, "status \(stopped.status): \(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped by SIGTERM during step persist; the step, the execution and the run "
                                        + "are marked failed but the lease of scope 'default' could not be released"),
                "\(stopped.stderr)")
        #expect(try fixture.rows("SELECT status FROM runs") == [["failed"]])
        #expect(try fixture.count("SELECT count(*) FROM run_leases") == 1, "left to expire")
    }

    /// A stop while the runner waits to take the scope's lease: nothing was started, and the
    /// lease is not left behind for runners on other hosts to wait out.
    @Test func aStopWhileTakingTheLeaseLeavesNoLease() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let holder = try fixture.database.connect()
        defer { holder.close() }
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE run_leases IN EXCLUSIVE MODE")
        let runner = try fixture.start(out: "run")
        #expect(try Self.runnerWaitsOnALock(fixture, pid: runner.pid), "taking the lease waits")
        kill(runner.pid, SIGTERM)
        #expect(try eventually { try fixture.count("""
            SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'
            """, [PostgresValue("labourmatch run \(runner.pid)")]) == 0 }, "the wait was cancelled")
        try holder.execute("COMMIT")
        let stopped = runner.finish()
        #expect(stopped.signaled && stopped.status == 128 + SIGTERM, "status \(stopped.status): \(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped by SIGTERM during step lock; no run had started"), "\(stopped.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM run_leases") == 0)
        #expect(try fixture.count("SELECT count(*) FROM runs") == 0)
    }

    /// A runner that lost its lease before the report step writes no file and seals nothing:
    /// the runner that took the lease over owns the results directory.
    @Test func runnerWhoseLeaseWasTakenOverWritesNoReportFile() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let runner = try Self.leaseTakenOver(fixture, pausedAt: "report", step: "persist", status: "completed")
        let done = runner.finish()
        #expect(done.status == 3, "\(done.stderr)")
        #expect(done.stderr.contains("was taken over"), "\(done.stderr)")
        let dir = fixture.dir.appendingPathComponent("run")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.html").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("matches.csv").path))
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 0)
    }

    /// A runner stalled past its lease (SIGSTOP) while another runner finished its run: once it
    /// goes on, it stores nothing, says who took the lease, and exits 0 (the run succeeded:
    /// nothing to retry; it exited 1, "failed ... restartable"). Stalled at its snapshot while a
    /// runner of another date took the scope: its run is failed and restartable (1), and the
    /// message says the lease was taken over (it quoted the append-only refusal).
    /// Stalled in the engine likewise (the insert guard's refusal of its step rows was quoted).
    @Test(arguments: [("persist", nil), ("snapshot", "2026-11-30"), ("engine", "2026-11-30")] as [(String, String?)])
    func aRunnerStalledPastItsLeaseSaysItWasTakenOver(pausedAt: String, otherDate: String?) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (stalled, hold) = try Self.runnerPaused(fixture, at: pausedAt, extra: ["--lease-seconds", "3"])
        defer { try? FileManager.default.removeItem(at: hold) }
        kill(stalled.pid, SIGSTOP)
        // Past its lease (its heartbeat is stopped too), by the server's clock: a renewal sent
        // just before the stop and run late on a busy server moves the end on.
        #expect(try eventually { try fixture.count("SELECT count(*) FROM run_leases WHERE expires_at < now()") == 1 })
        let other = try fixture.run(out: "other", ["--lease-seconds", "3"] + (otherDate.map { ["--date", $0] } ?? []))
        #expect(other.status == 0, "\(other.stdout)\(other.stderr)")
        try FileManager.default.removeItem(at: hold)
        kill(stalled.pid, SIGCONT)
        let done = stalled.finish()
        #expect(done.stderr.contains("was taken over"), "\(done.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("run/matches.csv").path))
        if otherDate == nil {
            #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
            #expect(done.stdout.contains("succeeded, completed by another runner; nothing to do"), "\(done.stdout)")
            #expect(try fixture.count("SELECT count(*) FROM run_matches") == (try fixture.dataRows("other", "matches.csv")))
        } else {
            #expect(done.status == 1, "\(done.stdout)\(done.stderr)")
            #expect(done.stderr.contains("restartable") || done.stderr.contains("ended by another runner"), "\(done.stderr)")
            let resumed = try fixture.run(out: "run")
            #expect(resumed.status == 0, "\(resumed.stderr)")
            try fixture.expectSameFiles("run", as: try fixture.offline())
        }
    }

    /// A runner stalled (SIGSTOP) past its lease inside its persist transaction. `persist.fence`:
    /// after writing its step row, so the next runner, which takes the lapsed lease, cannot mark
    /// the stalled execution abandoned (the open transaction holds its row). `persist.rows`:
    /// after writing its results, so the next runner passes that but waits to write the same
    /// keys. It waited for ever; now it gives up after 5 s with exit 3, names the stalled
    /// runner's server process and gives the lease back. The server ends the stalled (idle)
    /// transaction once it has waited 3 leases (10 s at least); the next try completes the
    /// run, and the stalled runner, resumed, stores nothing.
    @Test(arguments: ["persist.fence", "persist.rows"])
    func aRunnerStalledInsideATransactionDoesNotBlockTheNextForEver(pausedAt: String) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        // Its transaction is ended once idle 24 s (3 leases of 8 s): well after the other gave
        // up, even on a machine running at half speed (with a 5 s lease, 15 s, a slow engine
        // could let the other runner wait past it, and succeed instead of exiting 3).
        let (stalled, hold) = try Self.runnerPaused(fixture, at: pausedAt, extra: ["--lease-seconds", "8"])
        defer { try? FileManager.default.removeItem(at: hold) }
        kill(stalled.pid, SIGSTOP)
        defer { kill(stalled.pid, SIGCONT) }
        let stalledSession = "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'"
        let name = [PostgresValue("labourmatch run \(stalled.pid)")]
        #expect(try fixture.count(stalledSession, name) == 1)
        // Past its lease (its heartbeat is stopped too), by the server's clock.
        #expect(try eventually { try fixture.count("SELECT count(*) FROM run_leases WHERE expires_at < now()") == 1 })
        let started = Date()
        let blocked = try fixture.run(out: "other", ["--lease-seconds", "3"])
        #expect(blocked.status == 3, "\(blocked.stdout)\(blocked.stderr)")
        #expect(Date().timeIntervalSince(started) < 15, "gave up after 5 s, before the server ended the stalled transaction")
        #expect(blocked.stderr.contains("is still held in the database") && blocked.stderr.contains("(labourmatch run \(stalled.pid))")
                && blocked.stderr.contains("released the lease"), "\(blocked.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM run_leases") == 0, "the lease was given back")
        // persist.fence: the stalled execution could not be marked abandoned; persist.rows: it
        // was, and the second runner's own execution failed at its persist step (restartable).
        #expect(try fixture.count("SELECT count(*) FROM run_executions WHERE status = 'running'") == (pausedAt == "persist.fence" ? 1 : 0))
        if pausedAt == "persist.rows" {
            #expect(blocked.stderr.contains("run 1 is failed and restartable"), "\(blocked.stderr)")
            #expect(try fixture.rows("SELECT step, status FROM run_steps WHERE execution_id = 2 AND status <> 'completed'")
                    == [["persist", "failed"]])
        }
        // Ended by the server 24 s after the stall began.
        #expect(try eventually(within: 30) { try fixture.count(stalledSession, name) == 0 })
        let other = try fixture.run(out: "other", ["--lease-seconds", "3"])
        #expect(other.status == 0, "\(other.stdout)\(other.stderr)")
        try fixture.expectSameFiles("other", as: try fixture.offline())
        try FileManager.default.removeItem(at: hold)
        kill(stalled.pid, SIGCONT)
        let done = stalled.finish()
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
        #expect(done.stderr.contains("was taken over"), "\(done.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("run/matches.csv").path))
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE status = 'succeeded'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM run_executions WHERE status = 'running'") == 0)
    }

    /// A lock held by something other than a runner of the scope (here the chain's advisory
    /// lock, as another scope's seal or an administrator would hold it) and waited on past the
    /// bound: an ordinary failure (exit 1, restartable), not "a runner stalled" (it said so, and
    /// exit 3); the files written before the seal stay, but not SHA256SUMS (it stayed, and said
    /// "complete" for a run that was not sealed). Once the lock is gone the run resumes.
    @Test func aLockHeldByAnotherTransactionFailsTheRunAndLeavesNoChecksums() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let db = try fixture.database.connect()
        defer { db.close() }
        try db.execute("BEGIN")
        try db.execute("SELECT pg_advisory_xact_lock(\(RunChain.lockKey))")
        let started = Date()
        let blocked = try fixture.run(out: "run", ["--lease-seconds", "3"])
        try db.execute("ROLLBACK")
        #expect(blocked.status == 1, "\(blocked.stdout)\(blocked.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(blocked.stderr.contains("lock timeout") && !blocked.stderr.contains("stalled past its lease"),
                "\(blocked.stderr)")
        let dir = fixture.dir.appendingPathComponent("run")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("matches.csv").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("SHA256SUMS").path))
        #expect(try fixture.rows("SELECT status FROM runs") == [["failed"]])
        #expect(try fixture.count("SELECT count(*) FROM run_leases") == 0)
        let again = try fixture.run(out: "run")
        #expect(again.status == 0 && again.stdout.contains("resumed at step report"), "\(again.stdout)\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("SHA256SUMS").path))

        // A runner that died (its execution still says running, but it has no server process)
        // and an administrator's lock on the rows the next runner's first transaction changes:
        // not "a runner stalled" (exit 3, naming the dead one), an ordinary failure (exit 1).
        let killed = try fixture.run(out: "dead", ["--date", "2026-11-30"],
                                     environment: ["LABOURMATCH_TEST_KILL_AT_STEP": "rules"])
        #expect(killed.signaled)
        try db.execute("BEGIN")
        try db.execute("LOCK TABLE run_steps IN EXCLUSIVE MODE")
        let locked = try fixture.run(out: "dead", ["--date", "2026-11-30", "--lease-seconds", "3"])
        try db.execute("ROLLBACK")
        #expect(locked.status == 1 && locked.stderr.contains("not by a runner of this scope")
                && !locked.stderr.contains("stalled past its lease"), "\(locked.stderr)")
        #expect(try fixture.run(out: "dead", ["--date", "2026-11-30"]).status == 0)
    }

    /// What can be known before the work is checked before it: a database that does not exist
    /// is bad usage (exit 2 at once, not five retries and exit 1), a database without the
    /// migrations says so, a results directory that cannot be written is exit 2 with no run
    /// stored, and a relative --out is stored as an absolute path.
    /// A statement timeout an administrator set (here on the database; a role's or PGOPTIONS'
    /// alike) cancelled the run's persist COPY at every restart: every connection sets none.
    @Test func anAdministratorsStatementTimeoutDoesNotCancelTheWork() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let db = try fixture.database.connect()
        defer { db.close() }
        let database = try db.query("SELECT current_database()")[0].decode(0, as: String.self)
        try db.execute("ALTER DATABASE \(database) SET statement_timeout = '1ms'")
        let run = try fixture.run(out: "timed", environment: ["PGOPTIONS": "-c statement_timeout=1"])
        #expect(run.status == 0, "\(run.stderr)")
        try fixture.expectSameFiles("timed", as: try fixture.offline())
        let load = try CLIProcess.run(["load", "employers", projectRoot.appendingPathComponent("Fixtures/employers.csv").path,
                                       "--source", "timed", "--database-url", fixture.database.conninfo])
        #expect(load.status == 0, "\(load.stderr)")
        try db.execute("ALTER DATABASE \(database) RESET statement_timeout")
    }

    @Test func runChecksItsDatabaseAndResultsDirectoryFirst() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let missing = ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: "no_such_db_\(UInt32.random(in: 0...UInt32.max))")
        // Not retried: the default retries wait 0.5 + 1 + 2 + 4 s, so each run stays under 7 s
        // (a bound for each, not for all three, so that a loaded machine cannot add up to it).
        var started = Date()
        let noDatabase = try CLIProcess.run(["run", "--date", FixtureRun.runDate, "--database-url", missing,
                                             "--out", fixture.dir.appendingPathComponent("x").path])
        #expect(noDatabase.status == 2, "\(noDatabase.stderr)")
        #expect(noDatabase.stderr.contains("does not exist"), "\(noDatabase.stderr)")
        #expect(Date().timeIntervalSince(started) < 7, "not retried")
        // A string libpq cannot parse, whatever the parser's message (these two were retried).
        for url in ["postgresql://[bad", "host='unterminated"] {
            started = Date()
            let bad = try CLIProcess.run(["run", "--date", FixtureRun.runDate, "--database-url", url,
                                          "--out", fixture.dir.appendingPathComponent("x").path])
            #expect(bad.status == 2 && bad.stderr.contains("invalid connection string"), "\(bad.stderr)")
            #expect(Date().timeIntervalSince(started) < 7, "not retried")
        }

        let admin = try TestDatabase.connect()
        defer { admin.close() }
        let bare = "batch_bare_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute("CREATE DATABASE \(bare)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(bare) WITH (FORCE)") }
        let unmigrated = try CLIProcess.run(["run", "--date", FixtureRun.runDate, "--out", fixture.dir.appendingPathComponent("y").path,
                                             "--database-url", ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: bare)])
        #expect(unmigrated.status == 1)
        #expect(unmigrated.stderr.contains("run labourmatch db migrate first"), "\(unmigrated.stderr)")
        let feeds = try CLIProcess.run(["feeds", "list", "--database-url",
                                        ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: bare)])
        let neverMigrated = "this database has no LabourMatch tables in the schemas of this session's search_path (it "
            + "was never migrated: run labourmatch db migrate first;"
        #expect(feeds.status == 1 && feeds.stderr.contains(neverMigrated), "\(feeds.stderr)")
        // A table of the same name but no migrations: still never migrated (it was a bare missing column).
        let bareDB = try Connection(ConnectionConfig(conninfo: ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: bare)))
        try bareDB.execute("CREATE TABLE feeds (feed_id bigint)")
        bareDB.close()
        for arguments in [["feeds", "list"], ["runs", "list"], ["verify", "--chain"], ["report", "1", "--out", "-"],
                          ["explain", "1", "--worker", "W1"]] {
            let refused = try CLIProcess.run(arguments + ["--database-url",
                                                          ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: bare)])
            #expect(refused.status == 1 && refused.stderr.contains(neverMigrated), "\(arguments): \(refused.stderr)")
        }
        // Migrated into a schema of LABOURMATCH_SCHEMA, looked for without it: the schema is named
        // (db migrate, as "never migrated" advised, made a second, empty set of tables).
        let bareURL = ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: bare)
        let owner = try Connection(ConnectionConfig(conninfo: bareURL))
        try owner.execute("CREATE SCHEMA lm")
        owner.close()
        let intoLm = try CLIProcess.run(["db", "migrate", "--database-url", bareURL], environment: ["LABOURMATCH_SCHEMA": "lm"])
        #expect(intoLm.status == 0, "\(intoLm.stderr)")
        let withoutIt = try CLIProcess.run(["runs", "list", "--database-url", bareURL])
        let named = "this session's search_path names no schema with LabourMatch tables, but schema lm (owner "
        #expect(withoutIt.status == 1 && withoutIt.stderr.contains(named)
                && withoutIt.stderr.contains("set LABOURMATCH_SCHEMA=lm for every command"), "\(withoutIt.stderr)")
        // db status says so (exit 1), and db migrate applies nothing rather than a second set in public.
        let status = try CLIProcess.run(["db", "status", "--database-url", bareURL])
        #expect(status.status == 1 && status.stderr.contains(named), "\(status.stderr)")
        let again = try CLIProcess.run(["db", "migrate", "--database-url", bareURL])
        #expect(again.status == 1 && again.stderr.contains("nothing was applied: " + named)
                && again.stderr.contains("LABOURMATCH_SCHEMA='public' labourmatch db migrate"), "\(again.stderr)")
        // Another application's schema_migrations (no sha256 column) beside a runs table is not named.
        let other = try Connection(ConnectionConfig(conninfo: bareURL))
        for sql in ["CREATE SCHEMA app", "CREATE TABLE app.schema_migrations (version text)", "CREATE TABLE app.runs (id int)"] {
            try other.execute(sql)
        }
        other.close()
        let listed = try CLIProcess.run(["runs", "list", "--database-url", bareURL])
        #expect(listed.stderr.contains("schema lm (owner ") && !listed.stderr.contains("app"), "\(listed.stderr)")
        let withIt = try CLIProcess.run(["runs", "list", "--database-url", bareURL], environment: ["LABOURMATCH_SCHEMA": "lm"])
        #expect(withIt.status == 0, "\(withIt.stderr)")
        // Another application's schema_migrations in the path's own schema: db status and migrate
        // said a bare 42703 (no column "name"). With LabourMatch's tables elsewhere, those are named;
        // without, the table is, and nothing is created beside it.
        let rails = try Connection(ConnectionConfig(conninfo: bareURL))
        try rails.execute("CREATE TABLE public.schema_migrations (version text PRIMARY KEY)")
        let toLm = try CLIProcess.run(["db", "status", "--database-url", bareURL])
        #expect(toLm.status == 1 && toLm.stderr.contains(named) && !toLm.stderr.contains("42703"), "\(toLm.stderr)")
        // db migrate does not advise a second set in public, where the other table stands; db
        // roles says where the tables are.
        for arguments in [["db", "migrate"], ["db", "roles"]] {
            let told = try CLIProcess.run(arguments + ["--database-url", bareURL])
            #expect(told.status == 1 && told.stderr.contains(named) && !told.stderr.contains("LABOURMATCH_SCHEMA='public'"),
                    "\(arguments): \(told.stderr)")
        }
        try rails.execute("DROP SCHEMA lm CASCADE")
        let foreign = "schema public, where this session looks for LabourMatch's tables, holds a table named "
            + "schema_migrations that is not LabourMatch's (it has no sha256 column: another application's?)"
        for arguments in [["db", "status"], ["db", "migrate"], ["db", "roles"], ["runs", "list"], ["load", "vacancies",
                          projectRoot.appendingPathComponent("Fixtures/vacancies.csv").path]] {
            let refused = try CLIProcess.run(arguments + ["--database-url", bareURL])
            #expect(refused.status == 1 && refused.stderr.contains(foreign)
                    && refused.stderr.contains("LABOURMATCH_SCHEMA=labourmatch") && !refused.stderr.contains("42703"),
                    "\(arguments): \(refused.stderr)")
        }
        #expect(try rails.query("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")[0]
                    .decode(0, as: Int64.self) == 2, "db migrate made nothing beside the other application's table")
        rails.close()
        // Migrated up to 0005 only (an upgrade without db migrate): the load's missing type is
        // said to be the schema's lag (it was a bare `42704: type "whole_count" does not exist`).
        let partial = fixture.dir.appendingPathComponent("schema-to-0005")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: projectRoot.appendingPathComponent("Schema").path)
        where name.hasSuffix(".sql") && name < "0006" {
            try FileManager.default.copyItem(at: projectRoot.appendingPathComponent("Schema/\(name)"), to: partial.appendingPathComponent(name))
        }
        let lagging = "batch_lagging_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute("CREATE DATABASE \(lagging)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(lagging) WITH (FORCE)") }
        let laggingURL = ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: lagging)
        let migrated = try CLIProcess.run(["db", "migrate", "--schema-dir", partial.path, "--database-url", laggingURL])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let load = try CLIProcess.run(["load", "vacancies", projectRoot.appendingPathComponent("Fixtures/vacancies.csv").path,
                                       "--database-url", laggingURL])
        #expect(load.status == 1 && load.stderr.contains("this database's schema is behind this labourmatch (it lacks "
                                                         + "0009_schema_version.sql at least): its owner runs labourmatch db migrate"),
                "\(load.stderr)")
        // Refused before any work by every command acting as a role, the nightly run included
        // (on a database with 0007's guards missing it ran, and could store what they refuse).
        for arguments in [["feeds", "list"], ["runs", "list"], ["run", "--date", FixtureRun.runDate, "--out", fixture.dir.appendingPathComponent("z").path]] {
            let refused = try CLIProcess.run(arguments + ["--database-url", laggingURL])
            #expect(refused.status == 1 && refused.stderr.contains("this database's schema is behind this labourmatch"),
                    "\(arguments): \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("z").path))
        // One migration short (0009 applied, the last one not): named, from and to.
        let files = try FileManager.default.contentsOfDirectory(atPath: projectRoot.appendingPathComponent("Schema").path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        for name in files.dropLast() where name >= "0006" {
            try FileManager.default.copyItem(at: projectRoot.appendingPathComponent("Schema/\(name)"), to: partial.appendingPathComponent(name))
        }
        #expect(try CLIProcess.run(["db", "migrate", "--schema-dir", partial.path, "--database-url", laggingURL]).status == 0)
        let oneShort = try CLIProcess.run(["feeds", "list", "--database-url", laggingURL])
        #expect(oneShort.status == 1 && oneShort.stderr.contains("(its last migration is \(files[files.count - 2]); 1 migration is pending: "
                                                                 + "\(files.last!))"), "\(oneShort.stderr)")
        #expect(try CLIProcess.run(["db", "migrate", "--database-url", laggingURL]).status == 0)
        #expect(try CLIProcess.run(["feeds", "list", "--database-url", laggingURL]).status == 0)
        // Ahead of this labourmatch (a newer one migrated it): refused too, an older binary would
        // work without the newer migrations' guards.
        try FileManager.default.copyItem(at: projectRoot.appendingPathComponent("Schema/\(files.last!)"),
                                         to: partial.appendingPathComponent(files.last!))
        try Data("SELECT 1;\n".utf8).write(to: partial.appendingPathComponent("9998_from_the_future.sql"))
        #expect(try CLIProcess.run(["db", "migrate", "--schema-dir", partial.path, "--database-url", laggingURL]).status == 0)
        for arguments in [["feeds", "list"], ["run", "--date", FixtureRun.runDate, "--out", fixture.dir.appendingPathComponent("z").path]] {
            let ahead = try CLIProcess.run(arguments + ["--database-url", laggingURL])
            #expect(ahead.status == 1 && ahead.stderr.contains("this database's schema is ahead of this labourmatch (its last "
                                                               + "migration is 9998_from_the_future.sql; "), "\(arguments): \(ahead.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("z").path))
        // Whatever Schema/ the binary finds: none at all (a binary copied elsewhere) still knows
        // the schema it was built for; a newer one beside an older build (a pull without a
        // rebuild) makes the build refuse even a schema it matches (an upgrade review, session 18).
        let homeless = fixture.dir.appendingPathComponent("home-without-schema")
        try FileManager.default.createDirectory(at: homeless, withIntermediateDirectories: true)
        let noSchema = try CLIProcess.run(["feeds", "list", "--database-url", laggingURL],
                                          environment: ["LABOURMATCH_HOME": homeless.path])
        #expect(noSchema.status == 1 && noSchema.stderr.contains("is ahead of this labourmatch (its last migration is "
            + "9998_from_the_future.sql; this labourmatch was built for the migrations up to \(Migrator.builtWith))"),
                "\(noSchema.stderr)")
        let newer = fixture.dir.appendingPathComponent("home-newer")
        try FileManager.default.createDirectory(at: newer, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: partial, to: newer.appendingPathComponent("Schema"))
        let pulled = try CLIProcess.run(["feeds", "list", "--database-url", fixture.database.conninfo],
                                        environment: ["LABOURMATCH_HOME": newer.path])
        #expect(pulled.status == 1 && pulled.stderr.contains("this labourmatch was built before the migrations of "
            + "\(newer.path)/Schema (they end at 9998_from_the_future.sql; it was built for those up to \(Migrator.builtWith))"),
                "\(pulled.stderr)")
        // Nor does such a build migrate with that Schema/: applied, it made its own commands refuse.
        let pulledMigrate = try CLIProcess.run(["db", "migrate", "--database-url", fixture.database.conninfo],
                                               environment: ["LABOURMATCH_HOME": newer.path])
        #expect(pulledMigrate.status == 1 && pulledMigrate.stderr.contains("it was built for those up to \(Migrator.builtWith)): "
            + "nothing was applied"), "\(pulledMigrate.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM schema_migrations WHERE name = '9998_from_the_future.sql'") == 0)
        #expect(try CLIProcess.run(["feeds", "list", "--database-url", fixture.database.conninfo]).status == 0)
        // A --schema-dir that holds no migration is a wrong directory (it said "up to date").
        let empty = fixture.dir.appendingPathComponent("no-migrations")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let aFile = fixture.dir.appendingPathComponent("schema-file")
        try Data("x".utf8).write(to: aFile)
        for (dir, said) in [(empty.path, "holds no NNNN_name.sql migration"), (empty.path + "/nowhere", "no such directory"),
                            (aFile.path, "not a directory")] {
            let wrong = try CLIProcess.run(["db", "migrate", "--schema-dir", dir, "--database-url", laggingURL])
            #expect(wrong.status == 2 && wrong.stderr.contains(said), "\(dir): \(wrong.stderr)")
        }

        let plainFile = fixture.dir.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: plainFile)
        let underAFile = try fixture.run(out: "a-file/results")
        #expect(underAFile.status == 2, "\(underAFile.stderr)")
        #expect(underAFile.stderr.contains("--out"), "\(underAFile.stderr)")
        let isFile = try fixture.run(out: "a-file")
        #expect(isFile.status == 2 && isFile.stderr.contains("is not a directory"), "\(isFile.stderr)")
        // What a look cannot see, a try does (root "may write" into /proc; the run failed at its
        // report step, status 1).
        let proc = try CLIProcess.run(["run", "--date", FixtureRun.runDate, "--database-url", fixture.database.conninfo,
                                       "--out", "/proc/labourmatch-\(UInt32.random(in: 0...UInt32.max))/results"])
        #expect(proc.status == 2 && proc.stderr.contains("cannot create a directory in /proc ("), "\(proc.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM runs") == 0, "no run was started")
        // A report's file, and a load's rejections file, the same way, before any work.
        let procFile = "/proc/labourmatch-\(UInt32.random(in: 0...UInt32.max))/r.html"
        let report = try fixture.command(["report", "1", "--out", procFile])
        #expect(report.status == 2 && report.stderr.contains("cannot create a directory in /proc ("), "\(report.stderr)")
        let rejections = try CLIProcess.run(["load", "employers", projectRoot.appendingPathComponent("Fixtures/employers.csv").path,
                                             "--rejections-out", procFile, "--database-url", fixture.database.conninfo])
        #expect(rejections.status == 2 && rejections.stderr.contains("cannot create a directory in /proc (")
                && rejections.stderr.contains("nothing was loaded"), "\(rejections.stderr)")
        // The try leaves nothing behind.
        let probed = fixture.dir.appendingPathComponent("probed/deep")
        #expect(OutputDirectory.probe(probed.path) == nil)
        #expect(OutputDirectory.probe(fixture.dir.path) == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("probed").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.dir.path).allSatisfy { !$0.hasPrefix(".labourmatch-probe") })

        // The process runs in the project's root: a path relative to it.
        let up = String(repeating: "../", count: projectRoot.standardizedFileURL.pathComponents.count - 1)
        let target = fixture.dir.appendingPathComponent("relative").standardizedFileURL.path
        let relative = try CLIProcess.run(["run", "--date", FixtureRun.runDate, "--database-url", fixture.database.conninfo,
                                           "--out", up + String(target.dropFirst())])
        #expect(relative.status == 0, "\(relative.stderr)")
        #expect(relative.stdout.contains("results: \(target)\n"), "\(relative.stdout)")
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE report_dir = $1", [PostgresValue(target)]) == 1)
    }

    /// A nightly run that starts before the feeds are loaded succeeds (empty input is valid) and
    /// marks its date done; it says so on stderr, and how to run again. A run with data does not.
    @Test func aRunWithNothingLoadedWarnsThatItsDateIsDone() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let empty = try ScratchDatabase(migrated: false)
        defer { empty.drop() }
        let url = empty.conninfo
        #expect(try CLIProcess.run(["db", "migrate", "--database-url", url]).status == 0)
        let run = try CLIProcess.run(["run", "--date", FixtureRun.runDate, "--database-url", url,
                                      "--out", fixture.dir.appendingPathComponent("empty").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: no worker and no vacancy took part in this run"), "\(run.stderr)")
        #expect(run.stderr.contains("run it again with --rerun"), "\(run.stderr)")

        let full = try fixture.run(out: "full")
        #expect(full.status == 0, "\(full.stderr)")
        #expect(!full.stderr.contains("took part in this run"), "\(full.stderr)")
    }

    @Test func badUsageExits2() throws {
        #expect(try CLIProcess.run(["run", "--date", "2026-02-30"]).status == 2)
        #expect(try CLIProcess.run(["run", "--scope", "no spaces"]).status == 2)
        #expect(try CLIProcess.run(["run", "--policy", "Fixtures/bad/no-such-policy.toml"]).status == 2)
        let limit = try CLIProcess.run(["runs", "list", "--limit", "0"])
        #expect(limit.status == 2 && limit.stderr.contains("--limit must be 1 or more"), "\(limit.stderr)")
    }
}
