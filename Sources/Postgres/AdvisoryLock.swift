import Foundation

extension Connection {
    /// Takes the session-level advisory lock `key` if no other session holds it; true when taken.
    public func tryAdvisoryLock(key: Int64) throws -> Bool {
        try query("SELECT pg_catalog.pg_try_advisory_lock($1::bigint)", params: [PostgresValue(key)])[0].decode(0, as: Bool.self)
    }

    /// Releases the session-level advisory lock `key`; false when this session did not hold it.
    @discardableResult
    public func advisoryUnlock(key: Int64) throws -> Bool {
        try query("SELECT pg_catalog.pg_advisory_unlock($1::bigint)", params: [PostgresValue(key)])[0].decode(0, as: Bool.self)
    }

    /// Waits up to `timeout` seconds for the advisory lock `key`, polling; true when taken.
    public func advisoryLock(key: Int64, timeout: Double, pollInterval: Double = 0.05) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try tryAdvisoryLock(key: key) { return true }
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: pollInterval)
        }
    }
}
