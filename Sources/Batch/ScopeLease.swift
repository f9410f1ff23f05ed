import Foundation
import Postgres

/// What a runner claims when it asks for a scope's lease: who it is and for how long.
public struct LeaseClaim: Sendable, Hashable {
    public var scope: String
    /// A random token of this runner process: the lease is its while the row holds it.
    public var token: String
    public var host: String
    public var pid: Int
    /// How long the lease lasts without a heartbeat.
    public var seconds: Double

    public init(scope: String, token: String = ProcessIdentity.newToken(), host: String = ProcessIdentity.host,
                pid: Int = ProcessIdentity.pid, seconds: Double) {
        self.scope = scope; self.token = token; self.host = host; self.pid = pid; self.seconds = seconds
    }
}

/// Who holds a scope's lease, as the `run_leases` row says.
public struct LeaseHolder: Sendable, Hashable, CustomStringConvertible {
    public var scope: String
    public var token: String
    public var executionId: Int64?
    public var host: String
    public var pid: Int
    public var acquiredAt: Date
    public var heartbeatAt: Date
    public var expiresAt: Date

    /// `host web1, pid 4242, since 2026-11-29T01:00:00Z (execution 7), last heartbeat ..., lease expires ...`.
    public var description: String {
        let f = ISO8601DateFormatter()
        let execution = executionId.map { " (execution \($0))" } ?? ""
        return "host \(TerminalText.message(host)), pid \(pid), since \(f.string(from: acquiredAt))\(execution), "
            + "last heartbeat \(f.string(from: heartbeatAt)), lease expires \(f.string(from: expiresAt))"
    }
}

/// The outcome of asking for a lease.
public enum LeaseOutcome: Sendable, Hashable {
    case acquired
    case held(by: LeaseHolder)
}

/// One run per scope at a time: a lease row in `run_leases` with a heartbeat and an
/// expiry (the design of River's leader table; see `Schema/0003_runs.sql` for why
/// not an advisory lock). All times are the server's.
public enum ScopeLeases {
    /// Takes the scope's lease when it is free, expired, already this claim's, or held
    /// by a process of this host, PID namespace and boot that no longer exists (`isAlive`
    /// says; a crashed runner then blocks nobody). Otherwise returns who holds it.
    public static func acquire(_ db: Connection, _ claim: LeaseClaim,
                               isAlive: (Int) -> Bool = ProcessIdentity.isAlive) throws -> LeaseOutcome {
        let first = try take(db, claim, replacing: nil)
        if first == true { return .acquired }
        guard let holder = try holder(db, scope: claim.scope) else {
            // Released between the two statements: ask once more.
            return try take(db, claim, replacing: nil) == true ? .acquired : try acquire(db, claim, isAlive: isAlive)
        }
        // A row locked past the wait has a holder committing right now: held, without a second
        // wait (two made it 10 s, not the 5 s README gives). A holder's process is looked for
        // only when it ran in this process space (same host name, PID namespace and boot):
        // another container of the same host name has its own process ids.
        if first != nil, holder.host == claim.host, holder.pid != claim.pid,
           ProcessIdentity.sameProcessSpace(holder.token, claim.token), !isAlive(holder.pid),
           try take(db, claim, replacing: holder.token) == true {
            return .acquired
        }
        return .held(by: holder)
    }

    /// One atomic attempt: insert the row, or take it over when it expired, is ours,
    /// or is held by `replacing` (a holder found dead). True when the row is now ours.
    /// The row is locked only while a holder commits its results (`renew` in the persist
    /// step's transaction); a holder stalled just then must not stall this runner too, so
    /// after `lockWaitSeconds` the row counts as held (nil: the wait ran out).
    private static func take(_ db: Connection, _ claim: LeaseClaim, replacing dead: String?) throws -> Bool? {
        do {
            return try db.transaction { tx in
                try tx.execute("SELECT set_config('lock_timeout', $1, true)",
                               params: [PostgresValue("\(Int(lockWaitSeconds * 1000))")])
                return try takeStatement(tx, claim, replacing: dead)
            }
        } catch let error as PostgresError where error.sqlState == "55P03" {
            return nil
        }
    }

    /// How long `take` waits for a lease row that a holder has locked.
    public static let lockWaitSeconds = 5.0

    private static func takeStatement(_ db: Connection, _ claim: LeaseClaim, replacing dead: String?) throws -> Bool {
        !(try db.query("""
            INSERT INTO run_leases (scope, holder, host, pid, acquired_at, heartbeat_at, expires_at)
            VALUES ($1, $2, $3, $4, now(), now(), now() + make_interval(secs => $5))
            ON CONFLICT (scope) DO UPDATE
                SET holder = EXCLUDED.holder, execution_id = NULL, host = EXCLUDED.host, pid = EXCLUDED.pid,
                    acquired_at = EXCLUDED.acquired_at, heartbeat_at = EXCLUDED.heartbeat_at,
                    expires_at = EXCLUDED.expires_at
                WHERE run_leases.expires_at < now() OR run_leases.holder = EXCLUDED.holder
                   OR run_leases.holder = $6
            RETURNING holder
            """, params: [PostgresValue(claim.scope), PostgresValue(claim.token), PostgresValue(claim.host),
                          PostgresValue(claim.pid), PostgresValue(claim.seconds), dead.map { PostgresValue($0) }])
            .isEmpty)
    }

    /// Extends the lease by `claim.seconds` from now (the clock's now, not the transaction's
    /// start); false when it is no longer this claim's. Inside a transaction this also locks
    /// the row until commit: the persist step's fence, taken as its last statement so that
    /// the heartbeat can renew the lease while the results are written.
    public static func renew(_ db: Connection, _ claim: LeaseClaim) throws -> Bool {
        try db.execute("""
            UPDATE run_leases SET heartbeat_at = clock_timestamp(),
                                  expires_at = clock_timestamp() + make_interval(secs => $3)
            WHERE scope = $1 AND holder = $2
            """, params: [PostgresValue(claim.scope), PostgresValue(claim.token), PostgresValue(claim.seconds)]) == 1
    }

    /// Notes which execution holds the lease (for the message a second runner prints).
    public static func attach(_ db: Connection, _ claim: LeaseClaim, executionId: Int64) throws {
        try db.execute("UPDATE run_leases SET execution_id = $3 WHERE scope = $1 AND holder = $2",
                       params: [PostgresValue(claim.scope), PostgresValue(claim.token), PostgresValue(executionId)])
    }

    /// Gives the lease up (when it is still this claim's); true when it was.
    @discardableResult
    public static func release(_ db: Connection, _ claim: LeaseClaim) throws -> Bool {
        try db.execute("DELETE FROM run_leases WHERE scope = $1 AND holder = $2",
                       params: [PostgresValue(claim.scope), PostgresValue(claim.token)]) == 1
    }

    /// The scope's lease row, expired or not, or nil when there is none.
    public static func holder(_ db: Connection, scope: String) throws -> LeaseHolder? {
        try db.query("""
            SELECT scope, holder, execution_id, host, pid, acquired_at, heartbeat_at, expires_at
            FROM run_leases WHERE scope = $1
            """, params: [PostgresValue(scope)]).first.map { r in
            LeaseHolder(scope: try r.decode(0), token: try r.decode(1), executionId: try r.decodeIfPresent(2),
                        host: try r.decode(3), pid: try r.decode(4), acquiredAt: try r.decode(5),
                        heartbeatAt: try r.decode(6), expiresAt: try r.decode(7))
        }
    }
}

/// This process as a lease holder sees it: host name and process id.
public enum ProcessIdentity {
    /// The host name (`gethostname`), else `unknown-host`.
    public static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// This process's id.
    public static var pid: Int { Int(getpid()) }

    /// Where this process's id means something: its PID namespace and the boot
    /// (`pid:[4026531836] 0b1f...`); nil when `/proc` does not say.
    public static let processSpace: String? = {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/self/ns/pid", &buffer, buffer.count - 1)
        guard n > 0, let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else {
            return nil
        }
        let namespace = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return namespace + " " + boot.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// A lease token: random, after this process's space (`processSpace` + `/`) when known.
    public static func newToken() -> String {
        (processSpace.map { $0 + "/" } ?? "") + UUID().uuidString
    }

    /// Whether two lease tokens were made in the same known process space.
    public static func sameProcessSpace(_ a: String, _ b: String) -> Bool {
        guard let i = a.lastIndex(of: "/"), let j = b.lastIndex(of: "/") else { return false }
        return a[..<i] == b[..<j]
    }

    /// Whether process `pid` exists on this host (a signal 0 reaches it, or it belongs to another user).
    public static func isAlive(_ pid: Int) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }
}
