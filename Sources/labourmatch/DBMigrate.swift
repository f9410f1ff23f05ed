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
        changed or a wait timed out, 2 bad usage (a bad directory, a connection \
        that can never work).
        """
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var migrations: MigrationOptions

    func run() throws {
        let logger = CommandLog.logger("migrate")
        do {
            let db = try database.connect(as: nil, logger: logger)
            defer { db.close() }
            let migrator = migrations.migrator
            let applied = try migrator.migrate(db, logger: logger)
            let total = try migrator.status(db).applied.count
            if applied.isEmpty {
                print("database is up to date: \(total) migrations applied, none pending")
            } else {
                print("applied \(applied.count) migrations: \(applied.map(\.name).joined(separator: ", ")) (\(total) in all)")
            }
        } catch {
            throw CommandLog.fail(error, status: DBStatus.exitStatus(for: error))
        }
    }
}
