import Foundation
@testable import Postgres
import Testing

/// Connection-string resolution and password redaction (no server needed).
@Suite struct ConfigTests {
    @Test func redactsPasswordInURLUserInfo() {
        let r = ConnectionConfig.redact("postgres://alice:s3cr%40t@db.example:5432/lm?sslmode=require")
        #expect(r == "postgres://alice:***@db.example:5432/lm?sslmode=require")
    }

    @Test func redactsPasswordQueryParameter() {
        let r = ConnectionConfig.redact("postgresql:///lm?host=/tmp&password=hunter2&port=5")
        #expect(r == "postgresql:///lm?host=/tmp&password=***&port=5")
    }

    /// `sslpassword` (the client key's passphrase) is a secret too, in either form, and a
    /// percent-encoded URL key (which libpq decodes) is recognised.
    /// libpq's user info ends at the first '@' before a '/', so a '?' may be in the password
    /// (it was shown whole); a '/' or '@' in it is hidden too. Pairs split at a form feed.
    @Test func redactsPasswordsHoldingURLDelimiters() {
        #expect(ConnectionConfig.redact("postgresql://nosuch:se?cret@127.0.0.1:54329/db")
                == "postgresql://nosuch:***@127.0.0.1:54329/db")
        #expect(ConnectionConfig.redact("postgresql://u:pa/ss@h/db?sslmode=require&password=x")
                == "postgresql://u:***@h/db?sslmode=require&password=***")
        #expect(ConnectionConfig.redact("postgresql://u:p@ss@h/db") == "postgresql://u:***@h/db")
        #expect(ConnectionConfig.redact("postgresql://h:5432/db?password=x") == "postgresql://h:5432/db?password=***")
        #expect(ConnectionConfig.redact("host=h user=u\u{0C}password=s3cret") == "host=h user=u\u{0C}password=***")
        #expect(Connection.withoutUserInfo(#"could not translate host name "ss@127.0.0.1" to address"#)
                == #"could not translate host name "***@127.0.0.1" to address"#)
    }

    @Test func redactsTheSSLKeyPassphrase() {
        #expect(ConnectionConfig.redact("postgresql://localhost:1/x?sslpassword=s3cret&password=p")
                == "postgresql://localhost:1/x?sslpassword=***&password=***")
        #expect(ConnectionConfig.redact("postgresql://h/x?%70assword=p&sslmode=require")
                == "postgresql://h/x?%70assword=***&sslmode=require")
        #expect(ConnectionConfig.redact("host=h sslpassword=k3y dbname=x") == "host=h sslpassword=*** dbname=x")
    }

    @Test func redactsKeywordPasswordsBareAndQuoted() {
        #expect(ConnectionConfig.redact("host=h password=hunter2 dbname=x") == "host=h password=*** dbname=x")
        // A quoted value may hold spaces and escaped quotes; all of it goes.
        #expect(ConnectionConfig.redact("password = 'a b\\' c' user=u") == "password = *** user=u")
    }

    @Test func keepsStringsWithoutPassword() {
        let s = "host=/x/run port=54329 dbname=labourmatch user=postgres"
        #expect(ConnectionConfig.redact(s) == s)
        #expect(ConnectionConfig.redact("postgres://u@h/db") == "postgres://u@h/db")
    }

    @Test func explicitURLWinsOverEnvironment() {
        let env = ["DATABASE_URL": "postgres://env/db", "PGHOST": "elsewhere"]
        let c = ConnectionConfig.resolve(databaseURL: "postgres://flag/db", environment: env)
        #expect(c.conninfo == "postgres://flag/db")
        #expect(c.source == .explicit)
        #expect(ConnectionConfig.resolve(environment: env).source == .databaseURLVariable)
    }

    @Test func libpqVariablesMeanEmptyConninfo() {
        let c = ConnectionConfig.resolve(environment: ["PGPORT": "6000"])
        #expect(c.conninfo == "")
        #expect(c.source == .libpqEnvironment)
        #expect(c.defaultConnectTimeout == 5)
        #expect(c.description == "PGPORT=6000")
        // PGCONNECT_TIMEOUT is libpq's to apply; an explicit default would override it.
        let t = ConnectionConfig.resolve(environment: ["PGHOST": "h", "PGCONNECT_TIMEOUT": "2"])
        #expect(t.defaultConnectTimeout == nil)
    }

    /// With a URL too: the default 5 s would override PGCONNECT_TIMEOUT (it did, before).
    @Test func pgconnectTimeoutIsLibpqsWhateverTheSource() {
        let env = ["PGCONNECT_TIMEOUT": "2"]
        #expect(ConnectionConfig.resolve(databaseURL: "postgres://flag/db", environment: env).defaultConnectTimeout == nil)
        #expect(ConnectionConfig.resolve(environment: env.merging(["DATABASE_URL": "postgres://env/db"]) { a, _ in a })
            .defaultConnectTimeout == nil)
        #expect(ConnectionConfig.resolve(databaseURL: "postgres://flag/db", environment: [:]).defaultConnectTimeout == 5)
        // And the dev cluster's fallback (it kept 5 s whatever the variable said).
        #expect(ConnectionConfig.resolve(environment: env).source == .devCluster)
        #expect(ConnectionConfig.resolve(environment: env).defaultConnectTimeout == nil)
        #expect(ConnectionConfig.resolve(environment: [:]).defaultConnectTimeout == 5)
    }

    @Test func devClusterUsesProjectSocketAndPort() {
        let env = ["LABOURMATCH_HOME": "/srv/lm", "LABOURMATCH_PGPORT": "55001"]
        let c = ConnectionConfig.resolve(environment: env)
        #expect(c.source == .devCluster)
        #expect(c.conninfo == "host=/srv/lm/.pgdata/run port=55001 dbname=labourmatch user=postgres")
    }

    /// A failed connection to the dev cluster, the last default, says so and how to start it or
    /// name another database; one to a database named otherwise does not.
    @Test func aDevClusterThatIsNotRunningIsNamed() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lm-none-\(UUID().uuidString)").path
        let dev = ConnectionConfig.resolve(environment: ["LABOURMATCH_HOME": home, "LABOURMATCH_PGPORT": "1"])
        #expect(dev.source == .devCluster)
        let said = "this is the dev cluster of Scripts/dev-db, used when no --database-url, DATABASE_URL or PG* variable "
            + "names a database: start it with Scripts/dev-db start"
        #expect(throws: PostgresError.self) { _ = try Connection(dev) }
        do { _ = try Connection(dev) } catch { #expect("\(error)".contains(said), "\(error)") }
        let named = ConnectionConfig.resolve(databaseURL: "host=\(home) port=1 dbname=x", environment: [:])
        do { _ = try Connection(named) } catch { #expect(!"\(error)".contains("dev cluster"), "\(error)") }
        // A running dev cluster that refuses (no such database) needs no start: no hint.
        let running = ConnectionConfig.devCluster(database: "no_such_database_\(UInt32.random(in: 0...UInt32.max))")
        do {
            _ = try Connection(running)
            Issue.record("a database that does not exist was connected to")
        } catch {
            #expect("\(error)".contains("does not exist") && !"\(error)".contains("Scripts/dev-db start"), "\(error)")
        }
    }

    /// A cluster whose socket is only in /tmp (dev-db, when `postgres` cannot reach the project).
    @Test func aSocketOnlyInTmpIsTheOneUsed() throws {
        let port = "1"   // no cluster listens there: the test's own marker files stand in for sockets
        let outside = "/tmp/labourmatch-pg-\(port)"
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lm-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/.pgdata/run", withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: outside)
            try? FileManager.default.removeItem(atPath: home)
        }
        let env = ["LABOURMATCH_HOME": home, "LABOURMATCH_PGPORT": port]
        #expect(ConnectionConfig.devClusterSocketDirectory(environment: env) == home + "/.pgdata/run")
        FileManager.default.createFile(atPath: outside + "/.s.PGSQL.1", contents: Data())
        #expect(ConnectionConfig.devClusterSocketDirectory(environment: env) == outside)
        FileManager.default.createFile(atPath: home + "/.pgdata/run/.s.PGSQL.1", contents: Data())
        #expect(ConnectionConfig.devClusterSocketDirectory(environment: env) == home + "/.pgdata/run")
    }

    @Test func longProjectPathMovesSocketToTmp() {
        let home = "/" + String(repeating: "d", count: 100)
        let dir = ConnectionConfig.devClusterSocketDirectory(environment: ["LABOURMATCH_HOME": home])
        #expect(dir == "/tmp/labourmatch-pg-54329")
    }
}
