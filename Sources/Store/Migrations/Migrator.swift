import Foundation
import Logging
import Postgres

/// Applies the numbered SQL files of `Schema/` in order, once each, and refuses edited ones.
///
/// Modelled on GRDB's `DatabaseMigrator` and Flyway: every applied file is
/// recorded in `schema_migrations` with its SHA-256; a file changed after it
/// was applied stops everything. Each migration runs in its own transaction,
/// and a session advisory lock keeps two migrators from racing. Tables go to
/// the connection's schema (`Connection` pins its `search_path` to one: `LABOURMATCH_SCHEMA`,
/// or the first of the login's path).
public struct Migrator: Sendable {
    /// The advisory lock key migrators take ("LMMIGR" in ASCII).
    public static let lockKey: Int64 = 0x4C4D_4D49_4752
    /// The directory of `NNNN_name.sql` files.
    public let directory: URL
    /// How long `migrate` waits for another migrator to finish.
    public var lockTimeout: Double

    public init(directory: URL = Migrator.defaultDirectory(), lockTimeout: Double = 60) {
        self.directory = directory
        self.lockTimeout = lockTimeout
    }

    /// `Schema/` of the project (`LABOURMATCH_HOME`, else the clone the binary was built from).
    public static func defaultDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        ProjectHome.directory(environment: environment).appendingPathComponent("Schema", isDirectory: true)
    }

    /// The migration files, in number order. Files not ending in `.sql` are ignored.
    public func migrations() throws -> [Migration] {
        let names = try migrationNames()
        if names.isEmpty { throw MigrationError.noMigrations(path: directory.path) }
        return try names.map { name in
            let contents: Data
            do {
                contents = try Data(contentsOf: directory.appendingPathComponent(name))
            } catch {
                throw MigrationError.unreadableDirectory(path: directory.path, reason: "\(name): \(error.localizedDescription)")
            }
            guard let migration = try Migration(name: name, contents: contents) else {
                throw MigrationError.badFileName(name: name)
            }
            return migration
        }
    }

    /// The migration files' names, in number order, checked as `migrations()` checks them
    /// but not read: what `problem` needs on every connection.
    public func migrationNames() throws -> [String] {
        let names: [String]
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            throw MigrationError.unreadableDirectory(path: directory.path, reason: "no such directory")
        }
        if !isDirectory.boolValue {
            throw MigrationError.unreadableDirectory(path: directory.path, reason: "not a directory")
        }
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.unreadableDirectory(path: directory.path, reason: error.localizedDescription)
        }
        var found: [(number: Int, name: String)] = []
        for name in names where name.hasSuffix(".sql") {
            guard let number = Migration.number(fileName: name) else { throw MigrationError.badFileName(name: name) }
            found.append((number, name))
        }
        found.sort { $0.number < $1.number || ($0.number == $1.number && Array($0.name.utf8).lexicographicallyPrecedes($1.name.utf8)) }
        for (a, b) in zip(found, found.dropFirst()) where a.number == b.number {
            throw MigrationError.duplicateNumber(first: a.name, second: b.name)
        }
        return found.map(\.name)
    }

    /// Applied and pending migrations, and whatever would stop `migrate`.
    public func status(_ db: Connection) throws -> MigrationStatus {
        let files = try migrations()
        let applied = try appliedMigrations(db)
        let byName = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0) })
        let appliedNames = Set(applied.map(\.name))
        var problems: [MigrationError] = []
        for a in applied {
            guard let file = byName[a.name] else { problems.append(.missingFile(name: a.name)); continue }
            if file.sha256 != a.sha256 {
                problems.append(.checksumMismatch(name: a.name, recorded: a.sha256, actual: file.sha256))
            }
        }
        let pending = files.filter { !appliedNames.contains($0.name) }
        let lastApplied = files.last { appliedNames.contains($0.name) }
        if let lastApplied, let early = pending.first(where: { $0.number < lastApplied.number }) {
            problems.append(.outOfOrder(pending: early.name, applied: lastApplied.name))
        }
        return MigrationStatus(applied: applied, pending: pending, problems: problems)
    }

    /// The last migration this build of labourmatch was written for: the schema its statements
    /// expect (a test keeps it equal to the last file of the project's `Schema/`). Checked by
    /// `problem` whatever `Schema/` beside the binary holds: an upgrade review (session 18) ran
    /// a binary built before a migration with a newer `Schema/` (a `git pull` without a
    /// rebuild), and one without any `Schema/`, on a schema ahead of it; both worked on.
    public static let builtWith = "0014_runner_reads_loads.sql"

    /// The last migration of `directory` when it is newer than this build's (`builtWith`): a
    /// `Schema/` pulled without a rebuild. Nil otherwise, or when the directory cannot be read.
    public func newerThanBuild() -> String? {
        guard let last = try? migrationNames().last, let number = Migration.number(fileName: last),
              number > Migration.number(fileName: Self.builtWith)! else { return nil }
        return last
    }

    /// Why a command should not work on `db`'s schema, as a sentence: it was never migrated, it
    /// is behind the migrations of `directory` or of this build (an upgrade without `db
    /// migrate`), or ahead of this build (an older labourmatch, which would write without the
    /// newer schema's guards); or this build is older than `directory`'s migrations (rebuild
    /// it). Nil when none holds, or when it cannot be told (a failing query: the command's own
    /// statements meet the problem, if there is one). Works as any of the three roles, through
    /// `labourmatch_schema_version()` (0009); a database without that function but with
    /// `schema_migrations` is behind it.
    public func problem(_ db: Connection) -> String? {
        let files = ((try? migrationNames()) ?? []).filter { Migration.number(fileName: $0) != nil }
        let known = Self.builtWith, knownNumber = Migration.number(fileName: known)!
        if let last = newerThanBuild() {
            return "this labourmatch was built before the migrations of \(directory.path) (they end at \(last); it was "
                + "built for those up to \(known)): it would work without what the newer ones add. Build it again "
                + "(swift build -c release) from the same checkout as its Schema/, or point LABOURMATCH_HOME at the "
                + "checkout it was built from"
        }
        // The migrations to compare with: Schema/'s (their names), else up to this build's.
        let expected = files.isEmpty ? [known] : files
        do {
            // A role without USAGE on the schema sees none of its tables (a login that does not
            // own the schema migrated it: its GRANT gave nothing); "never migrated" sent the
            // operator to db migrate, which said "up to date" (a regression review, session 18).
            if let home = db.home, let row = try db.query("""
                SELECT pg_catalog.quote_ident(current_user), pg_catalog.quote_ident($1)
                WHERE NOT pg_catalog.has_schema_privilege($1, 'USAGE')
                """, params: [PostgresValue(home)]).first {
                let (role, schema) = (try row.decode(0, as: String.self), try row.decode(1, as: String.self))
                return "\(role) has no USAGE on schema \(schema), where this session looks for LabourMatch's tables: the "
                    + "schema's owner grants it (GRANT USAGE ON SCHEMA \(schema) TO \(role); db migrate run by the schema's "
                    + "owner grants it to the three roles; README, \"Roles\")"
            }
            let found = try db.query("""
                SELECT pg_catalog.to_regclass('schema_migrations') IS NOT NULL,
                       pg_catalog.to_regprocedure('labourmatch_schema_version()') IS NOT NULL,
                       (\(Self.foreignTableSchema))
                """)[0]
            // Another application's schema_migrations where LabourMatch's would be: it was "behind
            // 0009" (its max(name) failed), and db status and migrate said a bare 42703.
            if let foreign = try found.decodeIfPresent(2, as: String.self) {
                return try Self.tablesElsewhere(db) ?? MigrationError.foreignTable(schema: foreign).description
            }
            guard try found.decode(0, as: Bool.self) else {
                // Tables migrated under LABOURMATCH_SCHEMA, looked for without it: "run db migrate"
                // made a second, empty set of tables (a documentation review, session 20).
                if let hint = try Self.tablesElsewhere(db) { return hint }
                return "this database has no LabourMatch tables in the schemas of this session's search_path (it was "
                    + "never migrated: run labourmatch db migrate first; or they are in a schema the search_path does not name)"
            }
            let fix = "its owner runs labourmatch db migrate (labourmatch db status lists what is pending)"
            let applied: String?
            if try found.decode(1, as: Bool.self) {
                applied = try db.query("SELECT labourmatch_schema_version()")[0].decodeIfPresent(0, as: String.self)
            } else {
                // Before 0009: the table itself, if this login may read it.
                applied = try? db.query("SELECT max(name) FROM schema_migrations")[0].decodeIfPresent(0, as: String.self)
                if applied == nil {
                    return "this database's schema is behind this labourmatch (it lacks 0009_schema_version.sql at least): \(fix)"
                }
            }
            if let applied, let number = Migration.number(fileName: applied), number > knownNumber {
                return "this database's schema is ahead of this labourmatch (its last migration is \(applied); this "
                    + "labourmatch was built for the migrations up to \(known)): a newer labourmatch migrated it, and an "
                    + "older one would work without what the newer migrations add; use the newer one"
            }
            let pending = expected.filter { applied == nil || $0 > applied! }
            guard let first = pending.first, let last = expected.last else { return nil }
            let since = applied.map { "its last migration is \($0); " } ?? ""
            let which = files.isEmpty ? "this labourmatch was built for the migrations up to \(last)"
                : pending.count == 1 ? "1 migration is pending: \(first)"
                : "\(pending.count) migrations are pending, \(first) to \(last)"
            return "this database's schema is behind this labourmatch (\(since)\(which)): \(fix)"
        } catch {
            return nil   // the command's own statements meet the problem, if there is one
        }
    }

    /// When no schema of the session's path holds LabourMatch's tables but other schemas do (their
    /// `schema_migrations` has LabourMatch's shape, with `sha256`, beside a `runs` table: another
    /// application's does not count, as in `Connection`): a sentence naming them and their owners,
    /// and LABOURMATCH_SCHEMA (trusted whoever owns it: the operator judges the owner). Tables
    /// migrated under LABOURMATCH_SCHEMA and looked for without it were "never migrated", and db
    /// migrate made a second, empty set of tables (a documentation review, session 20).
    public static func tablesElsewhere(_ db: Connection) throws -> String? {
        let elsewhere = try db.query("""
            SELECT pg_catalog.quote_ident(n.nspname), pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(n.nspowner))
            FROM pg_catalog.pg_namespace n
            WHERE \(Connection.holdsMigrationsTable("n.oid"))
              AND EXISTS (SELECT FROM pg_catalog.pg_class r WHERE r.relnamespace = n.oid AND r.relname = 'runs'
                          AND r.relkind = 'r')
              AND NOT EXISTS (SELECT FROM pg_catalog.pg_namespace s
                              WHERE s.nspname = ANY (pg_catalog.current_schemas(false))
                                AND \(Connection.holdsMigrationsTable("s.oid")))
            ORDER BY n.nspname COLLATE "C"
            """).map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }
        guard let first = elsewhere.first else { return nil }
        let named = elsewhere.map { "\($0.0) (owner \($0.1))" }
        let schemas = elsewhere.count == 1 ? "schema \(named[0]) holds them" : "schemas \(named.joined(separator: ", ")) hold them"
        // Beside another application's schema_migrations, db migrate would not make a second set.
        let migrate = try foreignTableHere(db) == nil ? "db migrate without it would make a second, empty set of tables"
            : "without it every command, db migrate too, works in a schema where another application's "
                + "schema_migrations stands"
        return "this session's search_path names no schema with LabourMatch tables, but \(schemas): if you trust "
            + "its owner, set LABOURMATCH_SCHEMA=\(first.0) for every command (README, \"Roles\"); \(migrate)"
    }

    /// Applies every pending migration in order, each in its own transaction; returns those applied.
    ///
    /// Throws before applying anything when `status` finds a problem, and
    /// stops at the first migration whose SQL fails (earlier ones stay applied).
    @discardableResult
    public func migrate(_ db: Connection, logger: Logger = Logger(label: "migrate")) throws -> [Migration] {
        _ = try migrations()   // a bad directory fails before the lock is taken
        guard try db.advisoryLock(key: Migrator.lockKey, timeout: lockTimeout) else {
            throw MigrationError.lockTimeout(seconds: lockTimeout)
        }
        defer { _ = try? db.advisoryUnlock(key: Migrator.lockKey) }
        if try !tableExists(db) {
            try db.execute("""
                CREATE TABLE schema_migrations (
                    name text PRIMARY KEY,
                    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
        // Read under the lock: another migrator may have just applied some.
        let status = try status(db)
        if let problem = status.problems.first { throw problem }
        for migration in status.pending {
            let start = Date()
            do {
                try db.transaction { tx in
                    // A table another session holds (a nightly run, a load) is waited for as long
                    // as the migration lock, not for ever with every later writer queued behind.
                    try tx.execute("SELECT set_config('lock_timeout', $1, true)",
                                   params: [PostgresValue("\(Int(lockTimeout * 1000))ms")])
                    try tx.runScript(migration.sql)
                    try tx.execute("INSERT INTO schema_migrations (name, sha256) VALUES ($1, $2)",
                                   params: [PostgresValue(migration.name), PostgresValue(migration.sha256)])
                }
            } catch let error as PostgresError {
                // The script is the statement; its line says where it went wrong.
                var short = error
                short.statement = nil
                let line = error.line.map { " (line \($0))" } ?? ""
                let hint = error.sqlState == "55P03"
                    ? "; a lock another session holds (a nightly run, a load?) was not granted within the lock timeout "
                        + "(\(Int(lockTimeout)) s, unless the migration sets its own): run it again when they are done"
                    : error.sqlState == "42501" && error.message.contains("permission denied to create role")
                    ? "; the three roles are created by the first migrate: its login needs CREATEROLE, "
                        + "or an administrator creates them first (README \"Roles\")"
                    : ""
                throw MigrationError.failed(name: migration.name, error: "\(short.description)\(line)\(hint)")
            }
            logger.info("applied migration", metadata: [
                "migration": "\(migration.name)",
                "ms": "\(Int(Date().timeIntervalSince(start) * 1000))",
            ])
        }
        return status.pending
    }

    /// SQL: the session's schema, quoted, when the `schema_migrations` its path finds is not
    /// LabourMatch's (no `sha256` column); else null.
    private static let foreignTableSchema = """
        SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = pg_catalog.to_regclass('schema_migrations') AND NOT \(Connection.holdsMigrationsTable("n.oid"))
        """

    /// `MigrationError.foreignTable`'s sentence when the session's schema holds another
    /// application's `schema_migrations`; else nil.
    public static func foreignTableHere(_ db: Connection) throws -> String? {
        try db.query("SELECT (\(foreignTableSchema))")[0].decodeIfPresent(0, as: String.self)
            .map { MigrationError.foreignTable(schema: $0).description }
    }

    /// Whether the session's schema holds LabourMatch's `schema_migrations`; throws
    /// `foreignTable` when the table of that name there is another application's.
    private func tableExists(_ db: Connection) throws -> Bool {
        let row = try db.query("SELECT pg_catalog.to_regclass('schema_migrations') IS NOT NULL, (\(Self.foreignTableSchema))")[0]
        if let foreign = try row.decodeIfPresent(1, as: String.self) { throw MigrationError.foreignTable(schema: foreign) }
        return try row.decode(0, as: Bool.self)
    }

    private func appliedMigrations(_ db: Connection) throws -> [AppliedMigration] {
        guard try tableExists(db) else { return [] }
        return try db.query("SELECT name, sha256, applied_at FROM schema_migrations ORDER BY name COLLATE \"C\"")
            .map { row in
                AppliedMigration(name: try row.decode(0), sha256: try row.decode(1), appliedAt: try row.decode(2))
            }
    }
}
