import Foundation
import Testing

/// Bad feeds (FEEDS.md): whole-file problems exit 2 and write nothing; bad
/// rows land in rejections.csv with the reason the golden files give, and the
/// run goes on without them.
@Suite struct BadInputTests {
    @Test(arguments: [
        ("--vacancies", "bad/vacancies-missing-column.csv", "currency"),
        ("--workers", "bad/workers-unknown-column.csv", "name"),
        ("--employers", "bad/employers-duplicate-column.csv", "country"),
        ("--recruiters", "bad/recruiters-empty.csv", "no header"),
        ("--vacancies", "bad/vacancies-empty-first-line.csv", "no header"),
        ("--workers", "bad/workers-unknown-key.ndjson", "passport_number"),
    ])
    func wholeFileErrorsExit2AndWriteNothing(option: String, file: String, named: String) throws {
        let out = try scratchDirectory().appendingPathComponent("out")
        let run = try labourmatch(matchArguments(out: out, replacing: [option: fixture(file)]))
        #expect(run.status == 2)
        #expect(run.stderr.contains(file), "the message names the file: \(run.stderr)")
        #expect(run.stderr.contains(named), "the message names the problem: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing is written")
    }

    /// What a feed or a policy file puts into an error (an unknown column's name, a key) reaches
    /// the operator's terminal escaped: no escape sequence, bell, line break or bidi override
    /// from it (they were written raw).
    @Test func feedTextInErrorsCannotDriveTheTerminal() throws {
        let dir = try scratchDirectory()
        let employers = dir.appendingPathComponent("employers.csv")
        try Data("employer_id,name,country,sector,iris_certified,blocklisted,x\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{202E}\n".utf8)
            .write(to: employers)
        let header = try labourmatch(matchArguments(out: dir.appendingPathComponent("out"),
                                                    replacing: ["--employers": employers.path]))
        let policy = dir.appendingPathComponent("policy.toml")
        try Data("[weights]\n\"sk\\u001b[5mills\\nlabourmatch: fake\" = 1\n".utf8).write(to: policy)
        let key = try labourmatch(matchArguments(out: dir.appendingPathComponent("out2"), extra: ["--policy", policy.path]))
        for outcome in [header, key] {
            #expect(outcome.status == 2, "\(outcome.stderr)")
            #expect(!outcome.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(outcome.stderr.debugDescription)")
            #expect(!outcome.stderr.unicodeScalars.contains { $0.value == 0x202E }, "\(outcome.stderr.debugDescription)")
            #expect(outcome.stderr.contains("\\u{1B}"), "\(outcome.stderr.debugDescription)")
            #expect(!outcome.stderr.contains("\nlabourmatch: fake"), "\(outcome.stderr.debugDescription)")
        }
    }

    /// A command group without its subcommand is bad usage (2), its help on stderr; asking for
    /// help is not (0).
    @Test(arguments: [[], ["runs"], ["feeds"], ["db"]])
    func aMissingSubcommandExits2(arguments: [String]) throws {
        let bare = try labourmatch(arguments)
        #expect(bare.status == 2, "\(bare.stderr)")
        #expect(bare.stderr.contains("SUBCOMMANDS") && bare.stderr.contains("a subcommand is missing"), "\(bare.stderr)")
        #expect(bare.stdout.isEmpty)
        let help = try labourmatch(arguments + ["--help"])
        #expect(help.status == 0 && help.stdout.contains("SUBCOMMANDS"), "\(help.stdout)")
    }

    /// `help` of a command that does not exist is bad usage (it printed the top help, status 0);
    /// `help` of one that does is not; `--version` names the engine and the last migration.
    @Test func helpOfNoCommandExits2AndVersionSaysWhatItIs() throws {
        for (words, lister) in [(["help", "nosuch"], "labourmatch --help"), (["help", "runs", "nosuch"], "labourmatch runs --help")] {
            let typo = try labourmatch(words)
            #expect(typo.status == 2 && typo.stderr.contains("no command 'nosuch' to help with (\(lister) lists them)")
                    && typo.stdout.isEmpty, "\(words): \(typo.stderr)")
        }
        // Words after a command without subcommands are its arguments; `help help` is the parser's.
        for words in [["help", "load", "employers"], ["help", "help"]] {
            #expect(try labourmatch(words).status == 0, "\(words)")
        }
        let help = try labourmatch(["help", "runs", "show"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: labourmatch runs show"), "\(help.stdout)")
        let version = try labourmatch(["--version"])
        let last = try FileManager.default.contentsOfDirectory(atPath: projectRoot.appendingPathComponent("Schema").path)
            .filter { $0.hasSuffix(".sql") }.sorted().last
        #expect(version.status == 0 && version.stdout.hasPrefix("labourmatch: engine labourmatch-engine/")
                && version.stdout.contains("migrations up to \(last ?? "?")"), "\(version.stdout)")
    }

    /// Each bounded option states its range in its help, and a value outside it is bad usage
    /// (2) before any work (the ranges were stated only by the errors).
    @Test(arguments: [(["run"], "--lease-seconds", "3 to 86400", "2"), (["run"], "--scope", "1 to 64 of A-Z a-z 0-9 . _ -", "a b"),
                      (["load", "vacancies", "x.csv"], "--lock-timeout", "0 to 86400", "-1"),
                      (["feeds", "list"], "--limit", "1 or more", "0"), (["runs", "list"], "--limit", "1 or more", "0")])
    func boundedOptionsStateTheirRange(command: [String], option: String, range: String, outside: String) throws {
        let help = try labourmatch(command.prefix { !$0.hasSuffix(".csv") } + ["--help"])
        let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.status == 0 && flat.contains(range), "\(command) \(option): \(help.stdout)")
        let refused = try labourmatch(command + [option, outside, "--database-url", "postgresql://nobody@/nowhere?host=/nonexistent"])
        #expect(refused.status == 2 && refused.stderr.contains(option), "\(command) \(option) \(outside): \(refused.stderr)")
    }

    /// A binary whose project home is not where it looks (copied elsewhere, LABOURMATCH_HOME
    /// wrong) says where it looked and the way out.
    @Test func aMissingProjectHomeIsNamedWithTheWayOut() throws {
        let home = "/nonexistent-\(UUID().uuidString)"
        let out = try scratchDirectory()
        let match = try labourmatch(matchArguments(out: out), environment: ["LABOURMATCH_HOME": home])
        #expect(match.status == 2 && match.stderr.contains("cannot read the project's copy of the WHO list (in Reference/ "
            + "of the project's home, LABOURMATCH_HOME=\(home)): set LABOURMATCH_HOME to the project's directory, or give "
            + "--who-list FILE"), "\(match.stderr)")
        // The migrations' message: MigratorTests.aMissingDefaultSchemaDirectoryNamesTheHome.
    }

    /// `--kind`'s values each have a description in `--help` (they printed as `employers - `).
    @Test func helpDescribesEveryFeedKind() throws {
        let help = try labourmatch(["feeds", "list", "--help"])
        #expect(help.status == 0)
        for kind in ["employers", "recruiters", "vacancies", "workers", "minimum-wages", "fx-rates", "who-list"] {
            let line = help.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(kind + " ") }
            let description = line.map { String($0).components(separatedBy: " - ").dropFirst().joined() }
            #expect((description?.trimmingCharacters(in: .whitespaces).count ?? 0) > 3, "\(kind): \(line ?? "missing")")
        }
    }

    /// `--out` is the directory the system resolves: `lc/..` after a link `lc` to a directory is
    /// that directory's parent (the writes went through `URL`, which tidied `lc/..` away as
    /// text, while the check looked where the system goes), and a quoted `~` is a name.
    @Test func outAfterALinkIsWhereTheSystemTakesIt() throws {
        let dir = try scratchDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a/b/c"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("lc").path,
                                                   withDestinationPath: dir.appendingPathComponent("a/b/c").path)
        // Relative paths, from `dir`: `URL` made them absolute and tidied them on the way.
        func match(out: String) throws -> Int32 {
            var args = matchArguments(out: dir)
            args[args.count - 1] = out
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "cd \"$0\" && exec \"$@\" >/dev/null 2>&1", dir.path, labourmatchBinary.path] + args
            try shell.run()
            shell.waitUntilExit()
            return shell.terminationStatus
        }
        #expect(try match(out: "lc/../results") == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/b/results/matches.csv").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
        #expect(try match(out: "~/results") == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("~/results/summary.json").path))
    }

    /// A full disk under the command's output: standard output lost is status 1 with a sentence
    /// (print's buffer used to be dropped at exit, status 0), and standard error lost, or closed,
    /// leaves the command its own status (Foundation's `FileHandle.write(_:)` trapped: SIGILL, 132).
    @Test func aFullDiskUnderTheOutputIsAnErrorNotATrap() throws {
        let dir = try scratchDirectory()
        func run(_ arguments: [String], redirect: String) throws -> Int32 {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "exec \"$@\" \(redirect)", "sh", labourmatchBinary.path] + arguments
            try shell.run()
            shell.waitUntilExit()
            return shell.terminationReason == .exit ? shell.terminationStatus : 128 + shell.terminationStatus
        }
        let said = dir.appendingPathComponent("stderr.txt")
        #expect(try run(matchArguments(out: dir.appendingPathComponent("out")), redirect: ">/dev/full 2>'\(said.path)'") == 1)
        let message = try contents(said)
        #expect(message.contains("its output to standard output was lost (No space left on device)"), "\(message)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/matches.csv").path))
        #expect(try run(matchArguments(out: dir.appendingPathComponent("out2")), redirect: ">/dev/null") == 0)
        #expect(try run(["load", "vacancies", dir.appendingPathComponent("no-such.csv").path], redirect: "2>/dev/full") == 2)
        #expect(try run(matchArguments(out: dir.appendingPathComponent("out3"), replacing: ["--workers": "/no/such.csv"]),
                        redirect: "2>/dev/full") == 2)
        // Standard error (or all three) closed: the same statuses (it trapped, or died of SIGPIPE
        // writing its message into whatever took descriptor 2).
        #expect(try run(["match", "--no-such-option"], redirect: "2>&-") == 2)
        #expect(try run(["match", "--no-such-option"], redirect: "<&- >&- 2>&-") == 2)
        #expect(try run(matchArguments(out: dir.appendingPathComponent("out4")), redirect: ">/dev/null 2>&-") == 0)
        // Standard output closed: what the command printed is lost, so the status says so (the
        // descriptor was reopened on /dev/null for writing, and the summary vanished with 0).
        #expect(try run(matchArguments(out: dir.appendingPathComponent("out5")), redirect: ">&- 2>'\(said.path)'") == 1)
        let closed = try contents(said)
        #expect(closed.contains("its output to standard output was lost (standard output is closed or not open for writing)"), "\(closed)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out5/matches.csv").path))
        // Help lost to a full disk is not success either (argument-parser printed it, and said 0).
        #expect(try run(["--help"], redirect: ">/dev/full 2>/dev/null") == 1)
        #expect(try run(["load", "--help"], redirect: ">/dev/full 2>/dev/null") == 1)
        #expect(try run(["load", "--help"], redirect: ">/dev/null") == 0)
    }

    /// A WHO list with a rejected row stops an offline run (status 2, nothing written), as
    /// `load who-list` refuses it: a country left out would have its safeguard lifted, and
    /// FEEDS.md's rejections.csv has no `file` value for the list.
    @Test func aWHOListWithARejectedRowStopsTheRun() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("who-2024.csv")
        try Data("country,name,who_region\nPH,Philippines,\nng,Nigeria,AFR\nGH,Ghana,AFR\n".utf8).write(to: list)
        let out = dir.appendingPathComponent("out")
        let refused = try labourmatch(matchArguments(out: out, extra: ["--who-list", list.path]))
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("who-2024.csv: 2 rows were rejected (line 2, who_region: MISSING_FIELD"), "\(refused.stderr)")
        #expect(refused.stderr.contains("line 3, country: INVALID_VALUE"), "\(refused.stderr)")
        #expect(refused.stderr.contains("since a country left out of it would have its safeguard lifted; nothing was run"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        try Data("country,name,who_region\nPH,Philippines,WPR\n".utf8).write(to: list)
        let accepted = try labourmatch(matchArguments(out: out, extra: ["--who-list", list.path]))
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(!accepted.stderr.contains("names no country"), "\(accepted.stderr)")
        // A header alone is a list of no country: allowed, but it lifts every safeguard, so it warns.
        try Data("country,name,who_region\n".utf8).write(to: list)
        let none = try labourmatch(matchArguments(out: out, extra: ["--who-list", list.path]))
        #expect(none.status == 0 && none.stderr.contains("warning: the WHO list \(list.path) names no country: no pair "
                                                         + "can be refused WHO_SAFEGUARD_LIST in this run"), "\(none.stderr)")
        // An --out no one can write into is bad usage, found before any work (it was status 1, after it).
        let proc = try labourmatch(matchArguments(out: URL(fileURLWithPath: "/proc/labourmatch-\(UInt32.random(in: 0...UInt32.max))")))
        #expect(proc.status == 2 && proc.stderr.contains("cannot create a directory in /proc ("), "\(proc.stderr)")
    }

    /// Standard output a pipe whose reader is gone (`runs list | head -1`, a dead `| logger`):
    /// started with SIGPIPE's default action, as a shell or cron starts it, the command is not
    /// killed by SIGPIPE (status 141, a nightly run left started with its lease held); what it
    /// printed is lost, so the status is 1 with a sentence, as for a full disk.
    @Test func aBrokenPipeIsAnErrorNotADeathBySIGPIPE() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let said = dir.appendingPathComponent("stderr.txt").path
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])   // no reader: every write to the pipe fails (EPIPE, or SIGPIPE)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, said, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeOthers(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let arguments = matchArguments(out: dir.appendingPathComponent("out"))
        let argv: [UnsafeMutablePointer<CChar>?] = ([labourmatchBinary.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, labourmatchBinary.path, &actions, &attributes, argv, environ) == 0)
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        #expect(status & 0x7f == 0, "ended by signal \(status & 0x7f), not by its own status")
        #expect((status >> 8) & 0xff == 1)
        let message = try contents(URL(fileURLWithPath: said))
        #expect(message.contains("its output to standard output was lost (Broken pipe)"), "\(message)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/matches.csv").path))
    }

    /// An --out that names a file, or lies under one, is bad usage with a sentence that says so
    /// (Foundation's own error read `NSCocoaErrorDomain Code=512 "(null)"`).
    @Test func outThatIsAFileSaysSo() throws {
        let dir = try scratchDirectory()
        let file = dir.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let named = try labourmatch(matchArguments(out: file))
        #expect(named.status == 2 && named.stderr.contains("\(file.path) exists and is not a directory"), "\(named.stderr)")
        let under = try labourmatch(matchArguments(out: file.appendingPathComponent("results")))
        #expect(under.status == 2 && under.stderr.contains("\(file.path) is a file, not a directory"), "\(under.stderr)")
        #expect(!under.stderr.contains("NSCocoaErrorDomain"))
        // A directory where a result file goes: bad usage too, said as the tool's own error
        // (it reached argument-parser's bare `Error:` with exit status 1).
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out/matches.csv"), withIntermediateDirectories: true)
        try Data("earlier".utf8).write(to: dir.appendingPathComponent("out/candidates.csv"))
        let shadowed = try labourmatch(matchArguments(out: dir.appendingPathComponent("out")))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/candidates.csv").path),
                "a refused set removes nothing")
        #expect(shadowed.status == 2 && shadowed.stderr.hasPrefix("labourmatch: error: cannot write ")
                && shadowed.stderr.contains("(a directory has that name)"), "\(shadowed.stderr)")
        // A directory where the stale candidates.csv would be removed: refused before any file is
        // written (the set was written first, then the command failed with 2).
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out2/candidates.csv"), withIntermediateDirectories: true)
        let stale = try labourmatch(matchArguments(out: dir.appendingPathComponent("out2")))
        #expect(stale.status == 2 && stale.stderr.contains("candidates.csv (a directory has that name)"), "\(stale.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out2/matches.csv").path))
    }

    /// A wait that is not a number of seconds PostgreSQL can take is bad usage, before any
    /// database (`inf` crashed the conversion to milliseconds; 3e6 s overflowed lock_timeout).
    @Test(arguments: ["-1", "inf", "nan", "1e30", "3000000"])
    func lockTimeoutOutOfRangeExits2(value: String) throws {
        let run = try labourmatch(["load", "employers", fixture("employers.csv"), "--lock-timeout=\(value)",
                                   "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(run.status == 2, "\(value): \(run.stderr)")
        #expect(run.stderr.contains("--lock-timeout must be a number of seconds from 0 to 86400"), "\(run.stderr)")
    }

    /// A negative number after a space is the option's value, not a missing one: the message
    /// names the range (argument-parser took `-1` for an option of its own and said "Missing value").
    @Test func negativeNumbersAfterASpaceAreValues() throws {
        let load = try labourmatch(["load", "employers", fixture("employers.csv"), "--lock-timeout", "-1",
                                    "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(load.status == 2 && load.stderr.contains("--lock-timeout must be a number of seconds from 0 to 86400"),
                "\(load.stderr)")
        let run = try labourmatch(["run", "--lease-seconds", "-5", "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(run.status == 2 && run.stderr.contains("--lease-seconds"), "\(run.stderr)")
        #expect(!run.stderr.contains("Missing value"), "\(run.stderr)")
        let runs = try labourmatch(["runs", "list", "--limit", "-3", "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(runs.status == 2 && runs.stderr.contains("--limit must be 1 or more"), "\(runs.stderr)")
    }

    @Test(arguments: [
        ("--vacancies", "vacancies-rows.csv", "vacancies"),
        ("--vacancies", "vacancies-rows.ndjson", "vacancies"),
        ("--workers", "workers-rows.csv", "workers"),
        ("--workers", "workers-rows.ndjson", "workers"),
        ("--minimum-wages", "minimum-wages-rows.csv", "minimum_wages"),
        ("--fx-rates", "fx-rates-rows.csv", "fx_rates"),
    ])
    func rowErrorsLandInRejections(option: String, file: String, kind: String) throws {
        let out = try scratchDirectory()
        let run = try labourmatch(matchArguments(out: out, replacing: [option: fixture("bad/\(file)")]))
        #expect(run.status == 0, "\(run.stderr)")
        let expected = try contents(projectRoot.appendingPathComponent("Fixtures/expected/rejections/\(file).rejections.csv"))
        let written = try contents(out.appendingPathComponent("rejections.csv"))
        #expect(written == expected)
        // Raw rows (a worker's among them) are readable by their owner only; the results as the umask says.
        var info = stat()
        #expect(stat(out.appendingPathComponent("rejections.csv").path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        // accepted + rejected = data rows: the summary line of the file says all three.
        let line = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("  \(kind):") })
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count == 3)
        #expect(numbers[1] + numbers[2] == numbers[0])
        #expect(numbers[2] == expected.split(separator: "\n").count - 1, "rejected rows = rows of rejections.csv")
        // The run went on: the result files are there.
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.json").path))
    }

    @Test func badDateAndBadPolicyExit2() throws {
        let out = try scratchDirectory()
        var args = matchArguments(out: out)
        args[args.firstIndex(of: "2026-11-29")!] = "2026-02-30"
        let date = try labourmatch(args)
        #expect(date.status == 2)
        #expect(date.stderr.contains("2026-02-30"))

        let policy = out.appendingPathComponent("bad.toml")
        try Data("max_weekly_hours = \"48\"\n".utf8).write(to: policy)
        let run = try labourmatch(matchArguments(out: out, extra: ["--policy", policy.path]))
        #expect(run.status == 2)
        #expect(run.stderr.contains("max_weekly_hours"))
    }

    @Test func unknownOptionIsUsageError2() throws {
        let run = try labourmatch(["match", "--no-such-option"])
        #expect(run.status == 2)
    }
}
