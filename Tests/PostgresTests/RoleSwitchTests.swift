import Foundation
import Postgres
import Testing

/// A configuration acting as a role switches every connection to it, or says why it cannot.
@Suite struct RoleSwitchTests {
    @Test func connectionActsAsTheRole() throws {
        // pg_monitor is built into every server; the tests' login (a superuser) may take it.
        let db = try Connection(TestDatabase.config().acting(as: "pg_monitor"))
        defer { db.close() }
        #expect(try db.query("SELECT current_user::text, session_user::text")[0].decode(0, as: String.self) == "pg_monitor")
        // Acting as nobody in particular: the login itself.
        let plain = try Connection(TestDatabase.config().acting(as: "pg_monitor").acting(as: nil))
        defer { plain.close() }
        #expect(try plain.query("SELECT current_user = session_user")[0].decode(0, as: Bool.self))
    }

    @Test func missingRoleSaysHowItIsCreated() throws {
        let e = try #require(throws: PostgresError.self) {
            try Connection(TestDatabase.config().acting(as: "lm_no_such_role"))
        }
        #expect(e.sqlState == "22023")
        #expect(e.message == "role lm_no_such_role does not exist on this server")
        #expect(e.hint?.contains("labourmatch db migrate") == true)
        #expect(e.kind == .server, "not a connection failure: retrying cannot help")
    }
}
