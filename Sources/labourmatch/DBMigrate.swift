import ArgumentParser
import Foundation
import Postgres
import Store

/// `labourmatch db migrate`: applies the pending migrations of `Schema/`.
struct DBMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the pending migrations of Schema/, in order, each in its own transaction.",
        discussion: """
        Run it as the database's owner: the first migrate also creates the roles \
        labourmatch_loader, labourmatch_runner and labourmatch_auditor, for which its \
        login needs CREATEROLE (or an administrator creates them first; README "Roles").

        Refuses to run, applying nothing, when an applied migration's file has \
        changed since (its SHA-256 differs), is missing, or when a pending one \
        is numbered before an applied one. A migration that fails is rolled back; \
        those applied before it stay applied, and the next migrate goes on from it. \
        Another migrate of the same database is waited for 60 s at most, and so is \
        a lock on a table another session holds (a nightly run, a load).

        Exit statuses: 0 applied or up to date, 1 a migration failed, a file \
        changed, a wait timed out, or the roles were left without USAGE on the \
        schema (a login that does not own it migrated it), 2 bad usage (a bad directory, a connection \
        that can never work).
        """
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var migrations: MigrationOptions

    /// The sentence that names the roles without USAGE on the migrated schema, and the GRANT that
    /// mends it, or nil when each has it (or none exists). 0005 grants it, but a GRANT by a login
    /// that does not own the schema (one given CREATE on it) grants nothing, with a warning alone:
    /// every command then found no tables and said "never migrated", and migrate "up to date"
    /// (a regression review, session 18).
    static func rolesWithoutUsage(_ db: Connection) throws -> String? {
        guard let home = db.home else { return nil }
        let rows = try db.query("""
            SELECT pg_catalog.quote_ident(r.rolname), pg_catalog.quote_ident(n.nspname), pg_catalog.quote_ident(o.rolname)
            FROM pg_catalog.pg_roles r, pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles o ON o.oid = n.nspowner
            WHERE r.rolname = ANY ($1) AND n.nspname = $2 AND NOT pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
            ORDER BY r.rolname
            """, params: [.textArray(DatabaseRole.allCases.map(\.name)), PostgresValue(home)])
        guard let first = rows.first else { return nil }
        let roles = try rows.map { try $0.decode(0, as: String.self) }.joined(separator: ", ")
        let (schema, owner) = (try first.decode(1, as: String.self), try first.decode(2, as: String.self))
        return "the migrations are applied, but \(roles) \(rows.count == 1 ? "has" : "have") no USAGE on schema \(schema), "
            + "which holds the tables: the migrations' GRANT gave nothing, since only the schema's owner (\(owner)) may "
            + "grant it, and no command acting as a role can work. \(owner) runs GRANT USAGE ON SCHEMA \(schema) TO "
            + "\(roles); (or db migrate as the schema's owner; README, \"Roles\")"
    }

    func run() throws {
        let logger = CommandLog.logger("migrate")
        do {
            let db = try database.connect(as: nil, logger: logger)
            defer { db.close() }
            let migrator = migrations.migrator
            // The project's own Schema/ newer than this build (a pull without a rebuild): applied,
            // its migrations made every command of this build refuse the schema as "ahead" (an
            // upgrade review, session 18). An explicit --schema-dir is the operator's choice.
            if migrations.schemaDir == nil, let last = migrator.newerThanBuild() {
                throw CommandFailure("this labourmatch was built before the migrations of \(migrator.directory.path) (they "
                    + "end at \(last); it was built for those up to \(Migrator.builtWith)): nothing was applied. Migrate "
                    + "with the labourmatch built from that checkout (swift build -c release), or point LABOURMATCH_HOME "
                    + "at the checkout this one was built from")
            }
            // Tables under a schema LABOURMATCH_SCHEMA named, migrated again without it: a second,
            // empty set in the path's schema (a regression review, session 20).
            if database.config.schema == nil, let elsewhere = try Migrator.tablesElsewhere(db) {
                // Not in a schema where another application's schema_migrations stands (the advice
                // failed there, a review, session 21).
                let home = try Migrator.foreignTableHere(db) == nil ? db.home : nil
                let also = home.map { "To make a second set of tables in \($0) all the same, name it: "
                    + "LABOURMATCH_SCHEMA='\($0)' labourmatch db migrate" }
                    ?? "To make a second set of tables elsewhere all the same, name its schema with LABOURMATCH_SCHEMA"
                throw CommandFailure("nothing was applied: \(elsewhere). \(also)")
            }
            let applied = try migrator.migrate(db, logger: logger)
            let total = try migrator.status(db).applied.count
            if applied.isEmpty {
                print("database is up to date: \(total) migrations applied, none pending")
            } else {
                print("applied \(applied.count) migrations: \(applied.map(\.name).joined(separator: ", ")) (\(total) in all)")
            }
            if let problem = try Self.rolesWithoutUsage(db) { throw CommandFailure(problem) }
        } catch {
            throw CommandLog.fail(error, status: DBStatus.exitStatus(for: error))
        }
    }
}
