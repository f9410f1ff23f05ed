import ArgumentParser
import Batch
import Foundation
import Postgres
import Store

/// `labourmatch db status`: which migrations are applied, which are pending, and any problem.
struct DBStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List applied and pending migrations; exit status 1 when one would stop `db migrate`."
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var migrations: MigrationOptions

    func run() throws {
        let logger = CommandLog.logger("status")
        let status: MigrationStatus
        var elsewhere: String?
        do {
            let db = try database.connect(as: nil, logger: logger)
            defer { db.close() }
            let migrator = migrations.migrator
            // Every migration pending here, the tables in a schema the path does not name: say so.
            if database.config.schema == nil { elsewhere = try Migrator.tablesElsewhere(db) }
            status = try migrator.status(db)
        } catch {
            // Another application's schema_migrations here and LabourMatch's tables elsewhere:
            // the way to the tables is the better advice.
            if case .foreignTable = error as? MigrationError, let elsewhere {
                throw CommandLog.fail(CommandFailure(elsewhere), status: 1)
            }
            throw CommandLog.fail(error, status: Self.exitStatus(for: error))
        }
        print("database: \(database.config.description) (\(database.config.source.rawValue))")
        let stamp = ISO8601DateFormatter()
        for a in status.applied {
            print("applied  \(a.name)  \(stamp.string(from: a.appliedAt))  sha256 \(a.sha256.prefix(12))")
        }
        for p in status.pending {
            print("pending  \(p.name)  sha256 \(p.sha256.prefix(12))")
        }
        if status.applied.isEmpty && status.pending.isEmpty { print("no migrations") }
        let problems = status.problems.map { "\($0)" } + (elsewhere.map { [$0] } ?? [])
        guard problems.isEmpty else {
            for problem in problems {
                Console.error("labourmatch: error: \(problem)\n")
            }
            throw ExitCode(1)
        }
    }

    /// 2 when the migrations directory itself is unusable (bad input), else 1.
    static func exitStatus(for error: any Error) -> Int32 {
        switch error as? MigrationError {
        case .unreadableDirectory, .noMigrations, .badFileName, .duplicateNumber, .notUTF8: return 2
        default: return 1
        }
    }
}
