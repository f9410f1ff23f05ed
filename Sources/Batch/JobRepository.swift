import Foundation
import Matching
import Postgres

/// The job repository: job instances, runs, executions and steps in PostgreSQL
/// (`Schema/0003_runs.sql`). Each function is one or a few statements on the
/// caller's connection; the caller chooses the transaction.
public enum JobRepository {
    /// The id of the instance with `key`, created (with its policy text) when new.
    public static func instance(_ db: Connection, key: JobInstanceKey, policyText: String) throws -> Int64 {
        let params: [PostgresValue?] = [PostgresValue(key.jobName), PostgresValue(key.runDate.description),
                                        PostgresValue(key.scope), PostgresValue(key.policySHA256),
                                        PostgresValue(key.strategy.rawValue), PostgresValue(policyText)]
        try db.execute("""
            INSERT INTO job_instances (job_name, run_date, scope, policy_sha256, strategy, policy_text)
            VALUES ($1, $2::date, $3, $4, $5, $6)
            ON CONFLICT (job_name, run_date, scope, policy_sha256, strategy) DO NOTHING
            """, params: params)
        return try db.query("""
            SELECT instance_id FROM job_instances
            WHERE job_name = $1 AND run_date = $2::date AND scope = $3 AND policy_sha256 = $4 AND strategy = $5
            """, params: Array(params.prefix(5)))[0].decode(0)
    }

    static let runColumns = """
        r.run_id, r.instance_id, i.job_name, i.run_date, i.scope, i.policy_sha256, i.strategy, i.policy_text,
        r.number, r.status, r.engine_version, r.who_list_edition, r.input_sha256, r.report_dir,
        r.created_at, r.finished_at
        FROM runs r JOIN job_instances i USING (instance_id)
        """

    static func decodeRun(_ r: PostgresRow) throws -> RunRecord {
        func bad(_ what: String) -> PostgresError { PostgresError(kind: .decoding, message: "runs: \(what)") }
        guard let date = Day(try r.decode(3, as: String.self)) else { throw bad("run_date") }
        guard let strategy = Strategy(rawValue: try r.decode(6)) else { throw bad("strategy") }
        guard let status = RunRecord.Status(rawValue: try r.decode(9)) else { throw bad("status") }
        return RunRecord(runId: try r.decode(0), instanceId: try r.decode(1),
                         key: JobInstanceKey(jobName: try r.decode(2), runDate: date, scope: try r.decode(4),
                                             policySHA256: try r.decode(5), strategy: strategy),
                         policyText: try r.decode(7), number: try r.decode(8), status: status,
                         engineVersion: try r.decode(10), whoListEdition: try r.decodeIfPresent(11),
                         inputSHA256: try r.decodeIfPresent(12), reportDir: try r.decodeIfPresent(13),
                         createdAt: try r.decode(14), finishedAt: try r.decodeIfPresent(15))
    }

    /// The run `runId`, or nil.
    public static func run(_ db: Connection, runId: Int64) throws -> RunRecord? {
        try db.query("SELECT \(runColumns) WHERE r.run_id = $1", params: [PostgresValue(runId)]).first.map(decodeRun)
    }

    /// The latest succeeded run of the instance `key` names, when the instance is done: its
    /// latest run succeeded, or its latest run is a --rerun that `workingExecution` (the lease
    /// holder's) is carrying on. Nil otherwise: no such instance, no succeeded run, or a later
    /// run left unfinished, which the same command resumes. Reads only (no lease needed).
    public static func succeededRun(_ db: Connection, key: JobInstanceKey, workingExecution: Int64? = nil) throws -> RunRecord? {
        guard let instanceId = try db.query("""
            SELECT instance_id FROM job_instances
            WHERE job_name = $1 AND run_date = $2::date AND scope = $3 AND policy_sha256 = $4 AND strategy = $5
            """, params: [PostgresValue(key.jobName), PostgresValue(key.runDate.description), PostgresValue(key.scope),
                          PostgresValue(key.policySHA256), PostgresValue(key.strategy.rawValue)])
            .first?.decode(0, as: Int64.self) else { return nil }
        guard let latest = try latestRun(db, instanceId: instanceId) else { return nil }
        if latest.status == .succeeded { return latest }
        guard let working = workingExecution, try db.query("SELECT run_id FROM run_executions WHERE execution_id = $1",
                                                             params: [PostgresValue(working)])
                .first?.decode(0, as: Int64.self) == latest.runId else { return nil }
        return try db.query("""
            SELECT \(runColumns) WHERE r.instance_id = $1 AND r.status = 'succeeded' ORDER BY r.number DESC LIMIT 1
            """, params: [PostgresValue(instanceId)]).first.map(decodeRun)
    }

    /// The instance's latest run (highest number), or nil when it has none.
    public static func latestRun(_ db: Connection, instanceId: Int64) throws -> RunRecord? {
        try db.query("SELECT \(runColumns) WHERE r.instance_id = $1 ORDER BY r.number DESC LIMIT 1",
                     params: [PostgresValue(instanceId)]).first.map(decodeRun)
    }

    /// The most recent runs first, at most `limit`.
    public static func runs(_ db: Connection, limit: Int) throws -> [RunRecord] {
        try db.query("SELECT \(runColumns) ORDER BY r.run_id DESC LIMIT $1", params: [PostgresValue(limit)])
            .map(decodeRun)
    }

    /// A new run of the instance, numbered after its latest.
    public static func createRun(_ db: Connection, instanceId: Int64, engineVersion: String) throws -> Int64 {
        try db.query("""
            INSERT INTO runs (instance_id, number, engine_version)
            SELECT $1, coalesce(max(number), 0) + 1, $2 FROM runs WHERE instance_id = $1
            RETURNING run_id
            """, params: [PostgresValue(instanceId), PostgresValue(engineVersion)])[0].decode(0)
    }

    /// Steps of the run that some execution completed.
    public static func completedSteps(_ db: Connection, runId: Int64) throws -> Set<Step> {
        Set(try db.query("""
            SELECT DISTINCT s.step FROM run_steps s JOIN run_executions e USING (execution_id)
            WHERE e.run_id = $1 AND s.status = 'completed'
            """, params: [PostgresValue(runId)]).compactMap { Step(rawValue: try $0.decode(0)) })
    }

    /// Marks the run's executions still `running` as `abandoned` and their running
    /// steps as failed: the caller holds the scope's lease, so no one runs them.
    public static func abandonExecutions(_ db: Connection, runId: Int64, by executionId: Int64?) throws {
        let note = "no longer running; found by " + (executionId.map { "execution \($0)" } ?? "a later run")
        try db.execute("""
            UPDATE run_steps SET status = 'failed', message = $2
            WHERE status = 'running' AND execution_id IN
                (SELECT execution_id FROM run_executions WHERE run_id = $1 AND status = 'running')
            """, params: [PostgresValue(runId), PostgresValue(note)])
        try db.execute("""
            UPDATE run_executions SET status = 'abandoned', message = $2
            WHERE run_id = $1 AND status = 'running'
            """, params: [PostgresValue(runId), PostgresValue(note)])
    }

    /// Marks every execution of the scope's runs still `running` as `abandoned` (and their
    /// running steps failed), and their runs still `started` as `failed`: the caller holds the
    /// scope's lease, so none of them is running. A run of another date or policy, whose
    /// process died, would otherwise say `started` for ever; it stays restartable.
    public static func abandonScopeExecutions(_ db: Connection, scope: String, by executionId: Int64?) throws {
        let note = "no longer running; found by " + (executionId.map { "execution \($0)" } ?? "a later run")
        let dead = """
            SELECT e.execution_id FROM run_executions e JOIN runs r USING (run_id) JOIN job_instances i USING (instance_id)
            WHERE i.scope = $1 AND e.status = 'running'
            """
        try db.execute("""
            UPDATE runs SET status = 'failed' WHERE status = 'started' AND run_id IN
                (SELECT run_id FROM run_executions WHERE execution_id IN (\(dead)))
            """, params: [PostgresValue(scope)])
        try db.execute("""
            UPDATE run_steps SET status = 'failed', message = $2 WHERE status = 'running' AND execution_id IN (\(dead))
            """, params: [PostgresValue(scope), PostgresValue(note)])
        try db.execute("""
            UPDATE run_executions SET status = 'abandoned', message = $2 WHERE execution_id IN (\(dead))
            """, params: [PostgresValue(scope), PostgresValue(note)])
    }

    /// The scope's executions still `running`, each as `execution 7 of run 3 (host web1, pid 4242,
    /// started 2026-11-29T01:00:00Z)`, oldest first.
    public static func runningExecutions(_ db: Connection, scope: String, except: Int64? = nil) throws -> [String] {
        let f = ISO8601DateFormatter()
        return try db.query("""
            SELECT e.execution_id, e.run_id, e.host, e.pid, e.started_at
            FROM run_executions e JOIN runs r USING (run_id) JOIN job_instances i USING (instance_id)
            WHERE i.scope = $1 AND e.status = 'running' AND e.execution_id <> $2 ORDER BY e.execution_id
            """, params: [PostgresValue(scope), PostgresValue(except ?? -1)]).map { row in
            let (id, run, host, pid, started): (Int64, Int64, String, Int, Date) =
                (try row.decode(0), try row.decode(1), try row.decode(2), try row.decode(3), try row.decode(4))
            return "execution \(id) of run \(run) (host \(TerminalText.message(host)), pid \(pid), "
                + "started \(f.string(from: started)))"
        }
    }

    /// A new execution of the run, `running`, starting at `resumedAt`.
    public static func startExecution(_ db: Connection, runId: Int64, host: String, pid: Int,
                                      resumedAt: Step) throws -> Int64 {
        try db.query("""
            INSERT INTO run_executions (run_id, host, pid, resumed_at) VALUES ($1, $2, $3, $4) RETURNING execution_id
            """, params: [PostgresValue(runId), PostgresValue(host), PostgresValue(pid),
                          PostgresValue(resumedAt.rawValue)])[0].decode(0)
    }

    /// The status of the execution's step, or nil when it has no row.
    public static func stepStatus(_ db: Connection, executionId: Int64, step: Step) throws -> StepRecord.Status? {
        try db.query("SELECT status FROM run_steps WHERE execution_id = $1 AND step = $2",
                     params: [PostgresValue(executionId), PostgresValue(step.rawValue)])
            .first.flatMap { StepRecord.Status(rawValue: try $0.decode(0)) }
    }

    /// Records the step as running (attempt `attempts`), replacing an earlier attempt's row.
    public static func stepStarted(_ db: Connection, executionId: Int64, step: Step, at start: Date,
                                   attempts: Int) throws {
        try db.execute("""
            INSERT INTO run_steps (execution_id, step, status, started_at, attempts) VALUES ($1, $2, 'running', $3, $4)
            ON CONFLICT (execution_id, step) DO UPDATE
                SET status = 'running', started_at = EXCLUDED.started_at, attempts = EXCLUDED.attempts,
                    ended_at = NULL, duration_ms = NULL, message = NULL
            """, params: [PostgresValue(executionId), PostgresValue(step.rawValue), PostgresValue(start),
                          PostgresValue(attempts)])
    }

    /// Records the step as completed, with its timings and row counts (inserting the row when
    /// the step had not been recorded as started: the steps the engine runs in one call).
    public static func stepCompleted(_ db: Connection, executionId: Int64, step: Step, started: Date, ended: Date,
                                     durationMs: Int, rowsRead: Int?, rowsWritten: Int?, attempts: Int = 1) throws {
        try db.execute("""
            INSERT INTO run_steps (execution_id, step, status, started_at, ended_at, duration_ms, rows_read,
                                   rows_written, attempts)
            VALUES ($1, $2, 'completed', $3, $4, $5, $6, $7, $8)
            ON CONFLICT (execution_id, step) DO UPDATE
                SET status = 'completed', started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
                    duration_ms = EXCLUDED.duration_ms, rows_read = EXCLUDED.rows_read,
                    rows_written = EXCLUDED.rows_written, attempts = EXCLUDED.attempts, message = NULL
            """, params: [PostgresValue(executionId), PostgresValue(step.rawValue), PostgresValue(started),
                          PostgresValue(ended), PostgresValue(durationMs), rowsRead.map { PostgresValue($0) },
                          rowsWritten.map { PostgresValue($0) }, PostgresValue(attempts)])
    }

    /// Records the step as failed with `message` (inserting it when it had no row yet).
    /// Marks the step failed, unless it completed: a step whose commit went through (its
    /// connection broke before the answer, and the job then failed or was stopped) stays
    /// completed, so that the run resumes after it rather than doing it again over its rows.
    /// True when the step was marked failed.
    @discardableResult
    public static func stepFailed(_ db: Connection, executionId: Int64, step: Step, started: Date,
                                  message: String) throws -> Bool {
        try db.execute("""
            INSERT INTO run_steps (execution_id, step, status, started_at, ended_at, message)
            VALUES ($1, $2, 'failed', $3, now(), $4)
            ON CONFLICT (execution_id, step) DO UPDATE SET status = 'failed', ended_at = now(), message = $4
            WHERE run_steps.status <> 'completed'
            """, params: [PostgresValue(executionId), PostgresValue(step.rawValue), PostgresValue(started),
                          PostgresValue(message)]) == 1
    }

    /// Bounds the waits of the rest of the transaction: 5 s for a lock, 10 s for a statement
    /// (recording a stop: a scheduler waits for the process only so long before it kills it).
    public static func boundWaits(_ tx: Connection) throws {
        try tx.execute("SELECT set_config('lock_timeout', '5s', true), set_config('statement_timeout', '10s', true)")
    }

    /// What `failRunningExecution` did.
    public enum FailOutcome: Sendable, Equatable {
        /// The execution and its run are failed; `stepMarked` false when the step had completed
        /// (its commit went through) and stays so.
        case failed(stepMarked: Bool)
        /// The execution was no longer running (a later runner found it dead, or it ended).
        case notRunning
    }

    /// Fails a running execution: its step `step` failed with `message` (unless it completed),
    /// the execution failed, its run failed (restartable). Nothing is done when the execution
    /// is no longer running. Call inside a transaction: the execution row is locked first, so
    /// two callers (a failing step and a stop signal) do it once.
    @discardableResult
    public static func failRunningExecution(_ tx: Connection, runId: Int64, executionId: Int64, step: Step,
                                            started: Date, message: String) throws -> FailOutcome {
        let status = try tx.query("SELECT status FROM run_executions WHERE execution_id = $1 FOR UPDATE",
                                  params: [PostgresValue(executionId)]).first?.decode(0, as: String.self)
        guard status == ExecutionRecord.Status.running.rawValue else { return .notRunning }
        let marked = try stepFailed(tx, executionId: executionId, step: step, started: started, message: message)
        try finishExecution(tx, executionId: executionId, status: .failed, message: message)
        try setRunStatus(tx, runId: runId, status: .failed)
        return .failed(stepMarked: marked)
    }

    /// Ends the execution with `status` and, for a failure, its message.
    public static func finishExecution(_ db: Connection, executionId: Int64, status: ExecutionRecord.Status,
                                       message: String? = nil) throws {
        try db.execute("UPDATE run_executions SET status = $2, ended_at = now(), message = $3 WHERE execution_id = $1",
                       params: [PostgresValue(executionId), PostgresValue(status.rawValue), message.map { PostgresValue($0) }])
    }

    /// Sets the run's status (and `finished_at` when it succeeded).
    public static func setRunStatus(_ db: Connection, runId: Int64, status: RunRecord.Status) throws {
        try db.execute("""
            UPDATE runs SET status = $2, finished_at = CASE WHEN $2 = 'succeeded' THEN now() END WHERE run_id = $1
            """, params: [PostgresValue(runId), PostgresValue(status.rawValue)])
    }

    /// The run's executions, oldest first, each with its steps in step order.
    public static func executions(_ db: Connection, runId: Int64) throws -> [ExecutionRecord] {
        let id = [PostgresValue(runId)]
        var steps: [Int64: [StepRecord]] = [:]
        for r in try db.query("""
            SELECT s.execution_id, s.step, s.status, s.started_at, s.ended_at, s.duration_ms, s.rows_read,
                   s.rows_written, s.attempts, s.message
            FROM run_steps s JOIN run_executions e USING (execution_id) WHERE e.run_id = $1
            """, params: id) {
            guard let step = Step(rawValue: try r.decode(1)), let status = StepRecord.Status(rawValue: try r.decode(2))
            else { continue }
            steps[try r.decode(0), default: []].append(StepRecord(
                step: step, status: status, startedAt: try r.decode(3), endedAt: try r.decodeIfPresent(4),
                durationMs: try r.decodeIfPresent(5), rowsRead: try r.decodeIfPresent(6),
                rowsWritten: try r.decodeIfPresent(7), attempts: try r.decode(8), message: try r.decodeIfPresent(9)))
        }
        return try db.query("""
            SELECT execution_id, status, host, pid, resumed_at, started_at, ended_at, message
            FROM run_executions WHERE run_id = $1 ORDER BY execution_id
            """, params: id).map { r in
            let executionId: Int64 = try r.decode(0)
            return ExecutionRecord(executionId: executionId,
                                   runId: runId, status: ExecutionRecord.Status(rawValue: try r.decode(1)) ?? .failed,
                                   host: try r.decode(2), pid: try r.decode(3),
                                   resumedAt: Step(rawValue: try r.decode(4)) ?? .lock, startedAt: try r.decode(5),
                                   endedAt: try r.decodeIfPresent(6), message: try r.decodeIfPresent(7),
                                   steps: (steps[executionId] ?? []).sorted { $0.step < $1.step })
        }
    }
}

/// A line of `runs list`: a run, how many executions it took, how many matches it stored.
public struct RunListing: Sendable, Hashable {
    public var run: RunRecord
    public var executions: Int
    /// nil until the persist step stored the results.
    public var matched: Int?
}

extension JobRepository {
    /// The most recent runs first, at most `limit`, with their execution and match counts.
    public static func listing(_ db: Connection, limit: Int) throws -> [RunListing] {
        let runs = try runs(db, limit: limit)
        guard let oldest = runs.last?.runId else { return [] }
        var executions: [Int64: Int] = [:], matched: [Int64: Int] = [:]
        for r in try db.query("SELECT run_id, count(*) FROM run_executions WHERE run_id >= $1 GROUP BY run_id",
                              params: [PostgresValue(oldest)]) {
            executions[try r.decode(0)] = try r.decode(1)
        }
        for r in try db.query("""
            SELECT run_id, (summary -> 'counts' ->> 'matched')::bigint FROM run_summaries WHERE run_id >= $1
            """, params: [PostgresValue(oldest)]) {
            matched[try r.decode(0)] = try r.decodeIfPresent(1)
        }
        return runs.map { RunListing(run: $0, executions: executions[$0.runId] ?? 0, matched: matched[$0.runId]) }
    }
}
