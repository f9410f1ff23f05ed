import Foundation
import Logging
import Postgres

/// A stop signal came: the job stops at its next safe point (thrown by the job's own checks).
public struct StopRequested: Error, Sendable, CustomStringConvertible {
    public var signalName: String
    public var description: String { "stopped by \(signalName)" }
}

/// Where a runner stands, and whether a stop signal came: the job writes it as it goes; a
/// stop signal's handler, on another thread, reads it and asks the job to stop.
///
/// Who records a stop: the job itself, at its next safe point (before any statement, at the
/// start of the persist transaction, between steps), after the handler cancelled the
/// statement it was running. So the stop is recorded for the step the job is really in, after
/// its own transaction ended: never over a step that has committed meanwhile, and never
/// against its locks. Only while the job computes (the engine: no transaction, no statement),
/// which can last minutes, does the handler record the stop itself; the job then never touches
/// the database again (`leaveCompute` holds it until the handler ends the process).
///
/// `@unchecked Sendable`: its state is read and written only under `lock`.
public final class RunProgress: @unchecked Sendable {
    /// What the job was doing at one moment.
    public struct State: Sendable {
        public var runId: Int64?
        public var executionId: Int64?
        public var step: Step = .lock
        public var stepStart = Date()
        /// True once the job has ended (succeeded, failed or found nothing to do), or sealed the
        /// run (its outcome is final; what is left only reads).
        public var ended = false
        /// The signal that asked the job to stop, and its name.
        public var stopSignal: (number: Int32, name: String)?
        /// True while the job computes (no transaction open, no statement running).
        public var computing = false
        /// True once the handler took the recording of the stop over (the job was computing).
        public var handlerRecords = false
        /// The schema the job's first connection chose (`Connection.home`), for the handler's
        /// own connection when the command gave none.
        public var home: String?
    }

    /// What a stop signal's handler is to do.
    public enum StopAction: Sendable {
        /// The job has ended: nothing to stop; the process finishes on its own.
        case none
        /// The job stops at its next safe point; cancel the statement it runs, if any.
        case cancel(CancelHandle?)
        /// The job is computing: record the stop (with this state) and end the process.
        case record(State)
    }

    private let lock = NSLock()
    private var state = State()
    private var cancelHandle: CancelHandle?

    public init() {}

    public var current: State {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    // MARK: The job's side

    func started(runId: Int64, executionId: Int64) {
        update { $0.runId = runId; $0.executionId = executionId }
    }

    func entered(_ step: Step, at start: Date) {
        update { $0.step = step; $0.stepStart = start }
    }

    func end() { update { $0.ended = true } }

    func chose(home: String) { update { $0.home = home } }

    /// The work connection's cancel handle (nil when it is closed).
    func workConnection(_ handle: CancelHandle?) {
        lock.lock()
        cancelHandle = handle
        lock.unlock()
    }

    /// A safe point: throws `StopRequested` when a stop signal came.
    func checkStop() throws {
        if let stop = current.stopSignal { throw StopRequested(signalName: stop.name) }
    }

    /// The job starts computing: from here to `leaveCompute`, a stop signal's handler records
    /// the stop itself.
    func enterCompute() throws {
        lock.lock()
        defer { lock.unlock() }
        if let stop = state.stopSignal { throw StopRequested(signalName: stop.name) }
        state.computing = true
    }

    /// The job stops computing. When the handler took the stop over, holds the calling thread
    /// for good: the handler ends the process (its recording is bounded in time), and the job
    /// must not touch the database meanwhile. When a stop signal came, throws `StopRequested`.
    func leaveCompute() throws {
        lock.lock()
        state.computing = false
        let current = state
        lock.unlock()
        while current.handlerRecords { Thread.sleep(forTimeInterval: 3600) }
        if let stop = current.stopSignal { throw StopRequested(signalName: stop.name) }
    }

    private func update(_ change: (inout State) -> Void) {
        lock.lock()
        change(&state)
        lock.unlock()
    }

    // MARK: The handler's side

    /// Asks the job to stop (the first signal only); says what the handler is to do.
    public func requestStop(signal number: Int32, name: String) -> StopAction {
        lock.lock()
        defer { lock.unlock() }
        if state.ended { return .none }
        if state.stopSignal == nil { state.stopSignal = (number, name) }
        if state.computing {
            state.handlerRecords = true
            return .record(state)
        }
        return .cancel(cancelHandle)
    }
}

/// Records a stop that came while the job was computing (see `RunProgress`): on a connection
/// of its own, in one transaction, the step and the execution `failed` with "stopped by
/// SIGTERM during step X", the run `failed` (restartable), and the lease given up. The job
/// has no transaction open then, so nothing waits on its locks.
public struct RunStopper: Sendable {
    let config: ConnectionConfig
    let claim: LeaseClaim
    let logger: Logger

    /// Records the stop of `state` as `record(_:signalName:)` does, giving up after `seconds`
    /// (a server that stops answering holds a statement for ever: no server-side timeout helps).
    public func record(_ state: RunProgress.State, signalName: String, within seconds: Double) -> String {
        final class Line: @unchecked Sendable {   // written once by the thread, read after the semaphore
            var text: String?
        }
        let line = Line()
        let done = DispatchSemaphore(value: 0)
        Thread {
            line.text = self.record(state, signalName: signalName)
            done.signal()
        }.start()
        if done.wait(timeout: .now() + seconds) == .success, let text = line.text { return text }
        return unrecorded(state, signalName: signalName, cause: "within \(Int(seconds)) s")
    }

    /// The line of a stop that was not recorded (`cause`: why), as `record` says it.
    public func unrecorded(_ state: RunProgress.State, signalName: String, cause: String) -> String {
        RunStopper.line(runId: state.runId, executionId: state.executionId,
                        message: RunStopper.message(signalName: signalName, step: state.step),
                        step: state.step, scope: claim.scope, recorded: nil, cause: cause)
    }

    /// Records the stop of `state`; returns the line to print. On a failure (the database does
    /// not answer), says so: the next runner of the scope finds the execution dead.
    public func record(_ state: RunProgress.State, signalName: String) -> String {
        let message = RunStopper.message(signalName: signalName, step: state.step)
        func line(_ recorded: JobRepository.FailOutcome?, leaseReleased: Bool = true, cause: String? = nil) -> String {
            RunStopper.line(runId: state.runId, executionId: state.executionId, message: message, step: state.step,
                            scope: claim.scope, recorded: recorded, leaseReleased: leaseReleased, cause: cause)
        }
        guard let runId = state.runId, let executionId = state.executionId else { return line(nil) }
        do {
            var config = self.config
            if config.schema == nil { config.schema = state.home }
            let db = try Connection(config, logger: logger)
            defer { db.close() }
            let (outcome, released) = try db.transaction { tx in
                try JobRepository.boundWaits(tx)
                let outcome = try JobRepository.failRunningExecution(tx, runId: runId, executionId: executionId,
                                                                     step: state.step, started: state.stepStart,
                                                                     message: message)
                return (outcome, try ScopeLeases.release(tx, claim))
            }
            return line(outcome, leaseReleased: released)
        } catch {
            return line(nil, cause: "(\(error))")
        }
    }

    /// `stopped by SIGTERM during step candidates`.
    public static func message(signalName: String, step: Step) -> String {
        "stopped by \(signalName) during step \(step.rawValue)"
    }

    /// The line a stopped runner prints: which run and execution stopped (`message`), and what
    /// its record says: `recorded` is what was written (nil: nothing, for `cause`);
    /// `leaseReleased` false: the lease could not be given up (it expires by itself).
    public static func line(runId: Int64?, executionId: Int64?, message: String, step: Step, scope: String,
                            recorded: JobRepository.FailOutcome?, leaseReleased: Bool = true,
                            cause: String? = nil) -> String {
        guard let runId else {
            // Not known to this runner; a commit whose answer was lost may have started one.
            return "\(message); no run had started" + (cause == nil ? "" : ", unless a commit whose answer was lost "
                + "started one (`labourmatch runs list` shows it)")
        }
        let execution = executionId.map { ", execution \($0)" } ?? ""
        let what: String
        switch recorded {
        case .failed(let stepMarked)?:
            let marked = stepMarked ? "the step, the execution and the run are marked failed"
                : "the execution and the run are marked failed (step \(step.rawValue) had completed and stays so)"
            let lease = leaseReleased ? "and the lease of scope '\(scope)' is released"
                : "but the lease of scope '\(scope)' could not be released (it expires by itself)"
            what = "\(marked) \(lease); the run is restartable: `labourmatch run` with the same date, scope, policy "
                + "and strategy, without --rerun, resumes it"
        case .notRunning?:
            what = "the execution had already ended (sealed, or ended by another runner of scope '\(scope)'): "
                + "`labourmatch runs show \(runId)` says how"
        case nil:
            what = "the stop could not be recorded\(cause.map { " \($0)" } ?? ""): the next runner of scope "
                + "'\(scope)' marks the execution abandoned (from another host, once the lease expires)"
        }
        return "run \(runId)\(execution) \(message); \(what)"
    }
}
