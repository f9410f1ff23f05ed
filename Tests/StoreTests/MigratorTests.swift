import Foundation
import Postgres
import Store
import Testing

/// The migrator applies numbered files once, in order, and refuses edited history.
@Suite struct MigratorTests {
    /// A temporary Schema directory with the given files.
    final class SchemaDir {
        let url: URL
        init(_ files: [String: String]) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("lm-schema-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (name, sql) in files { try write(name, sql) }
        }
        func write(_ name: String, _ sql: String) throws {
            try Data(sql.utf8).write(to: url.appendingPathComponent(name))
        }
        func remove(_ name: String) throws {
            try FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static let first = "CREATE TABLE steps (n integer PRIMARY KEY, at timestamptz DEFAULT clock_timestamp());\n"
    static let second = "INSERT INTO steps (n) VALUES ((SELECT count(*) + 1 FROM steps));\n"
    static let third = "INSERT INTO steps (n) VALUES ((SELECT count(*) + 1 FROM steps));\nALTER TABLE steps ADD note text;\n"

    /// The default migrations directory, found from the project's home, is named with where the
    /// home came from and the way out; a directory given with --schema-dir is not.
    @Test func aMissingDefaultSchemaDirectoryNamesTheHome() throws {
        let home = ProjectHome.directory().appendingPathComponent("Schema").path
        let said = "\(MigrationError.unreadableDirectory(path: home, reason: "no such directory"))"
        #expect(said.hasPrefix("cannot read the migrations directory \(home): no such directory (Schema/ of the project's home, ")
                && said.hasSuffix("; set LABOURMATCH_HOME to the project's directory, or give --schema-dir)"), "\(said)")
        #expect(said.contains(ProjectHome.origin()))
        #expect(ProjectHome.origin(environment: ["LABOURMATCH_HOME": "/srv/lm"]) == "the project's home, LABOURMATCH_HOME=/srv/lm")
        #expect(ProjectHome.origin(environment: [:]).contains("the clone this labourmatch was built from (\(ProjectHome.builtFrom.path))"))
        let other = "\(MigrationError.unreadableDirectory(path: "/elsewhere/schema", reason: "no such directory"))"
        #expect(other == "cannot read the migrations directory /elsewhere/schema: no such directory")
    }

    @Test func appliesInOrderAndReportsStatus() throws {
        let dir = try SchemaDir(["0002_second.sql": Self.second, "0001_first.sql": Self.first, "README.md": "ignored"])
        try TestDatabase.withSchema { db, _ in
            let migrator = Migrator(directory: dir.url)
            let before = try migrator.status(db)
            #expect(before.applied.isEmpty)
            #expect(before.pending.map(\.name) == ["0001_first.sql", "0002_second.sql"])

            let applied = try migrator.migrate(db)
            #expect(applied.map(\.name) == ["0001_first.sql", "0002_second.sql"])
            // 0002 could only insert after 0001 created the table.
            #expect(try db.query("SELECT count(*) FROM steps")[0].decode(0, as: Int.self) == 1)

            try dir.write("0003_third.sql", Self.third)
            let middle = try migrator.status(db)
            #expect(middle.applied.map(\.name) == ["0001_first.sql", "0002_second.sql"])
            #expect(middle.pending.map(\.name) == ["0003_third.sql"])
            #expect(middle.problems.isEmpty)
            // The recorded digest is the SHA-256 of the file's bytes.
            #expect(middle.applied[0].sha256 == (try migrator.migrations()[0].sha256))
            #expect(middle.applied[0].sha256.count == 64)

            #expect(try migrator.migrate(db).map(\.name) == ["0003_third.sql"])
            #expect(try migrator.migrate(db).isEmpty)   // nothing left: a no-op
            let ns = try db.query("SELECT n FROM steps ORDER BY at").map { try $0.decode(0, as: Int.self) }
            #expect(ns == [1, 2])
            #expect(try migrator.status(db).pending.isEmpty)
        }
    }

    @Test func changedFileIsRefusedByName() throws {
        let dir = try SchemaDir(["0001_first.sql": Self.first, "0002_second.sql": Self.second])
        try TestDatabase.withSchema { db, _ in
            let migrator = Migrator(directory: dir.url)
            try migrator.migrate(db)
            try dir.write("0001_first.sql", Self.first + "-- an innocent-looking edit\n")
            try dir.write("0003_third.sql", Self.third)
            let e = try #require(throws: MigrationError.self) { try migrator.migrate(db) }
            guard case let .checksumMismatch(name, _, _) = e else {
                Issue.record("expected a checksum mismatch, got \(e)")
                return
            }
            #expect(name == "0001_first.sql")
            #expect(e.description.contains("0001_first.sql"))
            // Nothing ran: 0003 would have added a row.
            #expect(try db.query("SELECT count(*) FROM steps")[0].decode(0, as: Int.self) == 1)
            #expect(try migrator.status(db).problems == [e])
        }
    }

    @Test func missingAndOutOfOrderFilesAreProblems() throws {
        let dir = try SchemaDir(["0001_first.sql": Self.first, "0003_third.sql": Self.third])
        try TestDatabase.withSchema { db, _ in
            let migrator = Migrator(directory: dir.url)
            try migrator.migrate(db)
            try dir.write("0002_second.sql", Self.second)
            let status = try migrator.status(db)
            #expect(status.problems == [.outOfOrder(pending: "0002_second.sql", applied: "0003_third.sql")])
            try dir.remove("0002_second.sql")
            try dir.remove("0003_third.sql")
            #expect(throws: MigrationError.missingFile(name: "0003_third.sql")) { try migrator.migrate(db) }
        }
    }

    @Test func badFileNamesAndDuplicateNumbersAreRefused() throws {
        let bad = try SchemaDir(["0001_first.sql": Self.first, "2_second.sql": Self.second])
        #expect(throws: MigrationError.badFileName(name: "2_second.sql")) { try Migrator(directory: bad.url).migrations() }
        let twice = try SchemaDir(["0001_first.sql": Self.first, "0001_again.sql": Self.second])
        #expect(throws: MigrationError.duplicateNumber(first: "0001_again.sql", second: "0001_first.sql")) {
            try Migrator(directory: twice.url).migrations()
        }
        // The names-only listing (what every connection's schema check reads) refuses the same.
        #expect(throws: MigrationError.badFileName(name: "2_second.sql")) { try Migrator(directory: bad.url).migrationNames() }
        #expect(throws: MigrationError.duplicateNumber(first: "0001_again.sql", second: "0001_first.sql")) {
            try Migrator(directory: twice.url).migrationNames()
        }
    }

    @Test func theNamesOnlyListingIsTheMigrationsNames() throws {
        let project = Migrator()
        let names = try project.migrationNames()
        #expect(names == (try project.migrations()).map(\.name))
        #expect(names.count >= 10 && names.first == "0001_core.sql")
        // The build knows the schema it was written for: the last migration of its Schema/.
        #expect(names.last == Migrator.builtWith, "a new migration: set Migrator.builtWith to its name")
        // Number order, not the order a directory happens to list.
        let dir = try SchemaDir(["0010_tenth.sql": Self.third, "0002_second.sql": Self.second, "0001_first.sql": Self.first,
                                 "notes.txt": "not a migration"])
        #expect(try Migrator(directory: dir.url).migrationNames() == ["0001_first.sql", "0002_second.sql", "0010_tenth.sql"])
    }

    @Test func failingMigrationLeavesNothingOfItself() throws {
        let dir = try SchemaDir([
            "0001_first.sql": Self.first,
            "0002_broken.sql": "INSERT INTO steps (n) VALUES (1);\nCREATE TABLE half (x integer);\nSELECT 1/0;\n",
        ])
        try TestDatabase.withSchema { db, _ in
            let migrator = Migrator(directory: dir.url)
            let e = try #require(throws: MigrationError.self) { try migrator.migrate(db) }
            #expect(e.description.contains("0002_broken.sql"))
            #expect(e.description.contains("22012"))   // division_by_zero
            let status = try migrator.status(db)
            #expect(status.applied.map(\.name) == ["0001_first.sql"])
            #expect(status.pending.map(\.name) == ["0002_broken.sql"])
            #expect(try db.query("SELECT count(*) FROM steps")[0].decode(0, as: Int.self) == 0)
            #expect(try db.query("SELECT to_regclass('half')")[0].isNull(0))
        }
    }

    /// A table another session holds (a nightly run, a load) is waited for as long as the
    /// migration lock, and the failure says so: it was waited for without end, and every later
    /// writer of that table queued behind the migration.
    @Test func aTableLockedByAnotherSessionIsWaitedForABoundedTime() throws {
        let dir = try SchemaDir(["0001_first.sql": Self.first])
        try TestDatabase.withSchema { db, schema in
            let migrator = Migrator(directory: dir.url, lockTimeout: 1)
            try migrator.migrate(db)
            try dir.write("0002_third.sql", Self.third)   // its ALTER TABLE waits for the reader below
            let other = try TestDatabase.connect()
            defer { other.close() }
            try other.execute("BEGIN")
            try other.execute("LOCK TABLE \(schema).steps IN ACCESS SHARE MODE")
            try db.execute("SET statement_timeout = '20s'")   // a regression fails here rather than hangs
            let started = Date()
            let e = try #require(throws: MigrationError.self) { try migrator.migrate(db) }
            try other.execute("ROLLBACK")
            #expect(Date().timeIntervalSince(started) < 30)
            #expect(e.description.contains("55P03") && e.description.contains("a lock another session holds (a nightly run, a load?) was not granted within the lock timeout (1 s"),
                    "\(e)")
            #expect(try migrator.migrate(db).map(\.name) == ["0002_third.sql"])
        }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() throws {
        let dir = try SchemaDir(["0001_first.sql": Self.first, "0002_second.sql": Self.second,
                                 "0003_third.sql": Self.third])
        try TestDatabase.withSchema { db, schema in
            let results = Results()
            let url = dir.url
            // Two sessions on the same schema race; the advisory lock serialises them.
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    let conn = try TestDatabase.connect()
                    defer { conn.close() }
                    try conn.execute("SET search_path TO \(schema)")
                    results.add(.success(try Migrator(directory: url).migrate(conn).count))
                } catch {
                    results.add(.failure(error))
                }
            }
            let counts = try results.all().map { try $0.get() }.sorted()
            #expect(counts == [0, 3])
            #expect(try db.query("SELECT count(*) FROM schema_migrations")[0].decode(0, as: Int.self) == 3)
            #expect(try db.query("SELECT count(*) FROM steps")[0].decode(0, as: Int.self) == 2)
        }
    }

    /// Results gathered from concurrent threads. `@unchecked Sendable`: every access holds `lock`.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Result<Int, any Error>] = []
        func add(_ r: Result<Int, any Error>) { lock.lock(); items.append(r); lock.unlock() }
        func all() -> [Result<Int, any Error>] { lock.lock(); defer { lock.unlock() }; return items }
    }
}
