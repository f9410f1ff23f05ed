import Foundation
@testable import Postgres
import Testing

/// Server errors keep their SQLSTATE; transactions undo what a throwing body did.
@Suite struct ErrorTests {
    struct Boom: Error {}

    /// A string libpq cannot parse is a permanent failure (never retried), and its message does
    /// not repeat what libpq quotes of it: the URI, or a token of the password.
    /// Nor a mistyped URL (one slash, another scheme) or a password with a space or a quote.
    @Test(arguments: ["postgresql://postgres:SECRETPW@[bad", "postgresql://u:SECRET%zzPW@h/x",
                      "host='unterminated password=SECRETPW", "jdbc:postgresql://db/lm?user=alice&password=SECRETPW",
                      "postgresql:/alice:SECRETPW@db/lm", "host=/tmp user=alice password=SECRET horse SECRET",
                      "postgresql://alice:SE\"CRET%zzPW@db/lm", "postgres//alice:SECRETPW@db"])
    func anUnparsableConnectionStringIsPermanentAndKeepsItsPassword(conninfo: String) throws {
        let error = try #require(throws: PostgresError.self) { try Connection(ConnectionConfig(conninfo: conninfo)) }
        #expect(error.isPermanentConnectionFailure, "\(error)")
        #expect("\(error)".contains("invalid connection string"), "\(error)")
        #expect(!"\(error)".contains("SECRET") && !"\(error)".contains("horse") && !"\(error)".contains("CRET"), "\(error)")
        #expect("\(error)".contains("the --database-url value (not shown"), "\(error)")
    }

    /// libpq's punctuation quotes stay; a quoted word ends the message.
    @Test func onlyPunctuationQuotesAreKept() {
        #expect(Connection.withoutQuotedText(#"missing "=" after "horse" in connection info string"#)
                == #"missing "=" after "...""#)
        #expect(Connection.withoutQuotedText(#"invalid percent-encoded token: "Pa"ss%wd""#)
                == #"invalid percent-encoded token: "...""#)
        #expect(Connection.withoutQuotedText("no quotes") == "no quotes")
    }

    @Test func uniqueViolationCarriesSQLState() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE k (id text PRIMARY KEY)")
            try db.execute("INSERT INTO k VALUES ($1)", params: ["a"])
            let e = try #require(throws: PostgresError.self) {
                try db.execute("INSERT INTO k VALUES ($1)", params: ["a"])
            }
            #expect(e.sqlState == "23505")
            #expect(e.isUniqueViolation)
            #expect(!e.isConnectionLost)
            #expect(e.detail?.contains("already exists") == true)
            #expect(e.statement == "INSERT INTO k VALUES ($1)")
            // The description is one line, with the state and the statement but not the value.
            #expect(!e.description.contains("\n"))
            #expect(e.description.contains("23505"))
        }
    }

    @Test func throwingTransactionLeavesNoRow() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE t (id integer)")
            #expect(throws: Boom.self) {
                try db.transaction { tx in
                    try tx.execute("INSERT INTO t VALUES (1)")
                    throw Boom()
                }
            }
            #expect(!db.inTransaction)
            #expect(try db.query("SELECT count(*) FROM t")[0].decode(0, as: Int.self) == 0)
            let v = try db.transaction { tx in
                try tx.execute("INSERT INTO t VALUES (2)")
                return 7
            }
            #expect(v == 7)
            #expect(try db.query("SELECT count(*) FROM t")[0].decode(0, as: Int.self) == 1)
        }
    }

    @Test func nestedTransactionRollsBackOnlyItsOwnWork() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE t (id integer)")
            try db.transaction { tx in
                try tx.execute("INSERT INTO t VALUES (1)")
                try? tx.transaction { inner in
                    try inner.execute("INSERT INTO t VALUES (2)")
                    throw Boom()
                }
                try tx.execute("INSERT INTO t VALUES (3)")
            }
            let ids = try db.query("SELECT id FROM t ORDER BY id").map { try $0.decode(0, as: Int.self) }
            #expect(ids == [1, 3])
        }
    }

    @Test func commitAfterSwallowedErrorThrows() throws {
        try TestDatabase.withSchema { db, _ in
            try db.execute("CREATE TABLE t (id integer)")
            // The body hides a failed statement; the server would turn COMMIT into ROLLBACK silently.
            #expect(throws: PostgresError.self) {
                try db.transaction { tx in
                    try tx.execute("INSERT INTO t VALUES (1)")
                    _ = try? tx.execute("SELECT 1/0")
                }
            }
            #expect(try db.query("SELECT count(*) FROM t")[0].decode(0, as: Int.self) == 0)
        }
    }

    @Test func syntaxErrorInScriptNamesTheLine() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let e = try #require(throws: PostgresError.self) {
            try db.runScript("SELECT 1;\nSELECT 2;\nSELEC 3;")
        }
        #expect(e.sqlState == "42601")
        #expect(e.line == 3)
        #expect(e.description.contains("at line 3"))
    }

    @Test func terminatedBackendIsConnectionLost() throws {
        let victim = try TestDatabase.connect()
        let admin = try TestDatabase.connect()
        defer { victim.close(); admin.close() }
        let pid = try victim.query("SELECT pg_backend_pid()")[0].decode(0, as: Int32.self)
        _ = try admin.query("SELECT pg_terminate_backend($1)", params: [PostgresValue(pid)])
        // The backend may take a moment to exit; the next statement sees the broken connection.
        Thread.sleep(forTimeInterval: 0.2)
        let e = try #require(throws: PostgresError.self) { try victim.query("SELECT 1") }
        #expect(e.isConnectionLost)
        #expect(!victim.isOpen)
        let again = try #require(throws: PostgresError.self) { try victim.query("SELECT 1") }
        #expect(again.kind == .connectionLost)
    }

    @Test func closedConnectionRefusesWork() throws {
        let db = try TestDatabase.connect()
        db.close()
        let e = try #require(throws: PostgresError.self) { try db.query("SELECT 1") }
        #expect(e.kind == .misuse)
    }

    @Test func closedPortFailsFastAndClearly() throws {
        let (e, elapsed) = try Self.failToConnect("postgresql://lm:s3cretpw@127.0.0.1:1/labourmatch")
        #expect(elapsed < 10, "took \(elapsed) s")
        #expect(e.description.contains("127.0.0.1"))
    }

    @Test func silentServerFailsWithinTheConnectTimeout() throws {
        // A listening socket that never answers: the TCP handshake completes, then nothing.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &addr) { p in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                try #require(bind(fd, sa, len) == 0 && listen(fd, 4) == 0 && getsockname(fd, sa, &len) == 0)
            }
        }
        let port = UInt16(bigEndian: addr.sin_port)
        let (e, elapsed) = try Self.failToConnect("host=127.0.0.1 port=\(port) user=lm password=s3cretpw dbname=x")
        #expect(elapsed < 10, "took \(elapsed) s")
        #expect(elapsed > 3, "the 5 s connect timeout, not some other error, ended the wait: \(e)")
        #expect(e.description.lowercased().contains("timeout"))
    }

    /// Connects to a server that cannot answer; returns the error and how long it took.
    static func failToConnect(_ conninfo: String) throws -> (PostgresError, Double) {
        let start = Date()
        let e = try #require(throws: PostgresError.self) {
            _ = try Connection(ConnectionConfig(conninfo: conninfo))
        }
        #expect(e.kind == .connectionFailed)
        #expect(!e.description.contains("s3cretpw"))
        #expect(e.description.contains("***"))
        return (e, Date().timeIntervalSince(start))
    }

    @Test func noticesReachTheHandler() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        var seen: [PostgresNotice] = []
        db.noticeHandler = { seen.append($0) }
        try db.execute("DO $$ BEGIN RAISE NOTICE 'hello from %', 'plpgsql'; RAISE WARNING 'careful'; END $$")
        #expect(seen.map(\.message) == ["hello from plpgsql", "careful"])
        #expect(seen.map(\.severity) == ["NOTICE", "WARNING"])
        #expect(seen.first?.sqlState == "00000")
    }
}
