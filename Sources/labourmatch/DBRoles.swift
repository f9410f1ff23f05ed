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

        Exit status 0 when the login may take every role, 1 otherwise.
        """
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let roles: [RoleStatus]
        let login: String
        do {
            let db = try database.connect(as: nil, logger: CommandLog.logger("roles"))
            defer { db.close() }
            roles = try DatabaseRole.status(db)
            login = try db.query("SELECT quote_ident(session_user)")[0].decode(0)
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
        guard missing.isEmpty else {
            for r in missing {
                let fix = r.exists ? "GRANT \(r.role.name) TO \(login);" : "labourmatch db migrate creates it (its login needs CREATEROLE), or an administrator runs CREATE ROLE \(r.role.name) NOLOGIN; before it"
                Console.error("labourmatch: \(login) cannot act as \(r.role.name): \(fix)\n")
            }
            throw ExitCode(1)
        }
    }
}
