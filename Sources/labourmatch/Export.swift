import ArgumentParser
import Batch
import Feeds
import Foundation
import Matching
import Postgres
import Store

/// `labourmatch export RUN --out DIR`: a stored run's result files.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a stored run's result files (MATCHING.md section 7) into a directory.",
        discussion: """
        Writes matches.csv, exclusions.csv and summary.json, byte for byte what \
        `labourmatch match` writes for the same data, policy, date and strategy. \
        (candidates.csv is not stored: the run keeps each worker's top five \
        candidates in run_top_candidates; rejected feed rows belong to the loads.)

        With --inputs, also writes DIR/inputs/: the rows the run read (the \
        versions its snapshot recorded) as the seven feed files of FEEDS.md, \
        and its policy as policy.toml, and prints the `labourmatch match` \
        command that reproduces the run from them: the same input_sha256, \
        policy_sha256 and result files.

        Exit statuses: 0 written; 1 a failure (a run without stored results, a read-back \
        that differs, the database); 2 bad usage (no such run, an --out that cannot be written).

        Example:
          labourmatch export 3 --out audit/run-3 --inputs
        """
    )

    @Argument(help: "The run id (see `runs list`).") var runId: Int64
    @Option(help: ArgumentHelp("Directory for the files (created when missing).", valueName: "dir")) var out: String
    @Flag(help: "Also write the run's input rows and policy into DIR/inputs/ (feed files that reproduce the run).")
    var inputs = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out needs a directory (give . for the current one)") }
    }

    func run() throws {
        // Before the database's work: a directory that cannot be written is bad usage (tried,
        // not only looked at: root may "write" into /proc); so is an inputs/ that is a file.
        let inputsPath = OutputDirectory.absolute(out) + "/inputs"
        for path in [out] + (inputs ? [inputsPath] : []) {
            if let why = OutputDirectory.probe(path) {
                throw CommandLog.fail(CommandFailure("--out \(out): \(why)"), status: 2)
            }
        }
        let stored: RunResults?
        let run: RunRecord?
        var input: MatchingInput?
        var missing: [String] = []
        do {
            let db = try database.connect(as: .auditor, logger: CommandLog.logger("export"))
            defer { db.close() }
            run = try JobRepository.run(db, runId: runId)
            stored = run == nil ? nil : try RunResults.read(db, runId: runId)
            if inputs, stored != nil {
                input = try RunSnapshot.input(db, runId: runId)
                missing = try RunSnapshot.missingVersions(db, runId: runId)
            }
        } catch {
            throw CommandLog.fail(error)
        }
        guard let run else { throw CommandLog.fail(RunLookupError.noSuchRun(runId), status: 2) }
        guard let stored else { throw CommandLog.fail(RunLookupError.noResults(runId, run.status)) }
        CommandLog.warnUnfinished(run)
        var policy: Policy?
        if inputs {
            guard RunInputs.sha256Hex(run.policyText) == run.key.policySHA256,
                  let read = Policy(canonicalText: run.policyText) else {
                throw CommandLog.fail(RunLookupError.badPolicy(runId))
            }
            policy = read
        }
        // One set: an export stopped or failed half-way leaves the directory's files as they
        // were, not some of this run's beside some of another's.
        var files = stored.files.map { (name: $0.name, bytes: Array($0.text.utf8)) }
        var feedFiles: [FeedWriter.File] = []
        if let input, let policy {
            feedFiles = FeedWriter.files(input)
            files += feedFiles.map { ("inputs/\($0.name)", Array($0.text.utf8)) }
            files.append(("inputs/policy.toml", Array(FeedWriter.policyTOML(policy).utf8)))
        }
        // Made absolute again once the directory exists (`missing/../x` resolved).
        let written: String
        do {
            let dir = try OutputDirectory(path: out)
            // Every worker's profile: readable by its owner only (what a person's file held is
            // withheld even from the auditor role in the database); the other files as the umask says.
            try dir.write(files, personal: Set(feedFiles.filter { $0.name == "workers.csv" }.map { "inputs/\($0.name)" }))
            written = OutputDirectory.absolute(out) + "/inputs"
            if inputs {
                // Another run's WHO list, of another edition, must not lie beside this one's.
                for name in (try? FileManager.default.contentsOfDirectory(atPath: written)) ?? []
                where name.hasPrefix("who-list") && name.hasSuffix(".csv") && !feedFiles.contains(where: { $0.name == name }) {
                    try OutputDirectory(path: written).remove(name)
                }
            }
        } catch {
            throw CommandLog.failWriting(error)
        }
        print("run \(runId): wrote \(stored.files.map(\.name).joined(separator: ", ")) to \(TerminalText.path(out))")
        guard let input else {
            var info = stat()
            if stat(written, &info) == 0 {
                CommandLog.warn("\(written) was left as it was: an earlier export's, perhaps of another run "
                                + "(--inputs writes run \(runId)'s)")
            }
            return
        }
        print("inputs: wrote \(feedFiles.map(\.name).joined(separator: ", ")), policy.toml to \(TerminalText.path(written))")
        // The rows written must be those the run read: a version changed or removed after the
        // run (the snapshot names it, the versions table no longer holds it as it was) would
        // make the command below compute something else.
        let hashed = RunInputs.sha256Hex(input.fingerprintText)
        if let recorded = run.inputSHA256, recorded != hashed {
            let gone = missing.isEmpty ? "" : "; the snapshot names versions no table holds: "
                + missing.joined(separator: ", ") + (missing.count == RunSnapshot.missingVersionsShown ? ", and more" : "")
            throw CommandLog.fail(CommandFailure(
                "the inputs written are not what run \(runId) read: they hash to \(hashed), the run recorded \(recorded) "
                + "(a row version was changed or removed after the run\(gone)); `labourmatch match` on them would not "
                + "reproduce the run, so no command is printed. labourmatch verify \(runId) says what differs"))
        }
        try Self.checkReadBack(inputs: written, run: run, whoListEdition: input.whoListEdition, hashed: hashed)
        print("reproduce: " + Export.matchCommand(inputs: written, run: run, whoListEdition: input.whoListEdition).joined(separator: " "))
    }

    /// Fails (no command printed) when the files written in `inputs` do not read back, as
    /// `match` reads them, into the input that hashes to `hashed`: a row they hold is rejected
    /// (a snapshot of a labourmatch before session 17 left out withdrawn employers and
    /// recruiters its vacancies and workers still named: `match` rejects those rows
    /// UNKNOWN_EMPLOYER), or they read as another input. An upgrade review (session 18) ran
    /// such a `reproduce:` line and got 111 matches for the run's 120.
    static func checkReadBack(inputs: String, run: RunRecord, whoListEdition: String, hashed: String) throws {
        let reread: RunInputs
        do {
            reread = try RunInputs.read(inputFiles(inputs, whoListEdition: whoListEdition), codes: try CodeLists.system())
        } catch {
            throw CommandLog.fail(CommandFailure("the inputs written for run \(run.runId) cannot be read back (\(error)); "
                                                 + "`labourmatch match` on them would not reproduce the run, so no command is printed"))
        }
        guard !reread.rejections.isEmpty || reread.inputSHA256 != hashed else { return }
        let rejected = reread.rejections.sorted { ($0.kind.rawValue, $0.rejection.line) < ($1.kind.rawValue, $1.rejection.line) }
        let first = rejected.prefix(3).map {
            "\(FeedWriter.fileName($0.kind, whoListEdition: whoListEdition)) line \($0.rejection.line) \($0.rejection.reason.rawValue)"
        }.joined(separator: ", ") + (rejected.count > 3 ? ", and \(rejected.count - 3) more" : "")
        let why = rejected.isEmpty ? "they read as another input (SHA-256 \(reread.inputSHA256), the run's is \(hashed))"
            : "`labourmatch match` rejects \(rejected.count) of their rows (\(first)): the run's snapshot names a key it does "
                + "not hold, as a run made by a labourmatch before withdrawn employers and recruiters still named were "
                + "recorded (session 17) does"
        throw CommandLog.fail(CommandFailure("the inputs written for run \(run.runId) are the rows it read, but \(why); "
                                             + "`labourmatch match` on them would not reproduce the run, so no command is "
                                             + "printed. labourmatch verify \(run.runId) recomputes the run from its snapshot"))
    }

    /// The `labourmatch match` command that reproduces `run` from the files in `inputs`
    /// (shell-quoted where a path needs it), writing into `<inputs>/../reproduced`.
    /// The files `export --inputs` writes into `inputs`, as `match` takes them.
    static func inputFiles(_ inputs: String, whoListEdition: String) -> RunInputFiles {
        func file(_ kind: FeedKind) -> String {
            (inputs as NSString).appendingPathComponent(FeedWriter.fileName(kind, whoListEdition: whoListEdition))
        }
        return RunInputFiles(employers: file(.employers), recruiters: file(.recruiters), vacancies: file(.vacancies),
                             workers: file(.workers), minimumWages: file(.minimumWages), fxRates: file(.fxRates),
                             whoList: file(.whoList), policy: (inputs as NSString).appendingPathComponent("policy.toml"))
    }

    static func matchCommand(inputs: String, run: RunRecord, whoListEdition: String) -> [String] {
        let files = inputFiles(inputs, whoListEdition: whoListEdition)
        let out = ((inputs as NSString).deletingLastPathComponent as NSString).appendingPathComponent("reproduced")
        return [selfPath(), "match", "--employers", shellQuoted(files.employers), "--recruiters", shellQuoted(files.recruiters),
                "--vacancies", shellQuoted(files.vacancies), "--workers", shellQuoted(files.workers),
                "--minimum-wages", shellQuoted(files.minimumWages), "--fx-rates", shellQuoted(files.fxRates),
                "--who-list", shellQuoted(files.whoList), "--policy", shellQuoted(files.policy!),
                "--date", run.key.runDate.description, "--strategy", run.key.strategy.rawValue,
                "--out", shellQuoted(out)]
    }

    /// This binary as a shell word that runs it again: the name it was started by when an
    /// absolute directory of PATH holds this very file under it (a relative entry depends on
    /// the directory the command is pasted in), else its real path (`.build/release/labourmatch`
    /// is not on PATH; a `labourmatch` on PATH may be another, older one). When the file was
    /// deleted or replaced since it started (an upgrade), the name or path it was started by.
    static func selfPath(_ argument0: String = CommandLine.arguments.first ?? "") -> String {
        func real(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        // A file deleted or replaced since it started: the kernel's link reads "PATH (deleted)".
        func startedFrom() -> String? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 16)
            let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            guard n > 0 else { return nil }
            let link = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return link.hasSuffix(" (deleted)") ? String(link.dropLast(" (deleted)".count)) : nil
        }
        let bare = !argument0.isEmpty && !argument0.contains("/")
        guard let exe = real("/proc/self/exe") ?? startedFrom() else {
            return argument0.contains("/") ? shellQuoted(OutputDirectory.absolute(argument0))
                : shellQuoted(bare ? argument0 : "labourmatch")
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates: [String] = path.split(separator: ":").filter { $0.hasPrefix("/") }.map { "\($0)/\(argument0)" }
        if bare, let found = candidates.first(where: { access($0, X_OK) == 0 }), real(found) == exe || found == exe {
            return shellQuoted(argument0)
        }
        return shellQuoted(exe)
    }

    /// `text` as one shell word: as it is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = !text.isEmpty && text.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || "/._-+:,=@%".utf8.contains(b)
        }
        if safe { return text }
        // A control character or a bidirectional override would drive the terminal the line is
        // printed on: bash's $'...' quoting spells it as octal escapes of its UTF-8 bytes (`\u`
        // would need a UTF-8 locale; ksh reads every hex digit after `\x`, three octal digits at
        // most), and still pastes as the path (in bash, zsh or ksh; not dash).
        guard text.unicodeScalars.contains(where: TerminalText.drivesTerminal) else {
            return "'" + text.replacingScalar("'", with: "'\\''") + "'"
        }
        var out = "$'"
        for s in text.unicodeScalars {
            if TerminalText.drivesTerminal(s) {
                for byte in String(s).utf8 { out += "\\" + String(repeating: "0", count: 3 - String(byte, radix: 8).count) + String(byte, radix: 8) }
                continue
            }
            switch s {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(s)
            }
        }
        return out + "'"
    }
}
