import Postgres
import Testing

/// Advisory locks exclude a second session until released.
@Suite struct AdvisoryLockTests {
    @Test func onlyOneOfTwoConnectionsWins() throws {
        let a = try TestDatabase.connect()
        let b = try TestDatabase.connect()
        defer { a.close(); b.close() }
        // A key no other test uses, so parallel tests cannot interfere.
        let key = Int64.random(in: 1_000_000...Int64.max)
        let first = try a.tryAdvisoryLock(key: key)
        let second = try b.tryAdvisoryLock(key: key)
        #expect(first && !second)
        #expect(try b.advisoryUnlock(key: key) == false)   // b never held it
        #expect(try a.advisoryUnlock(key: key))
        #expect(try b.tryAdvisoryLock(key: key))
        #expect(try a.advisoryLock(key: key, timeout: 0.2) == false)
        // Closing the holder's session frees the lock.
        b.close()
        #expect(try a.advisoryLock(key: key, timeout: 5))
    }
}
