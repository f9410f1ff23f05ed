import Foundation
import Postgres
import Store
import Testing

/// The project's root: this file is `Tests/BatchTests/Support/Harness.swift` in it.
let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A database of its own for one test (the CLI runs as child processes, so a
/// schema on one connection would not do), migrated with the project's
/// `Schema/`; dropped by `drop()`.
final class ScratchDatabase {
    let name = "batch_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    /// The connection string for this database (what `--database-url` gets).
    let conninfo: String

    init() throws {
        let admin = try TestDatabase.connect()
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name)")
        conninfo = ScratchDatabase.replacingDatabase(TestDatabase.config().conninfo, with: name)
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

    /// `conninfo` naming database `name`: the URL's path replaced, or a later `dbname=` (libpq takes the last).
    static func replacingDatabase(_ conninfo: String, with name: String) -> String {
        let lower = conninfo.lowercased()
        guard lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") else {
            return conninfo + " dbname=\(name)"
        }
        let chars = Array(conninfo)
        let authorityStart = chars.firstIndex(of: ":")! + 3
        let pathStart = chars[authorityStart...].firstIndex { $0 == "/" || $0 == "?" } ?? chars.count
        let queryStart = chars[pathStart...].firstIndex(of: "?") ?? chars.count
        return String(chars[..<pathStart]) + "/" + name + String(chars[queryStart...])
    }
}

/// A fresh, empty directory under the system's temporary directory.
func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("batch-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The `labourmatch` executable that `swift test` built beside the test bundle.
let labourmatchBinary: URL = {
    for dir in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()] {
        let candidate = dir.appendingPathComponent("labourmatch")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return projectRoot.appendingPathComponent(".build/debug/labourmatch")
}()

/// A `labourmatch` child process: started at once, waited for with `finish()`.
final class CLIProcess {
    /// How a finished process ended.
    struct Outcome {
        var status: Int32
        /// True when a signal ended it (`status` is then the signal).
        var signaled: Bool
        var stdout: String
        var stderr: String
    }

    private let process = Process()
    private let stdout = PipeReader(), stderr = PipeReader()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = labourmatchBinary
        process.arguments = arguments
        process.currentDirectoryURL = projectRoot
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = stdout.pipe
        process.standardError = stderr.pipe
        try process.run()
        stdout.start()
        stderr.start()
    }

    var pid: Int32 { process.processIdentifier }

    func finish() -> Outcome {
        let out = stdout.finish(), err = stderr.finish()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                       stdout: out, stderr: err)
    }

    /// Runs `labourmatch` to the end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try CLIProcess(arguments, environment: environment).finish()
    }
}

/// Drains a pipe on its own thread, so a chatty child never blocks on a full pipe.
///
/// `@unchecked Sendable`: `data` is written by the reading thread before `done`
/// is signalled and read only after `finish()` waited for that signal.
final class PipeReader: @unchecked Sendable {
    let pipe = Pipe()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    func start() {
        Thread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func finish() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

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
