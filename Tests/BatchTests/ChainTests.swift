import Batch
import Foundation
import Postgres
import Store
import Testing

/// Expects `sql` to fail with SQLSTATE `state` (LM001: an append-only trigger; 42501: a missing privilege).
private func expectRefused(_ db: Connection, _ sql: String, _ state: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let error = #expect(throws: PostgresError.self, "\(sql)", sourceLocation: sourceLocation) { try db.execute(sql) }
    #expect(error?.sqlState == state, "\(sql): \(String(describing: error))", sourceLocation: sourceLocation)
}

/// The run record is append-only and every succeeded run is a link of the hash chain that `verify` checks.
@Suite struct ChainTests {
    @Test func runsAreLinkedAndFinal() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let first = try fixture.run(out: "one")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("chain: link 1, chain_sha256 "), "\(first.stdout)")
        let second = try fixture.run(out: "two", ["--rerun"])
        #expect(second.status == 0, "\(second.stderr)")
        let ids = try fixture.rows("SELECT run_id::text FROM runs ORDER BY run_id").map { $0[0] }
        #expect(ids.count == 2)

        let verified = try fixture.command(["verify", ids[1]])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("chain: link 2 holds"), "\(verified.stdout)")
        #expect(verified.stdout.contains("linked to run \(ids[0])"), "\(verified.stdout)")
        let chain = try fixture.command(["verify", "--chain"])
        #expect(chain.status == 0, "\(chain.stdout)\(chain.stderr)")
        #expect(chain.stdout.contains("all 2 links hold; head: link 2, run \(ids[1])"), "\(chain.stdout)")

        // A succeeded run, its executions and steps are final, even for the owner.
        let db = try fixture.database.connect()
        defer { db.close() }
        expectRefused(db, "UPDATE runs SET status = 'failed'", "LM001")
        expectRefused(db, "UPDATE runs SET report_dir = '/elsewhere'", "LM001")
        expectRefused(db, "DELETE FROM runs", "LM001")
        expectRefused(db, "UPDATE run_executions SET status = 'running'", "LM001")
        expectRefused(db, "UPDATE run_steps SET duration_ms = 0", "LM001")
        expectRefused(db, "UPDATE run_summaries SET summary_json = '{}'", "LM001")
        expectRefused(db, "DELETE FROM run_snapshot", "LM001")
        expectRefused(db, "UPDATE job_instances SET policy_text = ''", "LM001")
        // The runner may not touch what loads wrote.
        let runner = try Connection(ConnectionConfig(conninfo: fixture.database.conninfo).acting(as: .runner))
        defer { runner.close() }
        expectRefused(runner, "UPDATE feeds SET rows_read = 0", "42501")
        expectRefused(runner, "DELETE FROM worker_versions", "42501")
    }

    @Test func verifyNamesTheRunAndTheLinkThatBreak() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "one").status == 0)
        #expect(try fixture.run(out: "two", ["--rerun"]).status == 0)
        let ids = try fixture.rows("SELECT run_id::text FROM runs ORDER BY run_id").map { $0[0] }
        let db = try fixture.database.connect()
        defer { db.close() }

        // As a superuser could: triggers off, one exclusion of the first run changed.
        try db.execute("SET session_replication_role = replica")
        let changed = try db.execute("""
            UPDATE run_exclusions SET reason = 'TAMPERED'
            WHERE ctid = (SELECT ctid FROM run_exclusions WHERE run_id = $1 LIMIT 1)
            """, params: [PostgresValue(text: ids[0], type: .int8)])
        #expect(changed == 1)
        let bad = try fixture.command(["verify", ids[0]])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("chain: run \(ids[0]) FAILS"), "\(bad.stdout)")
        #expect(bad.stdout.contains("run \(ids[0]): its stored rows no longer hash"), "\(bad.stdout)")
        let chain = try fixture.command(["verify", "--chain"])
        #expect(chain.status == 1)
        #expect(chain.stdout.contains("1 of 2 links FAIL"), "\(chain.stdout)")

        // Rewriting the first run's hashes to fit its new rows breaks the link the second run holds.
        guard let run = try JobRepository.run(db, runId: Int64(ids[0])!),
              let outputs = try RunChain.outputsSHA256(db, run: run) else {
            Issue.record("run \(ids[0]) has no results")
            return
        }
        try db.execute("UPDATE runs SET outputs_sha256 = $2, chain_sha256 = $3 WHERE run_id = $1",
                       params: [PostgresValue(text: ids[0], type: .int8), PostgresValue(outputs),
                                PostgresValue(RunChain.chainSHA256(previous: nil, outputs: outputs))])
        try db.execute("RESET session_replication_role")
        let own = try fixture.command(["verify", ids[0]])
        #expect(own.stdout.contains("does NOT match its recomputation"), "\(own.stdout)")
        let next = try fixture.command(["verify", ids[1]])
        #expect(next.status == 1)
        #expect(next.stdout.contains("link 1 -> 2 (run \(ids[0]) -> run \(ids[1])) is broken"), "\(next.stdout)")
    }
}
