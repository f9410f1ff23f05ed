import ArgumentParser
import Batch
import Feeds
import Foundation
import Logging
import Postgres
import Store

/// `labourmatch load KIND FILE`: one feed file into PostgreSQL, validated and versioned, in one transaction.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load a feed file into PostgreSQL: checked row by row, versioned, all or nothing.",
        discussion: """
        KIND is employers, recruiters, vacancies, workers, minimum-wages, fx-rates \
        or who-list; FILE is CSV or NDJSON as FEEDS.md defines them. Rows that \
        break a rule are rejected on their own (feed_rejections); every other row \
        loads (but a who-list file with a rejected row is refused whole: an edition \
        without a country would lift its safeguard). New keys are inserted, changed rows get a new version (the old one \
        stays readable), identical rows are left alone. The feed record, the rows \
        and the rejections commit together or not at all.

        Modes (--mode): snapshot means the file is the whole current set of its \
        source, and keys of that source it no longer lists are withdrawn (a new \
        version marked withdrawn; nothing is deleted); delta inserts or updates \
        the file's rows and touches nothing else. Defaults: snapshot for \
        vacancies, minimum-wages and fx-rates; delta for employers, recruiters \
        and workers. A who-list file is always a whole new edition (the first \
        four consecutive digits of its file name: who-safeguards-2026.csv is \
        edition 2026), which becomes the current one (an edition loaded before is a no-op and stays as it is). A snapshot with a \
        MALFORMED_ROW withdraws nothing; a snapshot with no data rows is refused \
        unless --allow-empty.

        Limits (README "Limits"): \(InputLimits.standard.summary). A larger \
        file fails as a whole (exit status 2, nothing written); a longer record \
        is MALFORMED_ROW (its raw text cut to the limit), a longer value or \
        list INVALID_VALUE, deeper JSON MALFORMED_ROW.

        The source (--source, default: the file's base name without extension) \
        names where the file comes from: a snapshot withdraws only keys that \
        the same source loaded. Give it explicitly when the file name changes \
        from day to day. Loading a file whose SHA-256 equals an earlier load of \
        the same kind and source is a no-op and says so.

        Exit statuses: 0 loaded (or no-op, or dry run), 2 bad usage or a \
        whole-file error (missing or unknown column, a CSV file with no \
        header, a snapshot of no rows without --allow-empty, a WHO list with \
        a rejected row; nothing is written) or a connection that can never \
        work (a bad URL, a missing database or role, a refused login), \
        3 another load of the same kind and source held the lock \
        past --lock-timeout, 1 any other failure (nothing is written, unless \
        the message says the feed IS loaded: only the --rejections-out file, \
        or the summary on standard output, is missing), 128 + N stopped by \
        signal N (SIGTERM 143, SIGINT 130, SIGHUP 129, SIGQUIT 131), saying whether \
        anything was loaded.

        Examples:
          labourmatch load employers Fixtures/employers.csv
          labourmatch load recruiters Fixtures/recruiters.csv
          labourmatch load vacancies Fixtures/vacancies.csv --source portal-a
          labourmatch load workers Fixtures/workers.ndjson --dry-run
        """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("What the file holds.", valueName: "kind")) var kind: FeedKind
    @Argument(help: ArgumentHelp("The feed file.", valueName: "file")) var file: String

    @Option(help: "csv or ndjson (default: from the extension, .csv, .ndjson or .jsonl).") var format: FeedFormat?
    @Option(help: ArgumentHelp("Where the file comes from (default: its base name without extension).",
                               valueName: "name"))
    var source: String?
    @Option(help: "snapshot or delta (default: snapshot for vacancies, minimum-wages, fx-rates; delta otherwise).")
    var mode: LoadMode?
    @Flag(help: "Check and count everything, report, and write nothing.") var dryRun = false
    @Option(help: ArgumentHelp("""
        Also write every rejected row to this CSV file (file,line,field,reason,raw,detail: the \
        offline rejections.csv plus each row's sentence), for a dry run too; written only when \
        the load (or dry run) succeeds, a header alone when nothing was rejected.
        """, valueName: "path"))
    var rejectionsOut: String?
    @Flag(help: "Let a snapshot of a file with no data rows withdraw every key of its source.")
    var allowEmpty = false
    // .unconditional: `--lock-timeout -1` is a value (refused by validate) rather than a missing one.
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Seconds to wait for another load of the same kind and source; 0 to 86400.", valueName: "seconds"))
    var lockTimeout: Double = 60
    @Flag(help: """
        Load the file even if an earlier load of this kind and source had the same SHA-256 \
        (by default a no-op, as FEEDS.md says): for a snapshot that goes back to an earlier file, \
        or rows rejected for a reference loaded since. Rows equal to the current ones stay unchanged.
        """)
    var force = false
    @Flag(help: """
        Load a who-list edition older than the current one, which then becomes current (by default \
        editions only move forward: an older list can lift safeguards the current one sets).
        """)
    var allowOlderEdition = false

    func validate() throws {
        if kind != .whoList, allowOlderEdition {
            throw ValidationError("--allow-older-edition applies to a who-list file only")
        }
        if kind == .whoList, force {
            throw ValidationError("--force does not apply to a who-list file: an edition is loaded once")
        }
        if kind == .whoList, mode == .delta {
            throw ValidationError(LoadError.modeNotAllowed(kind: kind, mode: .delta).description)
        }
        // NaN and infinity fail the comparison too; a day is far past any load's wait.
        if !(lockTimeout >= 0 && lockTimeout <= 86_400) {
            throw ValidationError("--lock-timeout must be a number of seconds from 0 to 86400")
        }
    }

    func run() throws {
        let logger = CommandLog.logger("load")
        // Bad input before the database: a missing file is status 2 even when no server answers.
        if file == "-" {
            throw CommandLog.fail(CommandFailure("-: a load reads a file, not standard input (it reads the file more "
                                                 + "than once: its SHA-256 first); give the file's path (nothing was loaded)"), status: 2)
        }
        guard FileManager.default.isReadableFile(atPath: file) else {
            let why = FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file"
            throw CommandLog.fail(CommandFailure("\(file): cannot read the file: \(why) (nothing was loaded)"), status: 2)
        }
        if format == nil, FeedFormat(path: file) == nil {
            throw CommandLog.fail(LoadError.unknownFormat(path: file), status: 2)
        }
        let codes: CodeLists
        do {
            codes = try CodeLists.system()
        } catch {
            throw CommandLog.fail(error, status: 1)
        }
        let rejections = try rejectionsOut.map { try RejectionsFile(path: $0, kind: kind, input: file) }
        defer { rejections?.discard() }
        // A stop signal before the COMMIT ends the process at once (the server rolls the load
        // back), removing the rejections file's temporary file and saying that nothing was
        // loaded; SIGHUP and SIGQUIT too (a dropped ssh session), unless the process was started
        // ignoring them (nohup). Once the COMMIT is on its way the load may be in the database
        // whatever happens here, so the outcome is found and said (and the file published)
        // first; a second signal ends the process at once.
        let stop = LoadStop(cleanup: { rejections?.discard() })
        let signals = StopSignals(signals: StopSignals.caught + [SIGHUP, SIGQUIT], repeatEndsAtOnce: {
            if stop.isCommitting {
                Console.errorWithin("labourmatch: the load's COMMIT was on its way: it may be in the database "
                    + "(labourmatch feeds list says; loading the file again is a no-op if it is)\n")
            }
            rejections?.discard()
            return true
        }) { stop.stop(by: $0) }
        defer { withExtendedLifetime(signals) {} }
        let progress = ProgressLine.onTerminal(label: "loading \(FeedText.oneLine((file as NSString).lastPathComponent))")
        let report: LoadReport
        do {
            let db = try database.connect(as: .loader, logger: logger)
            defer { db.close() }
            // Which load a session is, in pg_stat_activity (as `labourmatch run PID` for a run),
            // unless the connection string named it.
            try db.setApplicationName("labourmatch load \(getpid())", unlessGiven: true)
            var loader = FeedLoader(connection: db, codes: codes, logger: logger)
            loader.lockTimeout = lockTimeout
            loader.force = force
            loader.allowOlderEdition = allowOlderEdition
            loader.testPause = LoadTestPause.fromEnvironment()
            if let progress { loader.progress = { progress.show($0) } }
            if let rejections {
                loader.rejectionsWritten = { tx, feedId in try rejections.write(tx, feedId) }
            }
            loader.willCommit = { try stop.commits() }
            let loaded = try loader.load(kind: kind, path: file, format: format, source: source, mode: mode,
                                         dryRun: dryRun, allowEmpty: allowEmpty)
            stop.outcomeKnown()
            // A no-op wrote nothing: the rejections are those of the load it repeats.
            // (On a new connection when the no-op's COMMIT broke the first: it wrote nothing.)
            if let rejections, !rejections.written, case .noOp(let previous, _) = loaded.outcome {
                if db.isOpen {
                    try rejections.write(db, previous)
                } else {
                    let again = try database.connect(as: .loader, logger: logger, schema: db.home)
                    defer { again.close() }
                    try rejections.write(again, previous)
                }
            }
            report = loaded
        } catch LoadError.commitUnconfirmed(let load, let cause, let serverProcess) {
            progress?.clear()
            do {
                report = try confirm(load, cause: cause, serverProcess: serverProcess, logger: logger)
                stop.outcomeKnown()
            } catch {
                stop.outcomeKnown()
                throw Self.stopping(stop, after: error)
            }
        } catch let error as PostgresError where error.isConnectionLost {
            // Before its COMMIT (a lost COMMIT is commitUnconfirmed, above): the server rolled it back.
            stop.outcomeKnown()
            progress?.clear()
            throw Self.stopping(stop, after: CommandLog.fail(CommandFailure(
                "\(error); nothing was loaded (the load's transaction never committed): load the file again once the "
                + "database answers"), status: 1))
        } catch {
            stop.outcomeKnown()
            progress?.clear()
            throw Self.stopping(stop, after: CommandLog.fail(error, status: LoadError.exitStatus(for: error)))
        }
        progress?.clear()
        // The file before the summary: a closed stdout (SIGPIPE) must not leave it unpublished.
        do {
            try rejections?.publish()
        } catch {
            print(FeedText.loadSummary(report))
            throw Self.stopping(stop, after: CommandLog.fail(CommandFailure(Self.unpublished(report, error)), status: 1))
        }
        print(FeedText.loadSummary(report))
        // Also in the log (stderr), where a scheduled load's operator looks.
        if case .loaded = report.outcome, report.mode == .snapshot, report.kind != .whoList, !report.withdrawalsSkipped,
           let warning = FeedText.withdrawalWarning(report.counts) {
            CommandLog.warn("feed \(report.feedId.map(String.init) ?? "?"): \(warning)")
        }
        // Every row rejected still exits 0 (the load is recorded, FEEDS.md's rejections are data):
        // say it where a scheduled load's log is read (an operator review, session 20: 200,000
        // vacancies loaded before their employers, exit 0, nothing in the log).
        if case .loaded = report.outcome, report.counts.read > 0, report.counts.accepted == 0 {
            let id = report.feedId.map(String.init) ?? "?"
            CommandLog.warn("feed \(id): every one of its \(FeedText.grouped(report.counts.read)) rows was rejected, so "
                            + "nothing of the file was loaded (labourmatch feeds show \(id) says why)")
        }
        if let rejections {
            print("rejections: \(FeedText.grouped(rejections.rows)) row(s) written to \(rejections.path)")
        }
        let feed = report.feedId.map { "feed \($0)" } ?? "the feed"
        stop.endIfStopped { "\($0) came while \(feed) committed: the load is complete (summary above)"
            + (rejections == nil ? "" : " and its rejections file written") + "; ending by the signal" }
    }

    /// `failure`, said already, unless a stop signal came while the load's COMMIT was on its way:
    /// then the process ends by that signal (what its sender asked for), saying so.
    static func stopping(_ stop: LoadStop, after failure: any Error) -> any Error {
        stop.endIfStopped { "\($0) came while the load committed; what became of the load is said above; ending by the signal" }
        return failure
    }

    /// Why the rejections file is missing, and that the load itself went through: exit 1 here
    /// does not mean "nothing was loaded".
    static func unpublished(_ report: LoadReport, _ error: any Error) -> String {
        switch report.outcome {
        case .loaded:
            let feed = report.feedId.map(String.init) ?? "ID"
            return "\(error); feed \(feed) IS loaded (committed), only its rejections file is missing: "
                + "labourmatch feeds show \(feed) --rejections --detail gives the same rows"
        case .noOp(let previous, _):
            return "\(error); the load was a no-op (nothing to load)"
                + (previous.map { ": labourmatch feeds show \($0) --rejections --detail gives the rows" } ?? "")
        case .dryRun:
            return "\(error); the dry run wrote nothing"
        }
    }

    /// A load whose COMMIT got no answer (the connection broke): looks on a new connection
    /// whether it committed. Committed: its report, and a warning. Not committed: exit 1,
    /// nothing loaded. Unknown (no new connection, or the load's lock is still held and its server
    /// process still there):
    /// exit 1, with how to find out.
    private func confirm(_ load: LoadReport, cause: PostgresError, serverProcess: Int32, logger: Logger) throws -> LoadReport {
        let feed = load.feedId.map { "feed \($0)" } ?? "the feed"
        let committed: Bool?
        do {
            let db = try database.connect(as: .loader, logger: logger)
            defer { db.close() }
            committed = try FeedLoader.committed(load, on: db, serverProcess: serverProcess)
        } catch {
            logger.error("could not look whether the load committed", metadata: ["error": TerminalText.logValue(error)])
            committed = nil
        }
        switch committed {
        case true?:
            CommandLog.warn("the connection broke before the answer to COMMIT (\(PostgresError.oneLine(cause.message))), but \(feed) is in the database: the load committed")
            return load
        case false?:
            throw CommandLog.fail(CommandFailure("the connection broke while \(feed) committed (\(PostgresError.oneLine(cause.message))), and it did not commit: nothing was loaded; load the file again"), status: 1)
        case nil:
            throw CommandLog.fail(LoadError.commitUnconfirmed(load, cause: cause, serverProcess: serverProcess), status: 1)
        }
    }
}

/// `load --rejections-out PATH`: a temporary file beside PATH, filled inside the load's
/// transaction (so a dry run's rejections can be listed before its rollback), renamed into place
/// once the load succeeded, removed otherwise, by a stop signal too.
///
/// `@unchecked Sendable`: `state` is only touched under `lock` (the signal handler's thread
/// removes the temporary file while the load may be about to create it).
final class RejectionsFile: @unchecked Sendable {
    let path: String
    private let kind: FeedKind
    private let temporary: String
    private let lock = NSLock()
    private var discarded = false
    private(set) var written = false
    /// The rejected rows written.
    private(set) var rows = 0

    /// Checks the path before any work (bad usage, exit 2): a file name in an existing
    /// directory this process may write into, and not the feed file itself.
    init(path: String, kind: FeedKind, input: String) throws {
        func refuse(_ why: String) -> ExitCode {
            CommandLog.fail(CommandFailure("--rejections-out \(path.isEmpty ? "''" : path): \(why); nothing was loaded"), status: 2)
        }
        var out = stat(), feed = stat()
        if path == "-" { throw refuse("the rejections go to a file, not standard output: give its path") }
        if stat(path, &out) == 0, stat(input, &feed) == 0, out.st_dev == feed.st_dev, out.st_ino == feed.st_ino {
            throw refuse("is the feed file itself")
        }
        if let why = OutputDirectory.fileObstacle(path) { throw refuse(why) }
        // The temporary file is made beside PATH at the end of the load: its directory must be
        // there, as the system resolves the path written (`lc/..` after a link, a literal `~`).
        let parent = OutputDirectory.parent(path)
        guard stat(parent, &out) == 0, out.st_mode & S_IFMT == S_IFDIR else { throw refuse("no directory \(parent)") }
        self.path = path
        self.kind = kind
        temporary = "\(parent)/.\(OutputDirectory.fileName(path)).\(ProcessInfo.processInfo.processIdentifier).tmp"
    }

    /// Writes the rejections of feed `feedId` (nil: none) into the temporary file.
    func write(_ db: Connection, _ feedId: Int64?) throws {
        let handle = try create()
        defer { try? handle.close() }
        do {
            rows = try FeedText.writeRejections(db, feedId: feedId, kind: kind, detail: true, to: handle)
        } catch let error as PostgresError {
            throw error
        } catch {
            throw CommandFailure("cannot write \(temporary) (\(OutputDirectory.systemReason(error)))")
        }
        written = true
    }

    /// Renames the file into place (a header alone when the load wrote none).
    func publish() throws {
        if !written {
            let handle = try create()
            defer { try? handle.close() }
            do {
                try handle.write(contentsOf: Data("file,line,field,reason,raw,detail\n".utf8))
            } catch {
                throw CommandFailure("cannot write \(temporary) (\(OutputDirectory.systemReason(error)))")
            }
        }
        guard rename(temporary, path) == 0 else {
            throw CommandFailure("cannot write \(path) (\(String(cString: strerror(errno))))")
        }
        removeOrphans()
    }

    /// Creates the temporary file anew (never through a link another user planted, never one
    /// that exists: a leftover of this process id is removed first), unless discarded.
    private func create() throws -> FileHandle {
        let fd: Int32 = lock.withLock {
            guard !discarded else { errno = ECANCELED; return -1 }
            unlink(temporary)
            // A workers feed's rejected rows are whatever the file held about a person: its owner's only.
            return OutputDirectory.createNew(temporary, mode: kind == .workers ? 0o600 : 0o666)
        }
        guard fd >= 0 else { throw CommandFailure("cannot write \(temporary) (\(String(cString: strerror(errno))))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Removes the temporary files of this name that earlier loads killed with SIGKILL left
    /// behind: `.NAME.PID.tmp` untouched for an hour, whose process no longer exists here (an
    /// hour, because the directory may be shared with another host, whose process ids are not
    /// this host's); those of live processes stay.
    private func removeOrphans() {
        let parent = OutputDirectory.parent(path)
        let prefix = ".\(OutputDirectory.fileName(path)).", own = ProcessInfo.processInfo.processIdentifier
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let digits = name.dropFirst(prefix.count).dropLast(4)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  let pid = pid_t(digits), pid > 0, pid != own else { continue }
            let orphan = "\(parent)/\(name)"
            var info = stat()
            guard lstat(orphan, &info) == 0, time(nil) - info.st_mtim.tv_sec > 3600 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(orphan) }
        }
    }

    /// Removes the temporary file, if there; none is made after.
    func discard() {
        lock.withLock {
            discarded = true
            unlink(temporary)
        }
    }
}

/// What a stop signal does to a load, by where the load is. Before its COMMIT: the process
/// ends by the signal at once (the server rolls the load back), `cleanup` done, saying that
/// nothing was loaded; and the COMMIT is never sent after (`commits` throws), so that cannot be
/// false. From the COMMIT on: the signal is noted, and the process ends by it once the load's
/// outcome is known and said (`endIfStopped`). After that: at once.
final class LoadStop: @unchecked Sendable {
    private enum Phase { case working, committing, finished }
    private let lock = NSLock()
    private var phase = Phase.working
    private var stopped = false
    private var signal: Int32?
    /// The COMMIT's outcome is known (the load returned or failed); `timedOut`: the budget's
    /// timer took over first (it ends the process).
    private var known = false, timedOut = false
    private let cleanup: @Sendable () -> Void

    init(cleanup: @escaping @Sendable () -> Void) { self.cleanup = cleanup }

    /// The load sends its COMMIT. Throws when a stop signal came first (its handler is ending
    /// the process): the load is rolled back rather than committed by a process about to die
    /// saying that nothing was loaded.
    func commits() throws {
        try lock.withLock {
            guard !stopped else { throw CommandFailure("stopped by a signal before the COMMIT: nothing was loaded") }
            phase = .committing
        }
    }

    /// Whether a signal came while the COMMIT was on its way.
    var isCommitting: Bool { lock.withLock { phase == .committing && signal != nil } }

    /// A stop signal's part (on the signal handler's thread).
    func stop(by number: Int32) {
        let name = StopSignals.name(number)
        let phase: Phase = lock.withLock {
            switch self.phase {
            case .working: stopped = true
            case .committing: signal = signal ?? number
            case .finished: break
            }
            return self.phase
        }
        switch phase {
        case .working:
            cleanup()
            Console.errorWithin("labourmatch: \(name): stopped before the load's COMMIT; nothing was loaded\n")
        case .committing:
            Console.errorWithin("labourmatch: \(name): the load's COMMIT is on its way; ending once its outcome is "
                                + "known, within \(Int(StopSignals.budget)) s (a second signal but a SIGHUP ends it at once)\n")
            // A database that does not answer would hold the outcome for ever (and a closed ssh
            // session's second SIGHUP does not end the process): past the budget it ends anyway.
            StopSignals.afterBudget { [self] in
                let fire = lock.withLock { () -> Bool in
                    guard self.phase == .committing, !known else { return false }
                    timedOut = true
                    return true
                }
                guard fire else { return }
                cleanup()
                Console.errorWithin("labourmatch: the outcome of the load's COMMIT is still unknown \(Int(StopSignals.budget)) s "
                    + "after \(name) (the database does not answer): it may be in the database (labourmatch feeds list "
                    + "says; loading the file again is a no-op if it is); ending by the signal\n")
                StopSignals.die(by: number)
            }
            return
        case .finished:
            fflush(nil)
            Console.errorWithin("labourmatch: \(name) came once the load had ended (said above); ending by the signal\n")
        }
        StopSignals.die(by: number)
    }

    /// The load returned or failed: its COMMIT's outcome is known, and the budget's timer does
    /// nothing from here. When the timer took over first, this thread waits for it to end the
    /// process (it says the outcome is unknown, and discards the file).
    func outcomeKnown() {
        let late = lock.withLock { () -> Bool in
            if timedOut { return true }
            known = true
            return false
        }
        while late { Thread.sleep(forTimeInterval: 3600) }
    }

    /// Once the load's outcome is said: when a signal came during the COMMIT, does `cleanup`,
    /// warns with `message(the signal's name)` and ends the process by the signal, standard
    /// output flushed first (its default death would not). Else returns, and a later signal
    /// ends the process at once.
    func endIfStopped(_ message: (String) -> String) {
        let number: Int32? = lock.withLock {
            if signal == nil { phase = .finished }
            return signal
        }
        guard let number else { return }
        cleanup()
        fflush(nil)
        Console.errorWithin("labourmatch: warning: \(TerminalText.message(message(StopSignals.name(number))))\n")
        StopSignals.die(by: number)
    }
}

extension FeedKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(cliName: argument) }
    public static var allValueStrings: [String] { allCases.map(\.cliName) }
    public var defaultValueDescription: String { cliName }
    /// What `--help` says of each kind (keyed by the name typed). Without it, argument-parser's
    /// default pairs raw values with CLI names and prints an empty description for each.
    public static var allValueDescriptions: [String: String] {
        [FeedKind.employers: "employers (key employer_id)",
         .recruiters: "recruitment agencies and their licences (key recruiter_id)",
         .vacancies: "vacancies (key vacancy_id; employer_id and recruiter_id must be loaded)",
         .workers: "pseudonymous worker registrations (key worker_id; recruiter_id must be loaded)",
         .minimumWages: "minimum monthly wages (key country)",
         .fxRates: "exchange rates to USD (key currency)",
         .whoList: "a WHO safeguard-list edition, always whole (the edition: the first four consecutive digits of the file name)",
        ].reduce(into: [:]) { $0[$1.key.cliName] = $1.value }
    }
}

extension FeedFormat: ExpressibleByArgument {}
extension LoadMode: ExpressibleByArgument {}

/// A progress line on stderr, redrawn in place; only when stderr is a terminal.
final class ProgressLine {
    private let label: String

    private init(label: String) { self.label = label }

    /// A progress line when stderr is a terminal, else nil (logs and pipes get no carriage returns).
    static func onTerminal(label: String) -> ProgressLine? {
        isatty(2) == 1 ? ProgressLine(label: label) : nil
    }

    func show(_ p: LoadProgress) {
        let text: String
        switch p.phase {
        case .reading:
            let rate = p.seconds > 0 ? Int(Double(p.rows) / p.seconds) : 0
            text = "\(label): \(FeedText.grouped(p.rows)) rows read (\(FeedText.grouped(rate)) rows/s)"
        case .merging:
            text = "\(label): \(FeedText.grouped(p.rows)) rows read, merging into the tables..."
        }
        Console.error("\r\u{1B}[2K\(text)")
    }

    /// Erases the line, so that what follows starts clean.
    func clear() {
        Console.error("\r\u{1B}[2K")
    }
}
