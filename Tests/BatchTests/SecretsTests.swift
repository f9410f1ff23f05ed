import Foundation
import Postgres
import Testing

/// A password given in a URL or a conninfo string never reaches the logs, an
/// error message, the run record or the run's files: checked through the real
/// commands, at the most verbose log level.
@Suite struct SecretsTests {
    static let password = "s3cretPW"
    static let trace = ["LABOURMATCH_LOG_LEVEL": "trace"]

    /// Runs a command with `--database-url url` and expects the password in neither stdout nor stderr.
    @discardableResult
    func expectNoPassword(_ arguments: [String], url: String, status: Int32? = nil,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIProcess.Outcome {
        let outcome = try CLIProcess.run(arguments + ["--database-url", url], environment: SecretsTests.trace)
        let shown = outcome.stdout + outcome.stderr
        #expect(!shown.contains(SecretsTests.password), "\(arguments): \(shown)", sourceLocation: sourceLocation)
        if let status {
            #expect(outcome.status == status, "\(arguments): \(outcome.stderr)", sourceLocation: sourceLocation)
        }
        return outcome
    }

    @Test func passwordOfAWorkingConnectionIsNeverShownNorStored() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        // The dev cluster trusts local logins, so the password is carried along and ignored by the server.
        let url = SecretsTests.withPassword(fixture.database.conninfo)
        let out = fixture.dir.appendingPathComponent("run")
        let run = try expectNoPassword(["run", "--date", FixtureRun.runDate, "--out", out.path], url: url, status: 0)
        #expect(run.stderr.contains("lease taken"), "the log is on: \(run.stderr)")
        let id = try fixture.rows("SELECT max(run_id)::text FROM runs")[0][0]
        let worker = try fixture.rows("SELECT min(worker_id) FROM run_matches")[0][0]
        for arguments in [["runs", "list"], ["runs", "show", id], ["verify", id], ["verify", "--chain"],
                          ["report", id, "--format", "html", "--out", "-"], ["report", id, "--format", "json", "--out", "-"],
                          ["explain", id, "--worker", worker],
                          ["export", id, "--out", fixture.dir.appendingPathComponent("export").path],
                          ["load", "employers", projectRoot.appendingPathComponent("Fixtures/employers.csv").path],
                          ["feeds", "list"], ["feeds", "show", "1"], ["db", "status"], ["db", "roles"]] {
            try expectNoPassword(arguments, url: url, status: 0)
        }
        // The run record: every row a run and a load wrote, as text.
        let db = try fixture.database.connect()
        defer { db.close() }
        let stored = try db.query("""
            SELECT t::text FROM (
                SELECT row_to_json(r)::text AS t FROM runs r UNION ALL SELECT row_to_json(e)::text FROM run_executions e
                UNION ALL SELECT row_to_json(s)::text FROM run_steps s UNION ALL SELECT row_to_json(i)::text FROM job_instances i
                UNION ALL SELECT summary_json FROM run_summaries UNION ALL SELECT row_to_json(f)::text FROM feeds f
                UNION ALL SELECT row_to_json(l)::text FROM run_leases l) x
            """).map { try $0.decode(0, as: String.self) }
        #expect(stored.count > 10)
        #expect(!stored.contains { $0.contains(SecretsTests.password) })
        #expect(stored.contains { $0.contains(out.path) }, "the run record holds the report directory")
        var files = 0
        for dir in [out, fixture.dir.appendingPathComponent("export")] {
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                files += 1
                #expect(!(try contents(dir.appendingPathComponent(name))).contains(SecretsTests.password), "\(name)")
            }
        }
        #expect(files == 9, "report.html, report.md, SHA256SUMS and the result files, and the export")
    }

    @Test func passwordNeverReachesConnectionErrors() throws {
        let database = try ScratchDatabase()
        defer { database.drop() }
        let server = try RefusingServer()
        defer { server.stop() }
        let pw = SecretsTests.password
        // A server that does not answer is a failure (1); a login that can never succeed is bad
        // usage (2), for every command.
        let cases: [(what: String, url: String, says: String, status: Int32)] = [
            ("no server listening (URL)", "postgresql://u:\(pw)@127.0.0.1:1/labourmatch?connect_timeout=2", "***", 1),
            ("no server listening (conninfo)", "host=127.0.0.1 port=1 user=u password=\(pw) dbname=labourmatch",
             "password=***", 1),
            ("server refuses the login",
             SecretsTests.withPassword(LoginURL.replacingUser(database.conninfo, with: "lm_no_such_login")),
             "lm_no_such_login", 2),
            ("wrong password (URL)", "postgresql://u:\(pw)@127.0.0.1:\(server.port)/labourmatch?sslmode=disable",
             "password authentication failed", 2),
            ("wrong password (conninfo)",
             "host=127.0.0.1 port=\(server.port) user=u password='\(pw)' dbname=labourmatch sslmode=disable",
             "password authentication failed", 2),
        ]
        for c in cases {
            for arguments in [["runs", "list"], ["verify", "--chain"], ["db", "migrate"],
                              ["load", "employers", projectRoot.appendingPathComponent("Fixtures/employers.csv").path]] {
                let outcome = try expectNoPassword(arguments, url: c.url, status: c.status)
                #expect(outcome.stderr.contains(c.says), "\(c.what), \(arguments): \(outcome.stderr)")
            }
        }
        // Mistyped strings libpq cannot parse: refused (2) without the string, which the debug
        // log's "connecting" line (trace here) printed whole, password and all.
        for mistyped in ["u:\(pw)@db:5432/x", "postgresql:/alice:\(pw)@db/x", "jdbc:postgresql://db/x?user=a&password=\(pw)"] {
            for arguments in [["runs", "list"], ["load", "employers", projectRoot.appendingPathComponent("Fixtures/employers.csv").path]] {
                let outcome = try expectNoPassword(arguments, url: mistyped, status: 2)
                #expect(outcome.stderr.contains("not shown"), "\(mistyped), \(arguments): \(outcome.stderr)")
            }
        }
        // The pretend server did get the password: the commands did send it, and hid it.
        #expect(server.passwords.count == 8 && server.passwords.allSatisfy { $0 == pw }, "\(server.passwords)")
        // The nightly run stops at once (exit 2) on a login that can never succeed, and retries a
        // server that does not answer; both say so without the password.
        let refused = try expectNoPassword(["run", "--date", FixtureRun.runDate], url: cases[3].url, status: 2)
        #expect(refused.stderr.contains("password authentication failed"), "\(refused.stderr)")
        let run = try expectNoPassword(["run", "--date", FixtureRun.runDate], url: cases[0].url, status: 1)
        #expect(run.stderr.contains("step lock failed"), "\(run.stderr)")
        // And what to do next: nothing was started, the same command starts it.
        #expect(run.stderr.contains("; the same command starts the run, or resumes it if a commit whose answer was lost "
                                    + "did start it (once the cause is gone)"),
                "\(run.stderr)")
    }

    /// `conninfo` with the test password: in a URL's user info, else as `password=`.
    static func withPassword(_ conninfo: String) -> String {
        let lower = conninfo.lowercased()
        guard lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://"),
              let at = conninfo.firstIndex(of: "@") else { return conninfo + " password=\(password)" }
        return String(conninfo[..<at]) + ":\(password)" + String(conninfo[at...])
    }
}

/// A pretend PostgreSQL server on 127.0.0.1 that asks every client for a cleartext
/// password and refuses it (SQLSTATE 28P01), as a server with password
/// authentication does; it keeps the passwords it was sent. The dev cluster trusts
/// local logins, so it cannot refuse a password itself.
///
/// `@unchecked Sendable`: `received` is only touched under `lock`.
final class RefusingServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// The passwords clients sent, in order.
    var passwords: [String] { lock.lock(); defer { lock.unlock() }; return received }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 && errno == EINTR { continue }
            if client < 0 { return }
            answer(client)
            close(client)
        }
    }

    /// Startup (refusing SSL and GSS encryption), a cleartext password request, the password, a refusal.
    private func answer(_ client: Int32) {
        var startup = packet(client)
        while let p = startup, p.count == 4, [80877103, 80877104].contains(Self.int32(p, at: 0)) {
            send(client, [UInt8(ascii: "N")])
            startup = packet(client)
        }
        guard startup != nil else { return }
        send(client, [UInt8(ascii: "R"), 0, 0, 0, 8, 0, 0, 0, 3])
        guard let type = read(client, 1), type == [UInt8(ascii: "p")], let body = packet(client) else { return }
        lock.lock()
        received.append(String(decoding: body.prefix { $0 != 0 }, as: UTF8.self))
        lock.unlock()
        var fields: [UInt8] = []
        for (code, text) in [("S", "FATAL"), ("V", "FATAL"), ("C", "28P01"), ("M", "password authentication failed for user \"u\"")] {
            fields += Array(code.utf8) + Array(text.utf8) + [0]
        }
        fields.append(0)
        let length = UInt32(fields.count + 4)
        send(client, [UInt8(ascii: "E")] + withUnsafeBytes(of: length.bigEndian) { Array($0) } + fields)
    }

    /// A length-prefixed message body (the length counts itself).
    private func packet(_ client: Int32) -> [UInt8]? {
        guard let head = read(client, 4) else { return nil }
        let length = Self.int32(head, at: 0)
        guard length >= 4, length < 10_000 else { return nil }
        return read(client, Int(length) - 4)
    }

    private func read(_ client: Int32, _ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { recv(client, $0.baseAddress! + got, count - got, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            got += n
        }
        return out
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Foundation.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func int32(_ bytes: [UInt8], at i: Int) -> Int {
        Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
    }
}
