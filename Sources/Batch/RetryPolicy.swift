import Foundation
import Postgres

/// How transient database errors are retried: a bounded number of attempts with
/// exponential back-off. Everything else fails at once.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Seconds before the second attempt; each later wait doubles, up to `maxDelay`.
    public var initialDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 5, initialDelay: Double = 0.5, maxDelay: Double = 8) {
        self.maxAttempts = max(1, maxAttempts); self.initialDelay = initialDelay; self.maxDelay = maxDelay
    }

    /// Seconds to wait after failed attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Double {
        min(maxDelay, initialDelay * pow(2, Double(max(0, attempt - 1))))
    }

    /// Whether `error` may go away when the work is done again on a new connection: a
    /// lost connection (or one that cannot be opened again yet), a serialization
    /// failure, a deadlock. Not a connection that can never be opened (a bad URL, a database
    /// that does not exist, a refused login).
    public static func isTransient(_ error: any Error) -> Bool {
        guard let e = error as? PostgresError else { return false }
        if e.isPermanentConnectionFailure { return false }
        return e.isConnectionLost || e.kind == .connectionFailed || e.isSerializationFailure || e.sqlState == "40P01"
    }
}

/// Test-only fault injection, read from the environment; never set it in production.
///
/// - `LABOURMATCH_TEST_KILL_AT_STEP=<point>`: the process sends itself SIGKILL at that point.
/// - `LABOURMATCH_TEST_PAUSE_AT_STEP=<point>`: the process sleeps there once,
///   `LABOURMATCH_TEST_PAUSE_SECONDS` seconds (default 5); with
///   `LABOURMATCH_TEST_PAUSE_WHILE=<file>`, as long as that file exists instead (at most
///   120 s), so a test decides when the pause ends rather than racing a clock.
///
/// A point is a step name (the start of that step: `lock`, `snapshot`, `rules`,
/// `candidates`, `assign`, `persist`, `report`), `engine` (inside the rules step, while the
/// engine computes: no transaction open), `persist.copy` (inside the persist transaction,
/// before the first COPY; the lease fence comes after the writes) or `sealed` (just after the
/// report step's commit). A pause ends early when a stop signal comes.
public struct TestHooks: Sendable {
    public var killAt: String?
    public var pauseAt: String?
    public var pauseSeconds: Double
    public var pauseWhile: String?
    /// True when the job was asked to stop: a pause ends early (as a real step would be cut short).
    public var interrupted: (@Sendable () -> Bool)?
    private var paused = false

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        killAt = environment["LABOURMATCH_TEST_KILL_AT_STEP"].flatMap { $0.isEmpty ? nil : $0 }
        pauseAt = environment["LABOURMATCH_TEST_PAUSE_AT_STEP"].flatMap { $0.isEmpty ? nil : $0 }
        pauseSeconds = environment["LABOURMATCH_TEST_PAUSE_SECONDS"].flatMap(Double.init) ?? 5
        pauseWhile = environment["LABOURMATCH_TEST_PAUSE_WHILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Kills or pauses the process when `point` is the one named.
    mutating func reach(_ point: String) {
        if point == killAt {
            Console.error("labourmatch: test hook: killing the process at \(point)\n")
            kill(getpid(), SIGKILL)
        }
        if point == pauseAt && !paused {
            paused = true
            if let file = pauseWhile {
                Console.error("labourmatch: test hook: pausing at \(point) while \(file) exists\n")
                let end = Date().addingTimeInterval(120)
                while FileManager.default.fileExists(atPath: file), Date() < end, interrupted?() != true {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            } else {
                Console.error("labourmatch: test hook: pausing \(pauseSeconds) s at \(point)\n")
                let end = Date().addingTimeInterval(pauseSeconds)
                while Date() < end, interrupted?() != true {
                    Thread.sleep(forTimeInterval: min(0.05, max(0, end.timeIntervalSinceNow)))
                }
            }
        }
    }
}
