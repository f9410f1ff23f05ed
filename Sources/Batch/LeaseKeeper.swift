import Foundation
import Logging
import Postgres

/// Keeps a lease alive: renews it every `interval` seconds from its own thread and
/// its own connection, so a long step, a busy engine or a dropped work connection
/// never lets it lapse. When a renewal finds the lease taken over, `lost` says so.
///
/// `@unchecked Sendable`: its mutable state (`stopping`, `lostReason`, `done`) is
/// read and written only under `condition`; the connection lives on the keeper's thread.
public final class LeaseKeeper: @unchecked Sendable {
    private let config: ConnectionConfig
    private let claim: LeaseClaim
    private let interval: Double
    private let applicationName: String
    private let logger: Logger
    private let condition = NSCondition()
    private var stopping = false
    private var done = false
    private var lostReason: String?

    public init(config: ConnectionConfig, claim: LeaseClaim, interval: Double, applicationName: String,
                logger: Logger) {
        self.config = config; self.claim = claim; self.interval = interval
        self.applicationName = applicationName; self.logger = logger
    }

    /// Starts renewing.
    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "lease heartbeat"
        thread.start()
    }

    /// Why the lease is no longer this runner's, or nil while it is.
    public var lost: String? {
        condition.lock()
        defer { condition.unlock() }
        return lostReason
    }

    /// Stops renewing and waits for the thread to end.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        var db: Connection?
        while true {
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            let stop = stopping
            condition.unlock()
            if stop { break }
            do {
                if db == nil || db?.isOpen == false {
                    db?.close()
                    db = try Connection(config, logger: logger)
                    try db?.setApplicationName(applicationName)
                    // A renewal that waits on a locked lease row (a holder committing) gives up
                    // after 5 s and tries at the next beat: `stop()` never waits longer.
                    try db?.execute("SELECT set_config('lock_timeout', '5s', false)")
                }
                if let db, try !ScopeLeases.renew(db, claim) {
                    condition.lock()
                    lostReason = "the lease of scope '\(claim.scope)' was taken over by another runner"
                    condition.unlock()
                    logger.warning("lease lost", metadata: ["scope": "\(claim.scope)"])
                    break
                }
                logger.trace("lease renewed", metadata: ["scope": "\(claim.scope)"])
            } catch {
                // The next beat reconnects; the lease outlives a few missed beats.
                logger.warning("lease heartbeat failed; retrying",
                               metadata: ["scope": "\(claim.scope)", "error": TerminalText.logValue(error)])
                db?.close()
                db = nil
            }
        }
        db?.close()
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }
}
