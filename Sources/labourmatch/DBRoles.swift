import ArgumentParser
import Batch
import Foundation
import Postgres
import Store

/// `labourmatch db roles`: the roles the commands act as, and whether this login may take them.
struct DBRoles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "List the database roles the commands act as, and whether your login is a member of each.",
        discussion: """
        After connecting, each command switches (SET ROLE) to the role that \
        does its work and nothing more: \(DatabaseRole.allCases.map { "\($0.commands) as \($0.name)" }
            .joined(separator: "; ")); db migrate acts as the login itself (the owner). \
        The migrations create the roles (NOLOGIN) and grant them their \
        privileges; an administrator grants them to real logins:

          CREATE ROLE alice LOGIN;
          GRANT labourmatch_loader TO alice;

        Exit status 0 when the login may take every role and each role holds its \
        privileges in this database (granted by db migrate), 1 otherwise.
        """
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let roles: [RoleStatus]
        let login: String
        var why: String?
        var home: String?
        do {
            let db = try database.connect(as: nil, logger: CommandLog.logger("roles"))
            defer { db.close() }
            roles = try DatabaseRole.status(db)
            login = try db.query("SELECT quote_ident(session_user)")[0].decode(0)
            if let name = db.home {
                home = try db.query("SELECT pg_catalog.quote_ident($1)", params: [PostgresValue(name)])[0].decode(0)
            }
            // Why no role holds its privileges, when it can be told: another application's
            // schema_migrations here, or LabourMatch's tables in a schema the path does not name.
            if roles.contains(where: { $0.exists && !$0.grantedHere }) {
                why = try (database.config.schema == nil ? Migrator.tablesElsewhere(db) : nil)
                    ?? Migrator.foreignTableHere(db)
            }
        } catch {
            throw CommandLog.fail(error)
        }
        print("login \(login) on \(database.config.description)")
        var rows = [["role", "exists", "granted here", "you may act as it", "commands", "may"]]
        for r in roles {
            rows.append([r.role.name, r.exists ? "yes" : "no", r.grantedHere ? "yes" : "no",
                         r.loginIsMember ? "yes" : "no", r.role.commands, r.role.duties])
        }
        print(table(rows))
        let missing = roles.filter { !$0.loginIsMember }
        for r in missing {
            let fix = r.exists ? "GRANT \(r.role.name) TO \(login);" : "labourmatch db migrate creates it (its login needs CREATEROLE), or an administrator runs CREATE ROLE \(r.role.name) NOLOGIN; before it"
            Console.error("labourmatch: \(login) cannot act as \(r.role.name): \(fix)\n")
        }
        // Roles are the cluster's, privileges the database's: on a database never migrated (or
        // migrated in a schema the path does not name) every command acting as a role fails,
        // and this said status 0.
        let ungranted = roles.filter { $0.exists && !$0.grantedHere }
        if !ungranted.isEmpty {
            let names = ungranted.map(\.role.name).joined(separator: ", ")
            Console.error("labourmatch: \(names) \(ungranted.count == 1 ? "holds none of its" : "hold none of their") privileges "
                          + "in \(home.map { "schema \($0)" } ?? "the schema"), where this session looks for LabourMatch's "
                          + "tables: " + (why ?? "it was not migrated here, or in another "
                            + "schema (labourmatch db status says which); labourmatch db migrate grants them") + "\n")
        }
        guard missing.isEmpty && ungranted.isEmpty else { throw ExitCode(1) }
    }
}
