import Feeds
import Foundation
import Postgres
import Store
import Testing

/// A connection to the test's schema acting as `role` (`SET ROLE`, what the commands do).
private func connect(_ t: LoadDB, as role: DatabaseRole) throws -> Connection {
    try Connection(ConnectionConfig(conninfo: t.url()).acting(as: role))
}

/// Expects `sql` to fail with SQLSTATE `state`: 42501 a missing privilege, LM001 an append-only trigger.
func expectRefused(_ db: Connection, _ sql: String, _ state: String = "42501",
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let error = #expect(throws: PostgresError.self, "\(sql)", sourceLocation: sourceLocation) { try db.execute(sql) }
    #expect(error?.sqlState == state, "\(sql): \(String(describing: error))", sourceLocation: sourceLocation)
}

/// The roles of `Schema/0005_roles.sql` on a real server: each does its work and is refused the rest.
@Suite struct RoleTests {
    /// The loader loads every kind (inserts, new versions, withdrawals) and writes nothing of a run.
    @Test func loaderLoadsButCannotWriteRuns() throws {
        try LoadDB.with { t in
            let db = try connect(t, as: .loader)
            defer { db.close() }
            #expect(try db.query("SELECT current_user::text")[0].decode(0, as: String.self) == "labourmatch_loader")
            let loader = FeedLoader(connection: db, codes: systemCodes)
            for (kind, file) in [(FeedKind.employers, "employers.csv"), (.recruiters, "recruiters.csv"),
                                 (.vacancies, "vacancies.csv"), (.workers, "workers.ndjson"),
                                 (.minimumWages, "minimum-wages.csv"), (.fxRates, "fx-rates.csv")] {
                let report = try loader.load(kind: kind, path: fixturePath(file))
                #expect(report.feedId != nil && report.counts.inserted > 0, "\(file)")
            }
            // A snapshot of fewer rows: new versions of changed keys, withdrawals, retired versions.
            let dir = try scratchDir()
            let smaller = try writeFile(dir, "vacancies.csv", generatedVacancies(count: 3, title: "Nurse"))
            let report = try loader.load(kind: .vacancies, path: smaller, source: "vacancies")
            #expect(report.counts.withdrawn > 0 && report.counts.inserted == 3)
            let who = try writeFile(dir, "who-safeguards-2030.csv", "country,name,who_region\nNP,Nepal,SEAR\n")
            #expect(try loader.load(kind: .whoList, path: who).feedId != nil)

            expectRefused(db, "INSERT INTO job_instances (job_name, run_date, scope, policy_sha256, strategy, policy_text) "
                          + "VALUES ('x', '2026-11-29', 'default', repeat('a', 64), 'stable', '')")
            expectRefused(db, "INSERT INTO run_matches (run_id, worker_id, vacancy_id, fit_micro, worker_rank, occupation, "
                          + "skills, experience, languages, education) VALUES (1, 'W', 'V', 1, 1, '0', '0', '0', '0', '0')")
            expectRefused(db, "UPDATE runs SET status = 'failed'")
            expectRefused(db, "SELECT count(*) FROM run_matches")
            expectRefused(db, "DELETE FROM run_leases")
            // Its own tables only in the ways a load writes them.
            expectRefused(db, "UPDATE vacancy_versions SET title = 'changed'")
            expectRefused(db, "UPDATE feeds SET source = 'elsewhere'")
            expectRefused(db, "DELETE FROM feed_rejections")
            expectRefused(db, "TRUNCATE vacancies CASCADE")
        }
    }

    /// The runner reads the inputs and the loads' records, and cannot change anything a load wrote.
    @Test func runnerCannotChangeFeeds() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.vacancies, fixturePath("vacancies.csv"))
            let db = try connect(t, as: .runner)
            defer { db.close() }
            #expect(try db.query("SELECT count(*) FROM current_vacancies")[0].decode(0, as: Int.self) > 0)
            // It reads the loads' records (the report lists the loads a run read: 0014), not their rejected rows.
            #expect(try db.query("SELECT count(*) FROM feeds WHERE kind = 'vacancies'")[0].decode(0, as: Int.self) == 1)
            expectRefused(db, "UPDATE feeds SET rows_read = rows_read")
            expectRefused(db, "INSERT INTO feeds (kind, source, file_name, file_bytes, file_sha256, format, mode, "
                          + "iso_codes_version, started_at, finished_at) VALUES ('employers', 's', 'f', 1, "
                          + "repeat('a', 64), 'csv', 'delta', '1', now(), now())")
            expectRefused(db, "DELETE FROM feed_rejections")
            expectRefused(db, "UPDATE vacancy_versions SET is_current = false")
            expectRefused(db, "INSERT INTO employers (employer_id) VALUES ('E-new')")
            expectRefused(db, "SELECT raw FROM feed_rejections")
        }
    }

    /// The auditor reads runs, results and loads, not the raw rejected rows of workers, and writes nothing at all.
    @Test func auditorReadsButWritesNothing() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let workers = try t.load(.workers, fixturePath("bad/workers-rows.csv"))
            let vacancies = try t.load(.vacancies, fixturePath("bad/vacancies-rows.csv"))
            let tables = try t.strings("""
                SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename
                """)
            let db = try connect(t, as: .auditor)
            defer { db.close() }
            #expect(try db.query("SELECT count(*) FROM feeds")[0].decode(0, as: Int.self) == 4)
            #expect(try db.query("SELECT count(*) FROM worker_versions")[0].decode(0, as: Int.self) > 0)
            #expect(try db.query("SELECT count(*) FROM run_matches")[0].decode(0, as: Int.self) == 0)
            // Rejected rows: reason and line, never the raw text of a workers row.
            expectRefused(db, "SELECT raw FROM feed_rejections")
            expectRefused(db, "SELECT detail FROM feed_rejections")
            let seen = try db.query("""
                SELECT kind, count(*), count(raw), count(detail) FROM audit_feed_rejections GROUP BY kind ORDER BY kind
                """).map { [try $0.decode(0, as: String.self), String(try $0.decode(1, as: Int.self)),
                             String(try $0.decode(2, as: Int.self)), String(try $0.decode(3, as: Int.self))] }
            let v = String(vacancies.counts.rejected), w = String(workers.counts.rejected)
            #expect(seen == [["vacancies", v, v, v], ["workers", w, "0", "0"]])
            #expect(tables.count > 20)
            for table in tables where table != "schema_migrations" {
                expectRefused(db, "INSERT INTO \(table) DEFAULT VALUES")
                expectRefused(db, "DELETE FROM \(table)")
                expectRefused(db, "TRUNCATE \(table) CASCADE")
            }
        }
    }

    /// A login that is not a member of the role is told what to grant; once granted, the command works.
    @Test func loginWithoutTheRoleIsToldWhatToGrant() throws {
        let login = "lm_test_login_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let admin = try TestDatabase.connect()
        defer {
            _ = try? admin.execute("DROP ROLE IF EXISTS \(login)")
            admin.close()
        }
        try admin.execute("CREATE ROLE \(login) LOGIN")
        try LoadDB.with { t in
            let url = LoginURL.replacingUser(t.url(), with: login)
            let refused = try runLabourmatch(["load", "employers", fixturePath("employers.csv"), "--database-url", url])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("42501"), "\(refused.stderr)")
            #expect(refused.stderr.contains("is not a member of role labourmatch_loader: grant labourmatch_loader to \(login)"),
                    "\(refused.stderr)")
            let roles = try runLabourmatch(["db", "roles", "--database-url", url])
            #expect(roles.status == 1)
            #expect(roles.stdout.contains("labourmatch_loader"), "\(roles.stdout)")
            #expect(roles.stderr.contains("GRANT labourmatch_loader TO \(login);"), "\(roles.stderr)")

            try admin.execute("GRANT labourmatch_loader TO \(login)")
            let loaded = try runLabourmatch(["load", "employers", fixturePath("employers.csv"), "--database-url", url])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            #expect(try t.int("SELECT count(*) FROM employers") > 0)
            // The loader's login still cannot audit: feeds list acts as the auditor.
            #expect(try runLabourmatch(["feeds", "list", "--database-url", url]).status == 1)
        }
    }

    /// Roles are the cluster's, their privileges the database's: on a database never migrated,
    /// db roles says that no role holds its privileges there, with status 1 (it said 0).
    @Test func rolesWithoutPrivilegesHereAreNamed() throws {
        let admin = try TestDatabase.connect()
        defer { admin.close() }
        let bare = "lm_roles_bare_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try admin.execute("CREATE DATABASE \(bare)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(bare) WITH (FORCE)") }
        let url = LoginURL.replacingDatabase(TestDatabase.config().conninfo, with: bare)
        let roles = try runLabourmatch(["db", "roles", "--database-url", url])
        #expect(roles.status == 1, "\(roles.stdout)\(roles.stderr)")
        let names = DatabaseRole.allCases.map(\.name).joined(separator: ", ")
        #expect(roles.stderr.contains("\(names) hold none of their privileges in schema public, where this session looks for "
                                      + "LabourMatch's tables: it was not migrated here"), "\(roles.stderr)")
        #expect(try runLabourmatch(["db", "migrate", "--database-url", url]).status == 0)
        let migrated = try runLabourmatch(["db", "roles", "--database-url", url])
        #expect(migrated.status == 0 && migrated.stderr.isEmpty, "\(migrated.stderr)")
    }
}
