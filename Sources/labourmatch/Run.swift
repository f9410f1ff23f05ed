import ArgumentParser
import Batch
import Feeds
import Foundation
import Matching
import Postgres
import Store

/// `labourmatch run`: the nightly batch run over everything loaded so far.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The nightly batch run: match everything loaded, restartably, once per job instance.",
        discussion: """
        A job instance is the job name (nightly-match) with the run date, scope, \
        policy SHA-256 and strategy. Steps: lock, snapshot, rules, candidates, \
        assign, persist, report, each recorded with its timings and row counts \
        (see `labourmatch runs show RUN`). A failed or killed run is restarted by \
        running the same command again: it resumes after the last completed step \
        and ends with the same result. A succeeded instance is not run again \
        unless --rerun is given (a new run; earlier ones are kept).

        One run per scope at a time: a lease row with a heartbeat. Exit statuses: \
        0 succeeded (or already succeeded), 1 failed, 2 bad usage or input, \
        3 another run holds the scope (or a runner stalled past its lease still holds rows \
        this run must write: the message names it). SIGTERM, SIGINT, SIGHUP or SIGQUIT marks \
        the run failed (restartable), gives the lease up, and ends the process by that signal \
        (143, 130, 129, 131) within 30 s, recorded or not.

        Example:
          labourmatch run --date 2026-11-29
        """
    )

    @Option(help: ArgumentHelp("Run date D (default: today, UTC).", valueName: "YYYY-MM-DD")) var date: String?
    @Option(help: ArgumentHelp("Scope: which runs share a lock (all data, for now); 1 to 64 of A-Z a-z 0-9 . _ -.", valueName: "name"))
    var scope = "default"
    @Option(help: ArgumentHelp("Policy TOML (MATCHING.md section 8); default: the built-in defaults.",
                               valueName: "file"))
    var policy: String?
    @Option(help: "Assignment strategy: stable (default), optimal or greedy.") var strategy: Strategy = .stable
    @Flag(help: "Run again even when this job instance already succeeded (a new run; earlier ones are kept).")
    var rerun = false
    @Option(help: ArgumentHelp("Directory for the result files and the audit report, report.html and report.md (default: runs/<run id>/ in the project).",
                               valueName: "dir"))
    var out: String?
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Seconds the scope's lease lasts without a heartbeat (heartbeat every third); 3 to 86400.",
                               valueName: "seconds"))
    var leaseSeconds: Double = 60

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if out == "" { throw ValidationError("--out needs a directory (give . for the current one)") }
        if let date, Day(date) == nil {
            throw ValidationError("--date '\(date)' is not a calendar day in the form YYYY-MM-DD")
        }
        let allowed = scope.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 46 || b == 95 || b == 45
        }
        if scope.isEmpty || scope.utf8.count > 64 || !allowed {
            throw ValidationError("--scope '\(scope)' must be 1 to 64 of A-Z a-z 0-9 . _ -")
        }
        if !(leaseSeconds >= 3 && leaseSeconds <= 86_400) {
            throw ValidationError("--lease-seconds must be between 3 and 86400")
        }
    }

    func run() async throws {
        let effectivePolicy: Policy
        do {
            effectivePolicy = try policy.map { try PolicyReader.read(file: $0) } ?? .default
        } catch {
            throw CommandLog.fail(error, status: 2)
        }
        // Stored as an absolute path (a relative one means nothing from another directory), and
        // checked before any work: a results directory that cannot be written would fail the
        // run only at its last step.
        let outDir = try out.map { try RunCommand.resultsDirectory($0) }
        var config = database.config(as: .runner)
        // Every connection of the job works in the schema the preflight checked (chosen once:
        // chosen again per connection, a schema given a schema_migrations table meanwhile won).
        if let home = try RunCommand.preflight(config), config.schema == nil { config.schema = home }
        let request = NightlyRunRequest(runDate: date.flatMap(Day.init) ?? Day.today(), scope: scope,
                                        policy: effectivePolicy, strategy: strategy, rerun: rerun, outDir: outDir,
                                        leaseSeconds: leaseSeconds)
        let job = NightlyJob(request: request, config: config, logger: CommandLog.logger("run"))
        let signals = RunCommand.stopOnSignals(job)
        defer { withExtendedLifetime(signals) {} }
        let started = ContinuousClock.now
        let outcome: NightlyOutcome
        do {
            outcome = try await job.run()
        } catch {
            if let stop = job.progress.current.stopSignal { RunCommand.stopped(error, by: stop.number, scope: scope) }
            throw CommandLog.fail(error, status: 1)
        }
        switch outcome {
        case .lockHeld where job.progress.current.stopSignal != nil:
            RunCommand.stopped(nil, by: job.progress.current.stopSignal!.number, scope: scope)
        case .lockHeld(let holder):
            Console.error("""
                labourmatch: scope '\(scope)' is held by another run: \(holder). \
                Try again later; a crashed holder's lease expires by itself.\n
                """)
            throw ExitCode(3)
        case .holderStalled(let stalled, let waited, let run):
            let which = stalled.isEmpty ? "a runner that stalled past its lease" : stalled.joined(separator: "; ")
            let done = run.map { "run \($0) is failed and restartable (the same command resumes it)" }
                ?? "this runner started nothing"
            Console.error("""
                labourmatch: scope '\(scope)' is still held in the database: a runner that stalled past its \
                lease is inside a transaction that holds rows this run must change or write (\(which)). \
                This runner waited \(waited == waited.rounded() ? "\(Int(waited))" : "\(waited)") s for a lock, gave up and released \
                the lease; \(done). If that runner stalled between two statements, the server ends its \
                transaction once idle 3 times its --lease-seconds (at least 10 s; 10 minutes in its \
                snapshot step); inside a statement (a COPY) it does not: end the stalled process on its \
                host, or, as a superuser, SELECT pg_terminate_backend(<server process>) once you have \
                checked that this process is the stalled runner's (a name holds a process id, which \
                another host may reuse). Then try again.\n
                """)
            throw ExitCode(3)
        case .takenOver(let run, let holder):
            let by = holder.map { "\($0)" } ?? "another runner"
            let lost = "this runner stalled past its lease (--lease-seconds \(leaseSeconds)) and the lease of scope "
                + "'\(scope)' was taken over by \(by)"
            guard run.status == .succeeded else {
                Console.error("""
                    labourmatch: \(lost), which carries run \(run.runId) on; this runner stored nothing more. \
                    Nothing to retry: `labourmatch runs show \(run.runId)` follows it.\n
                    """)
                throw ExitCode(3)
            }
            CommandLog.warn("\(lost), which completed the run")
            print("run \(run.runId) (\(run.key.summary)) succeeded, completed by another runner; nothing to do")
            if let dir = run.reportDir { print(RunCommand.paths(dir)) }
        case .alreadyComplete(let run):
            let when = run.finishedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "?"
            print("run \(run.runId) (\(run.key.summary)) already succeeded at \(when); nothing to do (--rerun runs it again)")
            if let dir = run.reportDir {
                print(RunCommand.paths(dir))
                if let why = RunCommand.notItsFiles(run, dir: dir) {
                    CommandLog.warn("\(why): labourmatch export \(run.runId) --out DIR writes run \(run.runId)'s files "
                                    + "again (report \(run.runId) its report)")
                }
            }
        case .completed(let done):
            let resumed = done.resumedAt == .snapshot ? "" : ", resumed at step \(done.resumedAt.rawValue)"
            let elapsed = ContinuousClock.now - started
            let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            print("run \(done.run.runId) (\(done.run.key.summary)) succeeded in \(ms) ms\(resumed)")
            let workers = done.results.participants.filter { $0.subject == "worker" }
            print("matched \(done.results.matches.count) of \(workers.filter(\.eligible).count) eligible workers "
                  + "(\(workers.count) taking part); \(done.results.exclusions.count) exclusions")
            print(RunCommand.paths(done.reportDir))
            print("chain: link \(done.chain.seq), chain_sha256 \(done.chain.chainSHA256)")
            if let warning = RunCommand.emptyInputWarning(done.results) {
                CommandLog.warn(warning)
            }
        }
    }

    /// `path` made absolute, and shown to be a directory this process can write into, or one
    /// it can create, by trying (`OutputDirectory.probe`); else exit status 2 naming the
    /// problem. Nothing is left here: the report step creates the directory.
    static func resultsDirectory(_ path: String) throws -> String {
        let absolute = OutputDirectory.absolute(path)
        if let obstacle = OutputDirectory.probe(absolute) {
            throw CommandLog.fail(CommandFailure("--out \(path): \(obstacle)"), status: 2)
        }
        return absolute
    }

    /// One connection before the job: a connection string that can never work (a bad URL, a
    /// missing database or role, a refused login) is bad usage, exit status 2, not five
    /// retries and status 1; a database without the migrations says so (status 1). A server
    /// that does not answer is left to the job, which retries it. Returns the schema the
    /// connection worked in.
    static func preflight(_ config: ConnectionConfig) throws -> String? {
        let db: Connection
        do {
            db = try Connection(config)
        } catch let error as PostgresError where error.isPermanentConnectionFailure {
            throw CommandLog.fail(error, status: 2)
        } catch let error as PostgresError where error.kind == .schemaRefused {
            // A schema the connection refused to work in (its owner, LABOURMATCH_SCHEMA): said
            // as such, not as the lock step's failure.
            throw CommandLog.fail(error, status: 1)
        } catch {
            return nil
        }
        defer { db.close() }
        do {
            try DatabaseOptions.check(db, acting: true)
        } catch {
            throw CommandLog.fail(error, status: 1)
        }
        return db.home
    }

    /// SIGTERM (a scheduler's stop), SIGINT (Ctrl-C), SIGHUP or SIGQUIT during the run: the job stops at its next
    /// safe point (the handler cancels the statement it runs), marks the step, the execution
    /// and the run failed (restartable) and gives the scope's lease up; while the job computes
    /// (no statement to cancel), the handler records that itself. The process then dies by the
    /// signal (status 143 or 130), so the scheduler sees what it asked for. A signal after the
    /// job ended lets the process finish; a second signal ends it at once.
    static func stopOnSignals(_ job: NightlyJob) -> StopSignals {
        let progress = job.progress
        let stopper = job.stopper
        // SIGHUP (a closed terminal or ssh session) and SIGQUIT stop it as `load` is stopped,
        // rather than killing it with its lease held.
        return StopSignals(signals: StopSignals.caught + [SIGHUP, SIGQUIT],
                           repeatEndsAtOnce: { !progress.current.ended }) { number in
            let name = StopSignals.name(number)
            // A database that does not answer (a hung network) holds the job's statement, and
            // perhaps the cancel itself, or, once the job has ended, the heartbeat's last renewal
            // or the lease's release, for ever: past the stop budget the process ends by the
            // signal anyway, as after a second signal (set first, as the cancel may hang).
            StopSignals.afterBudget {
                let state = progress.current
                let look = state.runId.map { "`labourmatch runs show \($0)` says where the run stands" }
                let line = state.ended
                    ? "the run had ended\(look.map { " (\($0))" } ?? ""), but the process was still waiting for the "
                        + "database \(Int(StopSignals.budget)) s after \(name): ending by it; the lease of the scope expires by itself"
                    : stopper.unrecorded(state, signalName: name, cause: "within \(Int(StopSignals.budget)) s of the signal "
                                         + "(the database does not answer, or a commit's answer was lost\(look.map { ": \($0)" } ?? ""))")
                Console.errorWithin("labourmatch: \(TerminalText.escaped(line))\n")
                StopSignals.die(by: number)
            }
            switch progress.requestStop(signal: number, name: name) {
            case .none:
                return
            case .cancel(let handle):
                handle?.cancel()   // the job records the stop at its next safe point
            case .record(let state):
                let line = stopper.record(state, signalName: name, within: 20)
                Console.errorWithin("labourmatch: \(TerminalText.escaped(line))\n")
                StopSignals.die(by: number)
            }
        }
    }

    /// The job stopped for signal `number` (`failure`: how it ended, nil when it had not
    /// started): says what was recorded, and dies by the signal.
    static func stopped(_ failure: Error?, by number: Int32, scope: String) -> Never {
        let failure = failure as? BatchFailure
        let line = RunStopper.line(runId: failure?.runId, executionId: failure?.executionId,
                                   message: failure?.message ?? "stopped by \(StopSignals.name(number))",
                                   step: failure?.step ?? .lock, scope: scope, recorded: failure?.recorded,
                                   leaseReleased: failure?.leaseReleased ?? true)
        Console.errorWithin("labourmatch: \(TerminalText.escaped(line))\n")
        StopSignals.die(by: number)
    }

    /// A run in which no worker or no vacancy took part succeeded (MATCHING.md allows empty
    /// input) and its job instance is done; when that was because the feeds were not loaded
    /// yet, the scheduler's next call would do nothing. So it says so, and how to run again.
    static func emptyInputWarning(_ results: RunResults) -> String? {
        let workers = results.participants.contains { $0.subject == "worker" }
        let vacancies = results.participants.contains { $0.subject == "vacancy" }
        if workers && vacancies { return nil }
        let missing = workers ? "no vacancy" : vacancies ? "no worker" : "no worker and no vacancy"
        return "\(missing) took part in this run (were the feeds loaded? `labourmatch feeds list`); "
            + "the run succeeded and this date is done: after loading, run it again with --rerun"
    }

    /// Where the files are.
    /// Why the files in `dir`, where run `run` wrote them, are no longer its own (another run, or
    /// anything else, wrote there since: a fixed --out of a scheduler, two databases' runs/1/), as
    /// a sentence; nil when its summary.json is still the run's (its date, strategy, policy and input hashes).
    static func notItsFiles(_ run: RunRecord, dir: String) -> String? {
        let path = (dir as NSString).appendingPathComponent("summary.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            return "\(TerminalText.path(path)) is gone, so the files there are not all run \(run.runId)'s"
        }
        let summary = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let expected: [(String, String?)] = [("run_date", run.key.runDate.description), ("strategy", run.key.strategy.rawValue),
                                             ("policy_sha256", run.key.policySHA256), ("input_sha256", run.inputSHA256)]
        for (key, value) in expected where summary?[key] as? String != value {
            return "\(TerminalText.path(path)) is not run \(run.runId)'s (its \(key) differs): another run, or something "
                + "else, wrote there since"
        }
        return nil
    }

    static func paths(_ dir: String) -> String {
        "results: \(TerminalText.path(dir))\nreport: \(TerminalText.path((dir as NSString).appendingPathComponent("report.html")))"
    }
}
