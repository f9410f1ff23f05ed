import Batch
import Feeds
import Foundation
import Matching
import Postgres
import Store
import Testing

/// The scope lease and the run snapshot through their APIs, in a migrated schema of their own.
@Suite struct LeaseAndSnapshotTests {
    func withMigratedSchema(_ body: (Connection) throws -> Void) throws {
        try TestDatabase.withSchema { db, _ in
            try Migrator().migrate(db)
            try body(db)
        }
    }

    @Test func leaseIsExclusiveUntilItExpires() throws {
        try withMigratedSchema { db in
            let a = LeaseClaim(scope: "default", host: "host-a", pid: 100, seconds: 30)
            let b = LeaseClaim(scope: "default", host: "host-b", pid: 200, seconds: 30)
            #expect(try ScopeLeases.acquire(db, a) == .acquired)
            #expect(try ScopeLeases.acquire(db, a) == .acquired, "a holder may take its own lease again")
            guard case .held(let holder) = try ScopeLeases.acquire(db, b) else {
                Issue.record("b took a held lease")
                return
            }
            #expect(holder.host == "host-a" && holder.pid == 100 && holder.token == a.token)
            #expect(holder.expiresAt > holder.acquiredAt)
            // Another scope is free.
            #expect(try ScopeLeases.acquire(db, LeaseClaim(scope: "other", host: "host-b", pid: 200, seconds: 30)) == .acquired)
            #expect(try ScopeLeases.renew(db, a))

            // a stops beating: once its lease expires, b takes it, and a can no longer renew.
            try db.execute("UPDATE run_leases SET expires_at = now() - interval '1 second' WHERE holder = $1",
                           params: [PostgresValue(a.token)])
            #expect(try ScopeLeases.acquire(db, b) == .acquired)
            #expect(try !ScopeLeases.renew(db, a))
            try ScopeLeases.release(db, a)   // not a's any more: nothing happens
            #expect(try ScopeLeases.holder(db, scope: "default")?.token == b.token)
            try ScopeLeases.release(db, b)
            #expect(try ScopeLeases.holder(db, scope: "default") == nil)
        }
    }

    /// A holder stalled while it holds the lease row locked (between its persist step's fence
    /// and its commit) does not stall another runner: after a short wait the lease counts as held.
    @Test func aLockedLeaseRowCountsAsHeldAfterAShortWait() throws {
        try TestDatabase.withSchema { db, schema in
            try Migrator().migrate(db)
            let a = LeaseClaim(scope: "default", host: "host-a", pid: 100, seconds: 30)
            let b = LeaseClaim(scope: "default", host: "host-b", pid: 200, seconds: 30)
            #expect(try ScopeLeases.acquire(db, a) == .acquired)
            // a's lease has expired, but a's transaction holds the row locked.
            try db.execute("UPDATE run_leases SET expires_at = now() - interval '1 second'")
            try db.execute("BEGIN")
            #expect(try ScopeLeases.renew(db, a))
            let other = try TestDatabase.connect()
            defer { other.close() }
            try other.execute("SET search_path TO \(schema)")
            let started = Date()
            let outcome = try ScopeLeases.acquire(other, b)
            let waited = Date().timeIntervalSince(started)
            try db.execute("ROLLBACK")
            guard case .held(let holder) = outcome else {
                Issue.record("b took a locked lease row")
                return
            }
            #expect(holder.token == a.token)
            #expect(waited >= ScopeLeases.lockWaitSeconds - 0.5 && waited < ScopeLeases.lockWaitSeconds + 6, "\(waited)")
            // A dead holder of this host (a is pid 100 of host-a) waits no longer: one wait, not two.
            let sameHost = LeaseClaim(scope: "default", token: String(a.token[..<a.token.lastIndex(of: "/")!]) + "/" + UUID().uuidString,
                                      host: "host-a", pid: 300, seconds: 30)
            try db.execute("BEGIN")
            #expect(try ScopeLeases.renew(db, a))
            let again = Date()
            #expect(try ScopeLeases.acquire(other, sameHost, isAlive: { _ in false }) != .acquired)
            // Two waits would be twice the bound; the rest is slack for a loaded machine.
            #expect(Date().timeIntervalSince(again) < ScopeLeases.lockWaitSeconds * 1.8, "\(Date().timeIntervalSince(again))")
            try db.execute("ROLLBACK")
            // Unlocked, the expired lease is b's.
            #expect(try ScopeLeases.acquire(other, b) == .acquired)
        }
    }

    @Test func deadHolderOnThisHostIsReplacedAtOnce() throws {
        try withMigratedSchema { (db: Connection) throws in
            let crashed = LeaseClaim(scope: "default", host: "h", pid: 100, seconds: 3600)
            let next = LeaseClaim(scope: "default", host: "h", pid: 200, seconds: 3600)
            let remote = LeaseClaim(scope: "default", host: "elsewhere", pid: 300, seconds: 3600)
            #expect(try ScopeLeases.acquire(db, crashed) == .acquired)
            // A live holder, or one on another host (whose processes we cannot see), keeps it.
            #expect(try ScopeLeases.acquire(db, next, isAlive: { _ in true }) != .acquired)
            #expect(try ScopeLeases.acquire(db, remote, isAlive: { _ in false }) != .acquired)
            // Nor one of the same host name in another PID namespace (a container): its pid 100
            // is not this one's (it took the lease at once from a live runner).
            let container = LeaseClaim(scope: "default", token: "pid:[1] other-boot/\(UUID().uuidString)", host: "h",
                                       pid: 400, seconds: 3600)
            #expect(try ScopeLeases.acquire(db, container, isAlive: { $0 != 100 }) != .acquired)
            #expect(try ScopeLeases.acquire(db, next, isAlive: { $0 != 100 }) == .acquired)
            #expect(try ScopeLeases.holder(db, scope: "default")?.pid == 200)
        }
        #expect(ProcessIdentity.isAlive(ProcessIdentity.pid))
        #expect(try #require(ProcessIdentity.processSpace).hasPrefix("pid:["), "Linux names its PID namespace")
        #expect(ProcessIdentity.sameProcessSpace(ProcessIdentity.newToken(), ProcessIdentity.newToken()))
        #expect(!ProcessIdentity.sameProcessSpace(UUID().uuidString, UUID().uuidString), "unknown spaces are not the same")
    }

    /// A run row to hang a snapshot on.
    func newRun(_ db: Connection) throws -> Int64 {
        let key = JobInstanceKey(runDate: Day("2026-11-29")!, scope: "default",
                                 policySHA256: RunInputs.sha256Hex(Policy.default.canonicalText), strategy: .stable)
        let instance = try JobRepository.instance(db, key: key, policyText: Policy.default.canonicalText)
        #expect(try JobRepository.instance(db, key: key, policyText: Policy.default.canonicalText) == instance)
        return try JobRepository.createRun(db, instanceId: instance, engineVersion: MatchingEngine.version)
    }

    @Test func snapshotReadsWhatTheFilesGiveAndKeepsItsVersions() throws {
        let files = try FixtureSeeder.fixtureInputs()
        try withMigratedSchema { db in
            try FixtureSeeder.seedFixtures(db)
            let runId = try newRun(db)
            let taken = try db.transaction(isolation: .repeatableRead) { try RunSnapshot.take($0, runId: runId) }
            // Equal fingerprints: the same rows, values and WHO list as the offline reader gives.
            #expect(taken.input.fingerprintText == files.input.fingerprintText)
            #expect(taken.inputSHA256 == files.inputSHA256)
            #expect(taken.input.whoListEdition == "2023")
            #expect(taken.rows == NightlyRunTests.fixtureRows)

            // Lists come back in feed order (preferred destinations carry meaning).
            let byId = Dictionary(uniqueKeysWithValues: taken.input.workers.map { ($0.id, $0) })
            for w in files.input.workers { #expect(byId[w.id] == w) }

            // A later version, or a withdrawn row, does not change what the run recorded.
            var changed = files.input.workers[0]
            changed.birthYear -= 1
            try FixtureSeeder.writeNewVersion(db, of: changed)
            try FixtureSeeder.withdraw(db, vacancy: files.input.vacancies[0].id)
            #expect(try RunSnapshot.input(db, runId: runId).fingerprintText == files.input.fingerprintText)

            // A new snapshot takes the new version and leaves the withdrawn vacancy out.
            let second = try newRun(db)
            let now = try db.transaction(isolation: .repeatableRead) { try RunSnapshot.take($0, runId: second) }
            #expect(now.input.workers.first { $0.id == changed.id } == changed)
            #expect(now.input.vacancies.count == files.input.vacancies.count - 1)
            #expect(try RunSnapshot.counts(db, runId: second)["worker"] == files.input.workers.count)
        }
    }

    @Test func storedResultsReadBackEqual() async throws {
        let files = try FixtureSeeder.fixtureInputs()
        let result = await MatchingEngine.run(input: files.input, policy: files.policy, date: Day("2026-11-29")!,
                                              strategy: .stable)
        let results = RunResults(result: result, policySHA256: files.policySHA256, inputSHA256: files.inputSHA256)
        #expect(results.matchesCSV == OutputFiles.matchesCSV(result))
        #expect(results.exclusionsCSV == OutputFiles.exclusionsCSV(result))
        try withMigratedSchema { db in
            let runId = try newRun(db)
            #expect(try RunResults.read(db, runId: runId) == nil)
            let written = try db.transaction { try results.write($0, runId: runId) }
            #expect(written == results.matches.count + results.topCandidates.count + results.participants.count
                    + results.exclusions.count + 1)
            #expect(try RunResults.read(db, runId: runId) == results)
            // The breakdown view turns exact ratios into numbers in [0, 1].
            #expect(try db.query("""
                SELECT count(*) FROM run_match_breakdowns
                WHERE least(occupation, skills, experience, languages, education) < 0
                   OR greatest(occupation, skills, experience, languages, education) > 1
                """)[0].decode(0, as: Int.self) == 0)
        }
    }
}
