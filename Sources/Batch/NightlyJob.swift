import Feeds
import Foundation
import Logging
import Matching
import Postgres
import Store

/// What `labourmatch run` asks for.
public struct NightlyRunRequest: Sendable {
    public var runDate: Day
    /// Runs of one scope never overlap (one lease per scope); `default` takes all data.
    public var scope: String
    public var policy: Policy
    public var strategy: Strategy
    /// Start a new run even when the instance already has a succeeded one (earlier runs are kept).
    public var rerun: Bool
    /// Where the report step writes the files; nil for `runs/<run id>/` in the project.
    public var outDir: String?
    /// The lease lasts this long without a heartbeat; the heartbeat comes every third of it.
    public var leaseSeconds: Double
    public var retry: RetryPolicy
    public var parallelism: Int

    public init(runDate: Day, scope: String = "default", policy: Policy = .default, strategy: Strategy = .stable,
                rerun: Bool = false, outDir: String? = nil, leaseSeconds: Double = 60, retry: RetryPolicy = RetryPolicy(),
                parallelism: Int = MatchingEngine.defaultParallelism) {
        self.runDate = runDate; self.scope = scope; self.policy = policy; self.strategy = strategy
        self.rerun = rerun; self.outDir = outDir; self.leaseSeconds = leaseSeconds; self.retry = retry
        self.parallelism = parallelism
    }

    /// The job instance this request names.
    public var key: JobInstanceKey {
        JobInstanceKey(runDate: runDate, scope: scope, policySHA256: RunInputs.sha256Hex(policy.canonicalText),
                       strategy: strategy)
    }
}

/// How a `run` ended, when it did not fail.
public enum NightlyOutcome: Sendable {
    /// This execution finished the run.
    case completed(CompletedRun)
    /// The instance already has a succeeded run and `--rerun` was not given: nothing was done.
    case alreadyComplete(RunRecord)
    /// Another runner holds the scope's lease.
    case lockHeld(LeaseHolder)
    /// The lease was this runner's (the holder's had lapsed), but another runner's transaction
    /// (one that stalled past its lease) still holds rows this runner must change or write: it
    /// waited `waited` seconds and gave up the lease. `stalled`: the scope's executions still
    /// `running`, and the other runners' server processes in a transaction. `run`: the run
    /// this runner had started (now failed, restartable), nil when it stopped before.
    case holderStalled(stalled: [String], waited: Double, run: Int64?)
    /// This runner stalled past its lease and another took the scope over (and ended this
    /// execution): `run` as it now stands (succeeded when the other finished it), `holder` the
    /// lease's holder now (nil when none). This runner stored nothing after losing the lease.
    case takenOver(run: RunRecord, holder: LeaseHolder?)
}

/// A run this execution finished.
public struct CompletedRun: Sendable {
    public var run: RunRecord
    public var executionId: Int64
    /// The first step this execution ran after the lock (`snapshot` for a fresh run).
    public var resumedAt: Step
    public var reportDir: String
    public var results: RunResults
    /// The run's link in the hash chain.
    public var chain: ChainLink
}

/// A failed execution: the step, what went wrong, and whether the run can be restarted.
public struct BatchFailure: Error, Sendable, CustomStringConvertible {
    public var step: Step
    public var runId: Int64?
    public var executionId: Int64?
    public var message: String
    /// What was written to the run's record: the execution and run failed (and the step, unless
    /// it had completed), `.notRunning` when another runner had ended the execution, nil when
    /// nothing could be written (the next runner of the scope then finds the execution dead).
    public var recorded: JobRepository.FailOutcome? = .failed(stepMarked: true)
    /// False when the scope's lease could not be given up (it then expires by itself).
    public var leaseReleased = true
    /// False when resuming the run again can only fail the same way (its snapshot was changed):
    /// the message then says so instead of offering the same command.
    public var resumable = true

    public var description: String {
        let run = runId.map { "run \($0)" + (executionId.map { ", execution \($0)" } ?? "") + ": " } ?? ""
        let restart = runId == nil
            ? "; the same command starts the run, or resumes it if a commit whose answer was lost did start it "
                + "(once the cause is gone)"
            : !resumable ? ""
            : "; the run is restartable: `labourmatch run` with the same date, scope, "
                + "policy and strategy, without --rerun, resumes it"
        return "\(run)step \(step.rawValue) failed: \(message)\(restart)"
    }
}

/// A plain failure message inside the job (not transient: never retried). `resumable`: false
/// when resuming the run again would fail the same way (`BatchFailure.resumable`).
struct JobError: Error, CustomStringConvertible {
    let description: String
    var resumable = true
}

/// The nightly job: lock, snapshot, rules, candidates, assign, persist, report.
///
/// Restart: the run's completed steps are in `run_steps`; a new execution starts
/// after the last of them. The snapshot step commits the snapshot and its
/// completion together; rules, candidates and assign are recomputed from the
/// stored snapshot (they are pure and fast); persist commits every result row
/// and its completion in one transaction; report writes the files from the
/// stored rows. So a resumed run ends with the same rows and files as one that
/// never stopped. Transient database errors are retried per step on a new
/// connection, with back-off, `request.retry.maxAttempts` times at most.
///
/// Not `Sendable`: it owns the work connection.
public final class NightlyJob {
    private let request: NightlyRunRequest
    /// Its schema set by the first connection when the command's own first connection could not
    /// give it (`Connection.home`): every later one (reconnections, the lease keeper) works there.
    private var config: ConnectionConfig
    /// Once the execution started, every line carries its run and execution ids.
    private var logger: Logger
    private var hooks: TestHooks
    private let projectHome: URL
    private let key: JobInstanceKey
    private let claim: LeaseClaim
    private let applicationName = "labourmatch run \(ProcessIdentity.pid)"
    private var db: Connection?
    /// Where the job stands, for a stop signal's handler.
    public let progress = RunProgress()

    public init(request: NightlyRunRequest, config: ConnectionConfig, logger: Logger,
                hooks: TestHooks = TestHooks(), projectHome: URL = ProjectHome.directory()) {
        self.request = request; self.config = config; self.logger = logger; self.hooks = hooks
        self.projectHome = projectHome
        key = request.key
        claim = LeaseClaim(scope: request.scope, seconds: request.leaseSeconds)
        self.hooks.interrupted = { [progress] in progress.current.stopSignal != nil }
    }

    /// The step begins: for a stop signal's handler, and a log line.
    private func enter(_ step: Step, at start: Date, log: Bool = true) {
        progress.entered(step, at: start)
        if log { logger.info("step started", metadata: ["step": "\(step.rawValue)"]) }
    }

    /// How a stop signal's handler records a stop that came while the job computed (see `RunProgress`).
    public var stopper: RunStopper {
        RunStopper(config: config, claim: claim, logger: logger)
    }

    /// Runs the job; throws `BatchFailure` when the execution fails.
    public func run() async throws -> NightlyOutcome {
        defer { closeConnection(); progress.end() }
        let lockStart = Date()
        hooks.reach(Step.lock.rawValue)
        let lease: LeaseOutcome
        do {
            lease = try await retrying("lock") { db, _ in try ScopeLeases.acquire(db, self.claim) }
        } catch {
            throw BatchFailure(step: .lock, message: failureMessage(error, step: .lock))
        }
        if case .acquired = lease, progress.current.stopSignal != nil {
            // Taken just as the stop came: given back before anything else.
            await releaseLease()
            throw BatchFailure(step: .lock, message: failureMessage(StopRequested(signalName: ""), step: .lock))
        }
        if case .held(let holder) = lease {
            // This instance may be done already: that answer needs no lease (a scheduler retrying
            // a finished job while another run of the scope works gets 0, not 3).
            if !request.rerun,
               let done = try? await retrying("lock", stoppable: false, { db, _ in
                   try JobRepository.succeededRun(db, key: self.key, workingExecution: holder.executionId)
               }) {
                return .alreadyComplete(done)
            }
            return .lockHeld(holder)
        }
        logger.info("lease taken", metadata: ["scope": "\(request.scope)", "job": "\(key.summary)"])
        let keeper = LeaseKeeper(config: config, claim: claim, interval: request.leaseSeconds / 3,
                                 applicationName: "labourmatch lease \(ProcessIdentity.pid)", logger: logger)
        keeper.start()
        let outcome: NightlyOutcome
        do {
            outcome = try await runLocked(keeper: keeper, lockStart: lockStart)
        } catch {
            keeper.stop()
            let released = await releaseLease()
            if var failure = error as? BatchFailure {
                failure.leaseReleased = released
                throw failure
            }
            throw error
        }
        keeper.stop()
        await releaseLease()
        return outcome
    }

    /// Where a fresh or resumed execution stands after preparing.
    private enum Prepared {
        case complete(RunRecord)
        case start(runId: Int64, executionId: Int64, resumeAt: Step)
    }

    private func runLocked(keeper: LeaseKeeper, lockStart: Date) async throws -> NightlyOutcome {
        let prepared: Prepared
        do {
            prepared = try await retrying("prepare") { db, _ in try db.transaction { try self.prepare($0) } }
        } catch let error as PostgresError where error.sqlState == "55P03" && progress.current.stopSignal == nil {
            // lock_timeout: the lapsed holder's runner stalled inside a transaction.
            logger.warning("the previous holder's transaction still holds the scope's rows", metadata: [
                "error": TerminalText.logValue(error)])
            let stalled = await stalledHolders(runId: nil, executionId: nil)
            if !stalled.isEmpty { return .holderStalled(stalled: stalled, waited: 5, run: nil) }
            throw BatchFailure(step: .lock, message: "\(error) (a lock held by another transaction, not by a runner "
                               + "of this scope: a migration, an administrator's lock?)")
        } catch {
            let message = failureMessage(error, step: .lock)
            // The commit may have gone through with its answer lost: an execution of this
            // process then says `running`. It is failed like any other, not left for the next runner.
            if let (runId, executionId) = await unconfirmedExecution() {
                let recorded = await recordFailure(runId: runId, executionId: executionId, step: .lock,
                                                   started: lockStart, message: message)
                throw BatchFailure(step: .lock, runId: runId, executionId: executionId, message: message,
                                   recorded: recorded)
            }
            throw BatchFailure(step: .lock, message: message)
        }
        guard case .start(let runId, let executionId, let resumeAt) = prepared else {
            if case .complete(let run) = prepared { return .alreadyComplete(run) }
            fatalError("unreachable")
        }
        progress.started(runId: runId, executionId: executionId)
        logger[metadataKey: "run"] = "\(runId)"
        logger[metadataKey: "execution"] = "\(executionId)"
        logger.info("execution started", metadata: ["resumed_at": "\(resumeAt.rawValue)"])
        var current = Step.lock
        var stepStart = lockStart
        do {
            let lockEnd = Date()
            try await retrying("lock") { db, _ in
                try JobRepository.stepCompleted(db, executionId: executionId, step: .lock, started: lockStart,
                                                ended: lockEnd, durationMs: milliseconds(lockEnd.timeIntervalSince(lockStart)),
                                                rowsRead: nil, rowsWritten: 1)
            }
            var snapshot: (input: MatchingInput, inputSHA256: String)?
            if resumeAt <= .snapshot {
                (current, stepStart) = (.snapshot, Date())
                enter(current, at: stepStart)
                try check(keeper)
                snapshot = try await snapshotStep(runId: runId, executionId: executionId, start: stepStart)
            }
            if resumeAt < .persist {
                (current, stepStart) = (.rules, Date())
                enter(current, at: stepStart)
                try check(keeper)
                if snapshot == nil {
                    snapshot = try await retrying("read snapshot") { db, _ in try Self.resumedSnapshot(db, runId: runId) }
                }
                let result = try await computeSteps(snapshot!.input, executionId: executionId, start: stepStart,
                                                    current: &current)
                (current, stepStart) = (.persist, Date())
                enter(current, at: stepStart)
                try check(keeper)
                try await persistStep(result, inputSHA256: snapshot!.inputSHA256, runId: runId,
                                      executionId: executionId, start: stepStart)
            }
            (current, stepStart) = (.report, Date())
            enter(current, at: stepStart)
            try check(keeper)
            if snapshot == nil {
                // Resumed at the report: what the report shows and the seal covers is the snapshot too.
                snapshot = try await retrying("read snapshot") { db, _ in try Self.resumedSnapshot(db, runId: runId) }
            }
            let done = try await reportStep(runId: runId, executionId: executionId, resumedAt: resumeAt,
                                            input: snapshot?.input, start: stepStart)
            logger.notice("run succeeded", metadata: ["chain_seq": "\(done.chain.seq)", "matched": "\(done.results.matches.count)"])
            return .completed(done)
        } catch {
            let message = failureMessage(error, step: current)
            let recorded = await recordFailure(runId: runId, executionId: executionId, step: current,
                                               started: stepStart, message: message)
            // The run was sealed after all (a statement after the seal's commit failed, or the
            // commit's answer was lost): it succeeded, whatever came after.
            if recorded == .notRunning, let done = await sealedRun(runId: runId, executionId: executionId,
                                                                    resumedAt: resumeAt) {
                logger.info("the run was sealed before the failure", metadata: ["error": TerminalText.logValue(message)])
                return .completed(done)
            }
            // Ended by another runner, which took the lease over: not this run's failure (the
            // other finishes it, or has), and not one to retry soon.
            if recorded == .notRunning, progress.current.stopSignal == nil, let taken = await takenOver(runId: runId) {
                logger.warning("the lease was taken over", metadata: ["step": "\(current.rawValue)", "error": TerminalText.logValue(message)])
                return taken
            }
            // lock_timeout: a transaction of a runner that stalled past its lease holds rows this
            // run writes (its results, its snapshot). Not a failure to retry soon: exit 3.
            // Only when such a runner is seen: another lock (another scope's seal, a migration,
            // an administrator's) is an ordinary failure, said as such.
            if (error as? PostgresError)?.sqlState == "55P03", progress.current.stopSignal == nil,
               case .failed? = recorded {
                let stalled = await stalledHolders(runId: runId, executionId: executionId)
                if !stalled.isEmpty {
                    logger.warning("another runner's transaction holds rows this run writes", metadata: [
                        "step": "\(current.rawValue)", "error": TerminalText.logValue(message)])
                    return .holderStalled(stalled: stalled, waited: lockWaitSeconds, run: runId)
                }
            }
            logger.error("step failed", metadata: ["step": "\(current.rawValue)", "error": TerminalText.logValue(message)])
            var failure = BatchFailure(step: current, runId: runId, executionId: executionId, message: message,
                                       recorded: recorded)
            failure.resumable = (error as? JobError)?.resumable ?? true
            throw failure
        }
    }

    /// What may hold the rows a lock wait timed out on, when any such server process is seen:
    /// the scope's other executions still `running` (`execution 7 of run 3 (host web1, pid
    /// 4242, ...)`), and the server processes
    /// of those, and of run `runId`'s other executions marked abandoned (`server process 5150
    /// (labourmatch run 4242)`): matched by the work connection's name, which every role may
    /// read (a session's state only its own role may; the runner acts as labourmatch_runner, so
    /// it is not shown). A name is a process id on some host: another process may carry it.
    /// `executionId`: this runner's own, left out. Empty when none, or when they cannot be read.
    private func stalledHolders(runId: Int64?, executionId: Int64?) async -> [String] {
        do { return try await bookkeeping("read the stalled runners") { tx -> [String] in
            let running = try JobRepository.runningExecutions(tx, scope: self.request.scope, except: executionId)
            let backends = try tx.query("""
                SELECT a.pid, a.application_name FROM pg_stat_activity a
                WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.application_name IN (
                    SELECT 'labourmatch run ' || e.pid FROM run_executions e JOIN runs r USING (run_id)
                    JOIN job_instances i USING (instance_id)
                    WHERE i.scope = $1 AND NOT (e.host = $2 AND e.pid = $3)
                      AND (e.status = 'running' OR (e.status = 'abandoned' AND e.run_id = $4)))
                ORDER BY a.pid
                """, params: [PostgresValue(self.request.scope), PostgresValue(self.claim.host),
                              PostgresValue(self.claim.pid), PostgresValue(runId ?? -1)]).map { r -> String in
                let (pid, name): (Int, String) = (try r.decode(0), try r.decode(1))
                return "server process \(pid) (\(TerminalText.message(name)))"
            }
            // A runner is seen stalled only by its server process: an execution still marked
            // `running` may be one whose process died (its transaction ended with it).
            return backends.isEmpty ? [] : running + backends
        } } catch {
            logger.warning("could not read the stalled runners", metadata: ["error": TerminalText.logValue(error)])
            return []
        }
    }

    /// How long a statement of the run waits for a lock held by another transaction (the work
    /// connection's `lock_timeout`): a lease, at least 5 s. Nothing a live runner of the scope
    /// does holds a lock that long; a runner that stalled past its lease may.
    var lockWaitSeconds: Double { max(5, request.leaseSeconds) }

    /// The execution this process started in the scope and still `running`, when `prepare`'s
    /// commit went through unconfirmed; nil when there is none, or when that cannot be read.
    private func unconfirmedExecution() async -> (Int64, Int64)? {
        (try? await bookkeeping("find the execution") { tx -> (Int64, Int64)? in
            try tx.query("""
                SELECT e.run_id, e.execution_id FROM run_executions e JOIN runs r USING (run_id)
                JOIN job_instances i USING (instance_id)
                WHERE i.scope = $1 AND e.host = $2 AND e.pid = $3 AND e.status = 'running'
                ORDER BY e.execution_id DESC LIMIT 1
                """, params: [PostgresValue(self.request.scope), PostgresValue(self.claim.host),
                              PostgresValue(self.claim.pid)]).first.map { (try $0.decode(0), try $0.decode(1)) }
        }) ?? nil
    }

    /// `.takenOver` when the scope's lease is no longer this runner's and the run is in other
    /// hands: succeeded, or the lease's holder now works on it. Nil otherwise (a runner of
    /// another date ended this execution: the run is failed and restartable), or when that
    /// cannot be read.
    private func takenOver(runId: Int64) async -> NightlyOutcome? {
        (try? await bookkeeping("read the run") { tx -> NightlyOutcome? in
            let holder = try ScopeLeases.holder(tx, scope: self.request.scope)
            guard holder?.token != self.claim.token, let run = try JobRepository.run(tx, runId: runId) else {
                return nil
            }
            let holderRun = try holder?.executionId.flatMap { id in
                try tx.query("SELECT run_id FROM run_executions WHERE execution_id = $1",
                             params: [PostgresValue(id)]).first?.decode(0, as: Int64.self)
            }
            guard run.status == .succeeded || holderRun == runId else { return nil }
            return .takenOver(run: run, holder: holder)
        }) ?? nil
    }

    /// Run `runId` as this execution completed it, when it is sealed (succeeded by this execution).
    private func sealedRun(runId: Int64, executionId: Int64, resumedAt: Step) async -> CompletedRun? {
        (try? await bookkeeping("read the sealed run") { tx in
            try self.completedRun(tx, runId: runId, executionId: executionId, resumedAt: resumedAt)
        }) ?? nil
    }

    /// Run `runId` with its stored results and chain link when this execution sealed it; else nil.
    private func completedRun(_ db: Connection, runId: Int64, executionId: Int64,
                              resumedAt: Step) throws -> CompletedRun? {
        guard let done = try JobRepository.run(db, runId: runId), done.status == .succeeded,
              try db.query("SELECT status FROM run_executions WHERE execution_id = $1",
                           params: [PostgresValue(executionId)]).first?.decode(0, as: String.self) == "succeeded",
              let stored = try RunResults.read(db, runId: runId), let link = try RunChain.link(db, runId: runId)
        else { return nil }
        return CompletedRun(run: done, executionId: executionId, resumedAt: resumedAt,
                            reportDir: reportDirectory(runId: runId), results: stored, chain: link)
    }

    /// Where the report step writes run `runId`'s files.
    private func reportDirectory(runId: Int64) -> String {
        request.outDir ?? projectHome.appendingPathComponent("runs/\(runId)", isDirectory: true).path
    }

    /// Finds or creates the instance and the run to work on, abandons dead executions
    /// of it, and starts this execution. One transaction, under the lease.
    private func prepare(_ tx: Connection) throws -> Prepared {
        // Under the scope's lease nothing else of the scope runs: what says `running` died, or
        // stalled past its lease, perhaps inside a transaction that holds the rows changed here
        // (until the server ends it: `idleTimeoutMilliseconds`). Not waited on for ever.
        try tx.execute("SELECT set_config('lock_timeout', '5s', true)")
        try JobRepository.abandonScopeExecutions(tx, scope: request.scope, by: nil)
        let instanceId = try JobRepository.instance(tx, key: key, policyText: request.policy.canonicalText)
        let latest = try JobRepository.latestRun(tx, instanceId: instanceId)
        if let latest, latest.status == .succeeded, !request.rerun { return .complete(latest) }
        let runId: Int64
        var resumeAt = Step.snapshot
        if let latest, latest.status != .succeeded, !request.rerun {
            runId = latest.runId
            let done = try JobRepository.completedSteps(tx, runId: runId)
            resumeAt = done.contains(.persist) ? .report : done.contains(.snapshot) ? .rules : .snapshot
            if resumeAt < .persist {
                // Results not yet stored: this engine computes them.
                try tx.execute("UPDATE runs SET engine_version = $2 WHERE run_id = $1",
                               params: [PostgresValue(runId), PostgresValue(MatchingEngine.version)])
            }
        } else {
            if let latest, latest.status != .succeeded {
                // --rerun over an unfinished run: that run stays failed, a new one starts afresh.
                try JobRepository.abandonExecutions(tx, runId: latest.runId, by: nil)
                try JobRepository.setRunStatus(tx, runId: latest.runId, status: .failed)
            }
            runId = try JobRepository.createRun(tx, instanceId: instanceId, engineVersion: MatchingEngine.version)
        }
        try JobRepository.abandonExecutions(tx, runId: runId, by: nil)
        try JobRepository.setRunStatus(tx, runId: runId, status: .started)
        let executionId = try JobRepository.startExecution(tx, runId: runId, host: claim.host, pid: claim.pid,
                                                           resumedAt: resumeAt)
        try ScopeLeases.attach(tx, claim, executionId: executionId)
        return .start(runId: runId, executionId: executionId, resumeAt: resumeAt)
    }

    // MARK: - Steps

    private func snapshotStep(runId: Int64, executionId: Int64, start: Date) async throws
        -> (input: MatchingInput, inputSHA256: String) {
        hooks.reach(Step.snapshot.rawValue)
        let clock = ContinuousClock(), t0 = clock.now
        return try await retrying("snapshot") { db, attempt in try self.underLease(db, "no snapshot was stored") {
            // A connection lost during COMMIT leaves its outcome unknown: look before doing it again.
            if attempt > 1, try JobRepository.stepStatus(db, executionId: executionId, step: .snapshot) == .completed {
                let input = try RunSnapshot.input(db, runId: runId)
                return (input, RunInputs.sha256Hex(input.fingerprintText))
            }
            try JobRepository.stepStarted(db, executionId: executionId, step: .snapshot, at: start, attempts: attempt)
            return try db.transaction(isolation: .repeatableRead) { tx in
                // The one transaction with long waits on this runner: it decodes every row it
                // reads between statements (6.5 s at 200,000 workers, more on a slow machine):
                // a longer idle bound here.
                try tx.execute("SELECT set_config('idle_in_transaction_session_timeout', $1, true)", params: [
                    PostgresValue("\(Self.snapshotIdleTimeoutMilliseconds(leaseSeconds: self.request.leaseSeconds))ms")])
                let taken = try RunSnapshot.take(tx, runId: runId)
                try JobRepository.stepCompleted(tx, executionId: executionId, step: .snapshot, started: start,
                                                ended: Date(), durationMs: milliseconds(clock.now - t0),
                                                rowsRead: taken.rows, rowsWritten: taken.rows, attempts: attempt)
                // No fence here, unlike the persist step: in REPEATABLE READ, renewing the lease
                // row after the heartbeat renewed it is a serialization failure. A runner that
                // stalled past its lease may store its snapshot: valid data the run resumes from.
                return (taken.input, taken.inputSHA256)
            }
        } }
    }

    /// Rules, candidates and assign: one call of the pure engine, recorded as three
    /// steps with the engine's own timings.
    private func computeSteps(_ input: MatchingInput, executionId: Int64, start: Date,
                              current: inout Step) async throws -> MatchingResult {
        hooks.reach(Step.rules.rawValue)
        // No transaction is open and no statement runs while the engine computes: a stop signal
        // then is recorded by its handler (`RunProgress`).
        try progress.enterCompute()
        hooks.reach("engine")
        let result = await MatchingEngine.run(input: input, policy: request.policy, date: request.runDate,
                                              strategy: request.strategy, parallelism: request.parallelism)
        try progress.leaveCompute()
        let t = result.timings
        let entityExclusions = result.exclusions.lazy.filter { $0.subject != .pair }.count
        let steps: [(Step, Duration, Int, Int)] = [
            (.rules, t.rules, input.workers.count + input.vacancies.count, entityExclusions),
            (.candidates, t.candidates, t.scoredPairs, result.counts.candidates),
            (.assign, t.assign, result.counts.candidates, result.counts.matched),
        ]
        var stepStart = start
        for (step, duration, read, written) in steps {
            current = step
            enter(step, at: stepStart, log: step != .rules)   // rules: logged as the engine began
            if step != .rules { hooks.reach(step.rawValue) }
            let end = stepStart.addingTimeInterval(seconds(duration))
            // Under the lease like the other steps: a runner that stalled past it is told so, not
            // the insert guard's refusal (its execution was marked abandoned).
            try await retrying(step.rawValue) { db, _ in try self.underLease(db, "no step was stored") {
                try JobRepository.stepCompleted(db, executionId: executionId, step: step, started: stepStart, ended: end,
                                                durationMs: milliseconds(duration), rowsRead: read, rowsWritten: written)
            } }
            stepStart = end
        }
        return result
    }

    private func persistStep(_ result: MatchingResult, inputSHA256: String, runId: Int64, executionId: Int64,
                             start: Date) async throws {
        hooks.reach(Step.persist.rawValue)
        let results = RunResults(result: result, policySHA256: key.policySHA256, inputSHA256: inputSHA256)
        let clock = ContinuousClock(), t0 = clock.now
        try await retrying("persist") { db, attempt in try self.underLease(db, "nothing was stored") {
            if attempt > 1, try JobRepository.stepStatus(db, executionId: executionId, step: .persist) == .completed {
                return   // the lost connection's COMMIT went through
            }
            try JobRepository.stepStarted(db, executionId: executionId, step: .persist, at: start, attempts: attempt)
            try db.transaction { tx in
                self.hooks.reach("persist.copy")
                try self.progress.checkStop()   // before the first row: a stop stores none
                let written = try results.write(tx, runId: runId)
                self.hooks.reach("persist.rows")
                try JobRepository.stepCompleted(tx, executionId: executionId, step: .persist, started: start,
                                                ended: Date(), durationMs: milliseconds(clock.now - t0),
                                                rowsRead: result.counts.candidates + result.exclusions.count,
                                                rowsWritten: written, attempts: attempt)
                self.hooks.reach("persist.fence")
                // The fence, last: only the lease's holder commits results, and it keeps the row
                // locked from here to the commit. Taken first, it would lock the row for the whole
                // write, and the heartbeat (another connection) could not renew the lease meanwhile.
                guard try ScopeLeases.renew(tx, self.claim) else {
                    throw self.leaseLost("nothing was stored")
                }
            }
        } }
    }

    /// Writes the files from the stored rows; `input` is the snapshot's input when this
    /// execution already read it (else the report reads it again).
    /// The snapshot of run `runId`, resumed after its snapshot step, checked to be the one that
    /// step recorded: no row names a version that does not exist (which the hash, taken over the
    /// versions it names, would not see), and it hashes to `runs.input_sha256`. Rows added to it
    /// since (a runner login may insert into a started run: regression reviews planted rows into
    /// a killed run's snapshot, before its rules and before its report) were matched or
    /// reported, delivered and sealed; only verify saw them. Refused: not resumable.
    static func resumedSnapshot(_ db: Connection, runId: Int64) throws -> (input: MatchingInput, inputSHA256: String) {
        let notResumed = "it is not resumed: labourmatch runs show \(runId) tells its executions, labourmatch run "
            + "--rerun starts a new run from the current feeds"
        let missing = try RunSnapshot.missingVersions(db, runId: runId)
        guard missing.isEmpty else {
            throw JobError(description: "run \(runId)'s snapshot names versions that do not exist ("
                + missing.joined(separator: ", ") + (missing.count == RunSnapshot.missingVersionsShown ? ", and more" : "")
                + "): rows were added to it since its snapshot step; " + notResumed, resumable: false)
        }
        let input = try RunSnapshot.input(db, runId: runId)
        let sha = RunInputs.sha256Hex(input.fingerprintText)
        let recorded = try db.query("SELECT input_sha256 FROM runs WHERE run_id = $1",
                                    params: [PostgresValue(runId)]).first?.decodeIfPresent(0, as: String.self)
        guard recorded == sha else {
            throw JobError(description: "run \(runId)'s snapshot no longer hashes to the input_sha256 its "
                + "snapshot step recorded (recorded \(recorded.map { String($0.prefix(16)) + "..." } ?? "none"), now "
                + "\(sha.prefix(16))...): rows were added to or changed in it since; " + notResumed, resumable: false)
        }
        return (input, sha)
    }

    private func reportStep(runId: Int64, executionId: Int64, resumedAt: Step, input: MatchingInput?,
                            start: Date) async throws -> CompletedRun {
        hooks.reach(Step.report.rawValue)
        let clock = ContinuousClock(), t0 = clock.now
        let dir = reportDirectory(runId: runId)
        return try await retrying("report") { db, attempt in try self.underLease(db, "the run was not sealed") {
            // A lost connection's COMMIT may have gone through: the run is then final (append-only).
            if attempt > 1, let done = try self.completedRun(db, runId: runId, executionId: executionId,
                                                              resumedAt: resumedAt) {
                return done
            }
            try JobRepository.stepStarted(db, executionId: executionId, step: .report, at: start, attempts: attempt)
            let data = try RunData.load(db, runId: runId, input: input)
            let stored = data.results
            // All the work first (rendering, the hash of exactly the rows stored for the
            // tamper-evident chain): then only the lease check, the writes and the seal remain.
            // No transaction is open and no statement runs while the reports are rendered (tens
            // of seconds for a large run): a stop signal then is recorded by its handler.
            try self.progress.enterCompute()
            self.hooks.reach("report.render")
            let rendered = RunReport.render(data)
            try self.progress.leaveCompute()
            guard let outputs = try RunChain.outputsSHA256(db, run: data.run, results: stored) else {
                throw JobError(description: "run \(runId) has no stored results")
            }
            self.hooks.reach("report.write")
            // The last safe point to stop at: from here the files are written and the run sealed.
            try self.progress.checkStop()
            // Only the lease's holder writes the files: a runner that lost it (stalled past the
            // lease while another finished the run) must not overwrite the other's files. Checked
            // after the rendering, so that only the writing of the files follows it.
            guard try ScopeLeases.renew(db, self.claim) else {
                throw self.leaseLost("no file was written")
            }
            let files = try RunReport.write(rendered, to: dir)
            let (link, finished): (ChainLink, RunRecord)
            do { (link, finished) = try db.transaction { tx in
                try JobRepository.stepCompleted(tx, executionId: executionId, step: .report, started: start,
                                                ended: Date(), durationMs: milliseconds(clock.now - t0),
                                                rowsRead: stored.matches.count + stored.exclusions.count,
                                                rowsWritten: files, attempts: attempt)
                try tx.execute("UPDATE runs SET report_dir = $2 WHERE run_id = $1",
                               params: [PostgresValue(runId), PostgresValue(dir)])
                let link = try RunChain.seal(tx, runId: runId, outputsSHA256: outputs)   // status succeeded
                try JobRepository.finishExecution(tx, executionId: executionId, status: .succeeded)
                // Read here, not after the commit: once sealed, nothing is left to wait for.
                guard let finished = try JobRepository.run(tx, runId: runId) else {
                    throw JobError(description: "run \(runId) disappeared")
                }
                // The fence, last, as in the persist step: only the lease's holder seals the run.
                guard try ScopeLeases.renew(tx, self.claim) else {
                    throw self.leaseLost("the run was not sealed")
                }
                return (link, finished)
            } } catch {
                // Not sealed, unless the connection was lost (its COMMIT may have gone through:
                // the retry looks): the files stay, but not SHA256SUMS, which says the set is
                // final. Only while the lease is still this runner's: else the files may be
                // another runner's, which took the scope over.
                if !((error as? PostgresError)?.isConnectionLost ?? false),
                   (try? ScopeLeases.holder(db, scope: self.request.scope))??.token == self.claim.token {
                    try? OutputDirectory(path: dir).remove(RunReport.checksumsFile)
                }
                throw error
            }
            // Sealed: the outcome is final. A stop signal from here on lets the job finish.
            self.progress.end()
            self.hooks.reach("sealed")
            return CompletedRun(run: finished, executionId: executionId, resumedAt: resumedAt, reportDir: dir,
                                results: stored, chain: link)
        } }
    }

    // MARK: - Support

    /// Runs `body` (a transaction that needs the lease); when it fails and the lease is no longer
    /// this runner's, says that. A runner that takes the lease over also ends this execution, so
    /// what a stalled runner meets first is the append-only trigger on its steps, or a duplicate
    /// key of the results the other stored: not the fence at the end of the transaction.
    private func underLease<T>(_ db: Connection, _ consequence: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            if RetryPolicy.isTransient(error) || (error as? JobError) != nil { throw error }
            let holder: LeaseHolder?
            do { holder = try ScopeLeases.holder(db, scope: request.scope) } catch _ { throw error }
            if holder?.token == claim.token { throw error }
            throw leaseLost("\(consequence) (\(error))")
        }
    }

    /// The failure of a step whose runner no longer holds the lease, and what that means.
    private func leaseLost(_ consequence: String) -> JobError {
        JobError(description: "the lease of scope '\(request.scope)' was taken over; \(consequence)")
    }

    /// Fails the step when the heartbeat found the lease taken over.
    private func check(_ keeper: LeaseKeeper) throws {
        try progress.checkStop()
        if let lost = keeper.lost { throw JobError(description: lost) }
    }

    /// What a failed step's record says: `stopped by SIGTERM during step X` for a stop.
    private func failureMessage(_ error: Error, step: Step) -> String {
        if error is StopRequested, let stop = progress.current.stopSignal {
            return RunStopper.message(signalName: stop.name, step: step)
        }
        return (error as? BatchFailure)?.message ?? "\(error)"
    }

    /// Runs `body` on the work connection; a transient error closes the connection, waits
    /// (exponential back-off) and runs `body` again on a new one, up to the policy's bound.
    /// `stoppable`: each attempt is a safe point where a stop signal stops the job
    /// (`StopRequested`), and a statement failing after one (its handler cancels the running
    /// statement) means the stop, not an error to retry or report. Once stopping (recording the
    /// stop, giving the lease up), two attempts at most: a scheduler waits for the process only
    /// so long before it kills it.
    private func retrying<T>(_ what: String, stoppable: Bool = true,
                             _ body: (Connection, Int) throws -> T) async throws -> T {
        var attempt = 1
        while true {
            let maxAttempts = progress.current.stopSignal == nil ? request.retry.maxAttempts
                : min(2, request.retry.maxAttempts)
            if stoppable { try progress.checkStop() }
            do {
                return try body(try connection(), attempt)
            } catch let error where stoppable && !(error is StopRequested) && progress.current.stopSignal != nil {
                logger.info("stopping", metadata: ["work": "\(what)", "error": TerminalText.logValue(error)])
                try progress.checkStop()
                throw error
            } catch let error where (RetryPolicy.isTransient(error) || (!stoppable && Self.wasCancelled(error)))
                                    && attempt < maxAttempts {
                let wait = request.retry.delay(afterAttempt: attempt)
                logger.warning("transient database error; retrying on a new connection", metadata: [
                    "work": "\(what)", "attempt": "\(attempt)", "wait_s": "\(wait)", "error": TerminalText.logValue(error),
                ])
                closeConnection()
                try await Task.sleep(for: .seconds(wait))
                attempt += 1
            }
        }
    }

    /// The work connection, opened (and named `labourmatch run <pid>`) when needed.
    private func connection() throws -> Connection {
        if let db, db.isOpen { return db }
        closeConnection()
        let opened = try Connection(config, logger: logger)
        if config.schema == nil, let home = opened.home {
            config.schema = home
            progress.chose(home: home)   // for a stop signal's handler, whose config was taken before
        }
        try opened.setApplicationName(applicationName)
        // A transaction of this runner left waiting on it (the process stalled, its host cut off)
        // would hold its rows for ever, and the runner that takes the lease over would wait on
        // them: the server ends it, and the session, after this long. And a wait for such a
        // transaction's rows ends (`holderStalled`, exit 3) rather than lasting as long as the
        // stall: the server cannot end a stall inside a statement (a COPY). One round trip.
        try opened.execute("""
            SELECT set_config('idle_in_transaction_session_timeout', $1, false), set_config('lock_timeout', $2, false)
            """, params: [PostgresValue("\(Self.idleTimeoutMilliseconds(leaseSeconds: request.leaseSeconds))ms"),
                          PostgresValue("\(Int(lockWaitSeconds * 1000))ms")])
        db = opened
        progress.workConnection(opened.cancelHandle())
        return opened
    }

    /// How long the server lets a runner's transaction wait on the runner before it ends it
    /// (`idle_in_transaction_session_timeout`): three leases, at least 10 s. A runner that
    /// waits that long inside a transaction has stalled (its work between statements is
    /// milliseconds, but in the snapshot transaction: `snapshotIdleTimeoutMilliseconds`); if its
    /// heartbeat stalled too, its lease has lapsed long before.
    public static func idleTimeoutMilliseconds(leaseSeconds: Double) -> Int {
        Int(max(10, 3 * leaseSeconds) * 1000)
    }

    /// The same bound in the snapshot transaction, which waits on its runner while it decodes
    /// the rows it read: 10 minutes, or 3 leases when longer.
    public static func snapshotIdleTimeoutMilliseconds(leaseSeconds: Double) -> Int {
        Int(max(600, 3 * leaseSeconds) * 1000)
    }

    /// A statement cancelled (SQLSTATE 57014): a stop's cancel request can reach the server
    /// after the job saw the stop, and hit the statement that records it; that one is tried again.
    private static func wasCancelled(_ error: Error) -> Bool {
        (error as? PostgresError)?.sqlState == "57014"
    }

    private func closeConnection() {
        progress.workConnection(nil)
        db?.close()
        db = nil
    }

    /// Best effort: marks the step (unless it completed) and execution failed and the run
    /// failed (restartable); nil when that could not be written. An execution a later runner
    /// already found dead (after taking an expired lease), or that ended (sealed), no longer
    /// speaks for its run: `.notRunning`.
    private func recordFailure(runId: Int64, executionId: Int64, step: Step, started: Date,
                               message: String) async -> JobRepository.FailOutcome? {
        do {
            return try await bookkeeping("record failure") { tx in
                try JobRepository.failRunningExecution(tx, runId: runId, executionId: executionId,
                                                       step: step, started: started, message: message)
            }
        } catch {
            logger.error("could not record the failure", metadata: ["error": TerminalText.logValue(error)])
            return nil
        }
    }

    /// Once stopping, a statement waits at most 5 s for a lock and runs at most 10 s: a
    /// scheduler waits for the process only so long before it kills it.
    private func boundWaitsWhenStopping(_ tx: Connection) throws {
        if progress.current.stopSignal != nil { try JobRepository.boundWaits(tx) }
    }

    /// `body` in one transaction of its own, for what is left to do after the work or a failure
    /// (recording it, giving the lease up, looking where the run stands): retried like any work,
    /// never cut short by a stop (it is what a stop needs done), its waits bounded once stopping.
    private func bookkeeping<T>(_ what: String, _ body: (Connection) throws -> T) async throws -> T {
        try await retrying(what, stoppable: false) { db, _ in
            try db.transaction { tx in
                try self.boundWaitsWhenStopping(tx)
                return try body(tx)
            }
        }
    }

    @discardableResult
    private func releaseLease() async -> Bool {
        do {
            _ = try await bookkeeping("release lease") { tx in try ScopeLeases.release(tx, self.claim) }
            return true
        } catch {
            logger.warning("could not release the lease; it expires by itself", metadata: ["error": TerminalText.logValue(error)])
            return false
        }
    }
}

/// Whole milliseconds of a duration.
func milliseconds(_ d: Duration) -> Int {
    Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
}

/// Whole milliseconds of a time interval.
func milliseconds(_ seconds: TimeInterval) -> Int { Int((seconds * 1000).rounded(.down)) }

/// A duration in seconds.
func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
