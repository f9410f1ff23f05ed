import Foundation
import Logging
import Postgres

/// Where a runner stands: its run, execution and step. The job writes it as it goes; a stop
/// signal's handler, on another thread, reads it to record the stop.
///
/// `@unchecked Sendable`: its state is read and written only under `lock`.
public final class RunProgress: @unchecked Sendable {
    /// What the job was doing at one moment.
    public struct State: Sendable, Equatable {
        public var runId: Int64?
        public var executionId: Int64?
        public var step: Step = .lock
        public var stepStart = Date()
        /// True once the job has ended (succeeded, failed or found nothing to do).
        public var ended = false
        /// True once a stop signal's handler took over the ending of the process.
        public var stopping = false
    }

    private let lock = NSLock()
    private var state = State()

    public init() {}

    public var current: State {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    func started(runId: Int64, executionId: Int64) {
        update { $0.runId = runId; $0.executionId = executionId }
    }

    func entered(_ step: Step, at start: Date) {
        update { $0.step = step; $0.stepStart = start }
    }

    func end() { update { $0.ended = true } }

    /// The state, with `stopping` set, when the job has not ended; nil when it has (the
    /// process is finishing on its own: there is nothing to stop).
    func claimStop() -> State? {
        lock.lock()
        defer { lock.unlock() }
        if state.ended { return nil }
        state.stopping = true
        return state
    }

    private func update(_ change: (inout State) -> Void) {
        lock.lock()
        change(&state)
        lock.unlock()
    }
}

/// What a stop signal (SIGTERM from a scheduler or `systemctl stop`, SIGINT from a terminal)
/// does to a runner: records the stop, on a connection of its own, in one transaction: the
/// running step and the execution `failed` with "stopped by SIGTERM", the run `failed`
/// (restartable), and the scope's lease given up, so that the next runner, from any host,
/// starts at once rather than after the lease expires. The caller then ends the process.
///
/// A transaction the job had open is rolled back by the server when the process ends: a
/// persist step stores all its rows or none, as when the process is killed. If the job's
/// commit comes first, the stop is recorded after it, and the run resumes after that step.
public struct RunStopper: Sendable {
    let config: ConnectionConfig
    let claim: LeaseClaim
    let progress: RunProgress
    let logger: Logger

    /// Records the stop by `signalName`; returns the line to print (what was done, or why not),
    /// or nil when the job had already ended (the process is finishing on its own). Waits at
    /// most a few seconds for a lock (the job may be committing), then gives up: the next
    /// runner of the scope finds the execution dead anyway.
    public func stop(signalName: String) -> String? {
        guard let state = progress.claimStop() else { return nil }
        let message = "stopped by \(signalName) during step \(state.step.rawValue)"
        let restart = "; the run is restartable: `labourmatch run` with the same date, scope, policy and strategy, "
            + "without --rerun, resumes it"
        do {
            let db = try Connection(config, logger: logger)
            defer { db.close() }
            let (marked, released) = try db.transaction { tx -> (Bool, Bool) in
                try tx.execute("SELECT set_config('lock_timeout', '5s', true), set_config('statement_timeout', '10s', true)")
                var marked = false
                if let runId = state.runId, let executionId = state.executionId {
                    marked = try JobRepository.failRunningExecution(tx, runId: runId, executionId: executionId,
                                                                     step: state.step, started: state.stepStart,
                                                                     message: message)
                }
                return (marked, try ScopeLeases.release(tx, claim))
            }
            let lease = released ? ", the lease of scope '\(claim.scope)' was released" : ""
            guard let runId = state.runId, let executionId = state.executionId else {
                return "\(message); no run had started\(lease)"
            }
            let what = marked ? "marked failed" : "had already ended"
            return "run \(runId), execution \(executionId) \(message): \(what)\(lease)\(marked ? restart : "")"
        } catch {
            return "\(message); the stop could not be recorded (\(error)): the next runner of scope "
                + "'\(claim.scope)' marks the execution abandoned\(state.runId == nil ? "" : restart)"
        }
    }
}
