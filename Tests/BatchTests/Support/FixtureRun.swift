import Foundation
import Postgres
import Testing

/// A scratch database seeded with the fixtures, the `labourmatch` commands over
/// it, and the offline `match` of the same files to compare with.
final class FixtureRun {
    static let runDate = "2026-11-29"
    /// The files `match` writes and a stored run exports.
    static let resultFiles = ["matches.csv", "exclusions.csv", "summary.json"]

    let database: ScratchDatabase
    let dir: URL

    init() throws {
        database = try ScratchDatabase()
        let db = try database.connect()
        defer { db.close() }
        try FixtureSeeder.seedFixtures(db)
        dir = try scratchDirectory()
    }

    /// Drops the database.
    func close() { database.drop() }

    /// Arguments of `run` over this database (or through `conninfo`), writing into `dir/<out>`.
    func runArguments(out: String, _ extra: [String], conninfo: String? = nil) -> [String] {
        ["run", "--date", FixtureRun.runDate, "--database-url", conninfo ?? database.conninfo,
         "--out", dir.appendingPathComponent(out).path] + extra
    }

    /// `labourmatch run` to the end.
    func run(out: String, _ extra: [String] = [], environment: [String: String] = [:],
             conninfo: String? = nil) throws -> CLIProcess.Outcome {
        try CLIProcess.run(runArguments(out: out, extra, conninfo: conninfo), environment: environment)
    }

    /// `labourmatch run` started in the background.
    func start(out: String, _ extra: [String] = [], environment: [String: String] = [:],
               conninfo: String? = nil) throws -> CLIProcess {
        try CLIProcess(runArguments(out: out, extra, conninfo: conninfo), environment: environment)
    }

    /// A `LostAnswerProxy` in front of this database's server, and the conninfo through it.
    func proxy() throws -> (proxy: LostAnswerProxy, conninfo: String) {
        let db = try database.connect()
        defer { db.close() }
        return try LostAnswerProxy.inFront(of: db)
    }

    /// Any other command over this database.
    func command(_ arguments: [String]) throws -> CLIProcess.Outcome {
        try CLIProcess.run(arguments + ["--database-url", database.conninfo])
    }

    /// `labourmatch match` on the fixture files, into `dir/offline-...`; `extra` as for `run`.
    func offline(_ extra: [String] = []) throws -> URL {
        let out = dir.appendingPathComponent("offline-\(UUID().uuidString)")
        var args = ["match"]
        for (option, file) in [("--employers", "employers"), ("--recruiters", "recruiters"),
                               ("--vacancies", "vacancies"), ("--workers", "workers"),
                               ("--minimum-wages", "minimum-wages"), ("--fx-rates", "fx-rates")] {
            args += [option, projectRoot.appendingPathComponent("Fixtures/\(file).csv").path]
        }
        let outcome = try CLIProcess.run(args + ["--date", FixtureRun.runDate, "--out", out.path] + extra)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return out
    }

    /// Expects the result files in `dir/name` to equal those in `expected`, byte for byte.
    func expectSameFiles(_ name: String, as expected: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for file in FixtureRun.resultFiles {
            let got = try contents(dir.appendingPathComponent(name).appendingPathComponent(file))
            #expect(got == (try contents(expected.appendingPathComponent(file))), "\(name)/\(file)",
                    sourceLocation: sourceLocation)
        }
    }

    /// The first column of the first row of `sql`, as an integer.
    func count(_ sql: String, _ params: [PostgresValue?] = []) throws -> Int {
        let db = try database.connect()
        defer { db.close() }
        return try db.query(sql, params: params)[0].decode(0)
    }

    /// The rows of `sql` as text cells (NULL as "").
    func rows(_ sql: String, _ params: [PostgresValue?] = []) throws -> [[String]] {
        let db = try database.connect()
        defer { db.close() }
        return try db.query(sql, params: params).map { r in
            try (0..<r.count).map { try r.decodeIfPresent($0, as: String.self) ?? "" }
        }
    }

    /// Data rows of a CSV file in `dir/name` (header excluded).
    func dataRows(_ name: String, _ file: String) throws -> Int {
        try contents(dir.appendingPathComponent(name).appendingPathComponent(file))
            .split(separator: "\n").count - 1
    }
}
