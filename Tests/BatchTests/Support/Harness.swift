import Foundation
import Postgres
import Store
import Testing
@_exported import TestSupport

/// A database of its own for one test (the CLI runs as child processes, so a
/// schema on one connection would not do), migrated with the project's
/// `Schema/` unless `migrated` is false; dropped by `drop()`.
final class ScratchDatabase {
    let name = "batch_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    /// The connection string for this database (what `--database-url` gets).
    let conninfo: String

    /// `options`: what CREATE DATABASE takes after the name (`ENCODING 'LATIN1' ...`).
    init(migrated: Bool = true, options: String = "") throws {
        let admin = try TestDatabase.connect()
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name) \(options)")
        conninfo = ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: name)
        guard migrated else { return }
        let db = try connect()
        defer { db.close() }
        try Migrator().migrate(db)
    }

    func connect() throws -> Connection { try Connection(ConnectionConfig(conninfo: conninfo)) }

    /// Drops the database, ending any session still in it.
    func drop() {
        guard let admin = try? TestDatabase.connect() else { return }
        defer { admin.close() }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// `conninfo` naming database `name` (`LoginURL.replacingDatabase`).
    static func replacingDatabase(_ conninfo: String, with name: String) -> String {
        LoginURL.replacingDatabase(conninfo, with: name)
    }
}

/// A fresh, empty directory under the system's temporary directory.
func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("batch-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A `labourmatch` child process (the shared test support's).
typealias CLIProcess = LabourmatchProcess

/// The bytes of a file as text.
func contents(_ url: URL) throws -> String {
    String(decoding: try Data(contentsOf: url), as: UTF8.self)
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; true when it held.
func eventually(within seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}
