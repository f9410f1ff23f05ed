import Feeds
import Foundation
import Logging
import Postgres
import Store
import Testing
@_exported import TestSupport

/// The project's root: this file is `Tests/StoreTests/LoadSupport.swift` in it.
/// The project's root.
let repositoryRoot = projectRoot

/// A file of `Fixtures/`.
func fixturePath(_ name: String) -> String { repositoryRoot.appendingPathComponent("Fixtures/\(name)").path }

/// The real ISO code lists (the loader records their version).
let systemCodes: CodeLists = {
    do { return try CodeLists.system() } catch { fatalError("\(error)") }
}()

/// A fresh schema holding the project's migrations, for one test: an
/// in-process connection whose search_path is the schema, and connection
/// strings that put `labourmatch` subprocesses in the same schema.
struct LoadDB {
    let db: Connection
    let schema: String

    /// Runs `body` in a fresh, migrated schema (dropped afterwards).
    static func with(_ body: (LoadDB) throws -> Void) throws {
        try TestDatabase.withSchema { db, schema in
            var quiet = Logger(label: "migrate")
            quiet.logLevel = .warning
            try Migrator().migrate(db, logger: quiet)
            try body(LoadDB(db: db, schema: schema))
        }
    }

    /// The test database with this schema first on the search path; `application` names the
    /// session in `pg_stat_activity` (to find a subprocess's COPY), nil leaves it to labourmatch.
    func url(application: String? = "labourmatch-test") -> String {
        let base = TestDatabase.config().conninfo
        let lower = base.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            let separator = base.contains("?") ? "&" : "?"
            return base + separator + "options=-csearch_path%3D\(schema)" + (application.map { "&application_name=\($0)" } ?? "")
        }
        return base + " options='-csearch_path=\(schema)'" + (application.map { " application_name='\($0)'" } ?? "")
    }

    func loader() -> FeedLoader { FeedLoader(connection: db, codes: systemCodes) }

    /// Loads `path` in-process.
    @discardableResult
    func load(_ kind: FeedKind, _ path: String, source: String? = nil, mode: LoadMode? = nil,
              dryRun: Bool = false, allowEmpty: Bool = false) throws -> LoadReport {
        try loader().load(kind: kind, path: path, source: source, mode: mode, dryRun: dryRun, allowEmpty: allowEmpty)
    }

    /// The good employers and recruiters of `Fixtures/`, which the other feeds refer to.
    func loadReferences() throws {
        try load(.employers, fixturePath("employers.csv"))
        try load(.recruiters, fixturePath("recruiters.csv"))
    }

    /// The single integer a query returns.
    func int(_ sql: String, _ params: [PostgresValue?] = []) throws -> Int {
        try db.query(sql, params: params)[0].decode(0, as: Int.self)
    }

    /// The first column of every row, as text.
    func strings(_ sql: String, _ params: [PostgresValue?] = []) throws -> [String] {
        try db.query(sql, params: params).map { try $0.decode(0, as: String.self) }
    }

    /// Rows in every table a load writes; all zero in a schema no load touched.
    func writtenRows() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for table in ["feeds", "feed_rejections", "vacancies", "vacancy_versions", "employers", "employer_versions",
                      "recruiters", "recruiter_versions", "workers", "worker_versions"] {
            out[table] = try int("SELECT count(*) FROM \(table)")
        }
        return out
    }
}

/// A scratch directory for generated feeds.
func scratchDir() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("load-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` to `name` in `dir` and returns its path.
func writeFile(_ dir: URL, _ name: String, _ text: String) throws -> String {
    let url = dir.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// The lines of `Fixtures/vacancies.csv`: the header, then the 52 data rows.
/// The lines of the project's WHO list (2023 edition, which the migrations load), header first.
func shippedWHOListLines() throws -> [Substring] {
    try String(contentsOf: repositoryRoot.appendingPathComponent("Reference/who-safeguards-2023.csv"), encoding: .utf8)
        .split(separator: "\n")
}

let vacancyFixtureLines: [String] = {
    let text = (try? String(contentsOfFile: fixturePath("vacancies.csv"), encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map(String.init)
}()

/// A vacancies CSV of `count` valid rows with keys `prefix00000`, ..., cycling through the
/// fixture rows (so they refer to the fixture employers and recruiters); `title` replaces
/// every title when given, so that two files can hold the same keys with other content.
func generatedVacancies(count: Int, prefix: String = "K", from start: Int = 0, title: String? = nil) -> String {
    let header = vacancyFixtureLines[0]
    let rows = vacancyFixtureLines.dropFirst().filter { !$0.contains("\"") }   // no quoted title: fields split on ','
    var out = header + "\n"
    for i in start..<(start + count) {
        var fields = rows[i % rows.count].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[0] = prefix + String(format: "%05d", i)
        if let title { fields[4] = title }
        out += fields.joined(separator: ",") + "\n"
    }
    return out
}

// MARK: - labourmatch subprocesses

/// Starts `labourmatch`, its notices (the test pause) on stderr; the caller's variables win.
func startLabourmatch(_ arguments: [String], environment: [String: String] = [:]) throws -> LabourmatchProcess {
    try LabourmatchProcess(arguments, environment: ["LABOURMATCH_LOG_LEVEL": "notice"].merging(environment) { $1 })
}

/// Runs `labourmatch` to its end.
func runLabourmatch(_ arguments: [String], environment: [String: String] = [:]) throws
    -> LabourmatchProcess.Outcome {
    try startLabourmatch(arguments, environment: environment).finish()
}
