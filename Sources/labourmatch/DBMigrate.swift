import ArgumentParser
import Foundation
import Postgres
import Store

/// `labourmatch db migrate`: applies the pending migrations of `Schema/`.
struct DBMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the pending migrations of Schema/, in order, each in its own transaction.",
        discussion: "Refuses to run when an applied migration's file has changed since (its SHA-256 differs)."
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
