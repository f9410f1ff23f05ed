import Crypto
import Feeds
import Foundation
import Postgres

/// One numbered SQL file of `Schema/` (`NNNN_name.sql`), with the SHA-256 of its bytes.
public struct Migration: Sendable, Hashable {
    /// The file name, e.g. `0001_core.sql`: what `schema_migrations` records.
    public let name: String
    /// The leading number, which orders migrations.
    public let number: Int
    public let sql: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public let sha256: String

    /// A migration from a file's name and bytes; nil when the name is not `NNNN_name.sql`.
    public init?(name: String, contents: Data) throws {
        guard let number = Migration.number(fileName: name) else { return nil }
        guard let sql = String(data: contents, encoding: .utf8) else { throw MigrationError.notUTF8(name: name) }
        self.name = name
        self.number = number
        self.sql = sql
        self.sha256 = RunInputs.hex(SHA256.hash(data: contents))
    }

    /// The number of a `NNNN_name.sql` file name (4 digits, `_`, lower-case letters, digits, `_`), else nil.
    static func number(fileName: String) -> Int? {
        let b = Array(fileName.utf8)
        guard b.count > 9, fileName.hasSuffix(".sql"), b[4] == UInt8(ascii: "_"),
              b[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }),
              b[5..<(b.count - 4)].allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 })
        else { return nil }
        return Int(String(decoding: b[0..<4], as: UTF8.self))
    }
}

/// A migration recorded in `schema_migrations`.
public struct AppliedMigration: Sendable, Hashable {
    public let name: String
    /// The SHA-256 of the file when it was applied.
    public let sha256: String
    public let appliedAt: Date
}

/// What the database has applied compared with the files of `Schema/`.
public struct MigrationStatus: Sendable {
    /// Recorded migrations, in the order they were applied (by name).
    public var applied: [AppliedMigration]
    /// Files not yet applied, in the order they will be.
    public var pending: [Migration]
    /// Problems that stop `migrate`: changed files, recorded migrations with no file, pending files
    /// numbered before an applied one.
    public var problems: [MigrationError]
}

/// Why migrations cannot run.
public enum MigrationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The migrations directory cannot be read.
    case unreadableDirectory(path: String, reason: String)
    /// A `.sql` file whose name is not `NNNN_name.sql`.
    case badFileName(name: String)
    /// The directory holds no `NNNN_name.sql` file (a wrong `--schema-dir`).
    case noMigrations(path: String)
    /// Two files with the same number.
    case duplicateNumber(first: String, second: String)
    /// A file is not valid UTF-8.
    case notUTF8(name: String)
    /// An applied migration's file was edited after it ran.
    case checksumMismatch(name: String, recorded: String, actual: String)
    /// The database applied a migration that `Schema/` does not have (an older binary, a wrong directory).
    case missingFile(name: String)
    /// A pending file is numbered before a migration already applied.
    case outOfOrder(pending: String, applied: String)
    /// Another migrator held the lock for too long.
    case lockTimeout(seconds: Double)
    /// A migration's SQL failed; nothing of it was applied.
    case failed(name: String, error: String)
    /// The session's schema holds a `schema_migrations` that is not LabourMatch's (no `sha256`
    /// column: another application's, such as Rails'); `schema` is quoted as an identifier.
    case foreignTable(schema: String)

    public var description: String {
        switch self {
        case let .unreadableDirectory(path, reason):
            // The default directory is found from the project's home: say which, and the way out.
            let home = ProjectHome.directory().appendingPathComponent("Schema").standardizedFileURL.path
            let from = URL(fileURLWithPath: path).standardizedFileURL.path == home
                ? " (Schema/ of \(ProjectHome.origin()); set LABOURMATCH_HOME to the project's directory, or give "
                    + "--schema-dir)" : ""
            return "cannot read the migrations directory \(path): \(reason)\(from)"
        case let .noMigrations(path):
            return "\(path) holds no NNNN_name.sql migration: is it the project's Schema/ directory?"
        case let .badFileName(name):
            return "\(name) in the migrations directory is not named NNNN_name.sql (4 digits, lower-case name)"
        case let .duplicateNumber(first, second):
            return "\(first) and \(second) have the same migration number"
        case let .notUTF8(name):
            return "migration \(name) is not valid UTF-8"
        case let .checksumMismatch(name, recorded, actual):
            return "migration \(name) was changed after it was applied (recorded SHA-256 \(recorded.prefix(12))..., "
                + "file now \(actual.prefix(12))...): restore the file and put the change in a new migration"
        case let .missingFile(name):
            return "the database has applied migration \(name), which is not in the migrations directory "
                + "(is this binary older than the database?)"
        case let .outOfOrder(pending, applied):
            return "migration \(pending) is pending but the later \(applied) is already applied: renumber it"
        case let .lockTimeout(seconds):
            return "another migrator held the migration lock for \(Int(seconds)) s; try again when it is done"
        case let .failed(name, error):
            return "migration \(name) failed and was rolled back: \(error)"
        case let .foreignTable(schema):
            return "schema \(schema), where this session looks for LabourMatch's tables, holds a table named "
                + "schema_migrations that is not LabourMatch's (it has no sha256 column: another application's?), so "
                + "LabourMatch's cannot be made there. Keep LabourMatch's tables in a schema of their own: the database's "
                + "owner creates one (CREATE SCHEMA labourmatch), and every command names it, db migrate first "
                + "(LABOURMATCH_SCHEMA=labourmatch; README, \"Roles\")"
        }
    }
}
