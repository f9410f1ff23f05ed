import Foundation

/// The database that tests of every module use: `LABOURMATCH_TEST_DATABASE_URL`, else the dev cluster.
///
/// Tests that need a server must fail, not skip, when none answers: `connect()`
/// throws an error that says how to start one. Each test works in its own
/// schema (`withSchema`) so tests run in parallel without seeing each other.
public enum TestDatabase {
    /// `LABOURMATCH_TEST_DATABASE_URL` when set, else the dev cluster's `labourmatch` database.
    public static func config(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConnectionConfig {
        if let url = environment["LABOURMATCH_TEST_DATABASE_URL"], !url.isEmpty {
            return ConnectionConfig(conninfo: url, source: .explicit)
        }
        return ConnectionConfig.devCluster(environment: environment)
    }

    /// A connection to the test database, or an error naming the server and how to start it.
    public static func connect() throws -> Connection {
        let config = config()
        do {
            return try Connection(config)
        } catch let error as PostgresError {
            throw PostgresError(
                kind: error.kind,
                message: "no PostgreSQL server for the tests at \(config.description): \(error.message)."
                    + " Run the tests with Scripts/test, or start the dev cluster with Scripts/dev-db start,"
                    + " or set LABOURMATCH_TEST_DATABASE_URL")
        }
    }

    /// Runs `body` on a fresh connection whose `search_path` is a new, empty schema; drops the schema after.
    public static func withSchema<T>(_ body: (Connection, String) throws -> T) throws -> T {
        let connection = try connect()
        defer { connection.close() }
        let schema = "test_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try connection.execute("CREATE SCHEMA \(schema)")
        try connection.execute("SET search_path TO \(schema)")
        defer {
            // The cascade's "drop cascades to ..." notices are noise in test output.
            _ = try? connection.execute("SET client_min_messages TO warning")
            _ = try? connection.execute("DROP SCHEMA \(schema) CASCADE")
        }
        return try body(connection, schema)
    }
}
