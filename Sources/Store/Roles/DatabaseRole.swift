import Postgres

/// The three roles of `Schema/0005_roles.sql`, and which one each command acts as.
///
/// The one place that says which role does what: a command connects with
/// `config.acting(as: role)`, so every connection it opens (the runner's
/// reconnections and its heartbeat too) runs `SET ROLE` first. `db migrate`
/// acts as the login itself, the owner of the schema.
public enum DatabaseRole: String, CaseIterable, Sendable {
    case loader = "labourmatch_loader"
    case runner = "labourmatch_runner"
    case auditor = "labourmatch_auditor"

    /// The role's name in PostgreSQL.
    public var name: String { rawValue }

    /// What the role may do, in one sentence.
    public var duties: String {
        switch self {
        case .loader:
            return "writes feeds, feed_rejections and the entity tables a load merges into; reads what a load "
                + "checks against; nothing else"
        case .runner:
            return "reads the loaded inputs and the loads' records; writes job_instances, runs, run_executions, run_steps, run_leases "
                + "and the run_* result tables"
        case .auditor:
            return "reads runs, results and loads (rejected workers rows without their raw text); writes nothing"
        }
    }

    /// The commands that act as the role.
    public var commands: String {
        switch self {
        case .loader: return "load, feeds show --rejections"
        case .runner: return "run"
        case .auditor: return "verify, runs list|show, feeds list|show, report, explain, export"
        }
    }
}

/// A role as the current login sees it on the server (`labourmatch db roles`).
public struct RoleStatus: Sendable, Hashable {
    public var role: DatabaseRole
    /// The role exists on the server (the migrations create it).
    public var exists: Bool
    /// The login may `SET ROLE` to it (a member, or a superuser).
    public var loginIsMember: Bool
    /// The migrations granted it its privileges in this database's current schema.
    public var grantedHere: Bool
}

extension DatabaseRole {
    /// A table each role is granted a privilege on, to tell whether this schema's migrations ran.
    private var probe: (table: String, privilege: String) {
        switch self {
        case .loader: return ("feeds", "INSERT")
        case .runner: return ("run_matches", "INSERT")
        case .auditor: return ("run_matches", "SELECT")
        }
    }

    /// Every role as the connection's login sees it.
    public static func status(_ db: Connection) throws -> [RoleStatus] {
        try allCases.map { role in
            let row = try db.query("""
                SELECT to_regrole($1) IS NOT NULL,
                       to_regrole($1) IS NOT NULL AND pg_has_role(session_user, $1, 'MEMBER'),
                       to_regrole($1) IS NOT NULL AND to_regclass($2) IS NOT NULL
                           AND has_table_privilege($1, to_regclass($2), $3)
                """, params: [PostgresValue(role.name), PostgresValue(role.probe.table),
                              PostgresValue(role.probe.privilege)])[0]
            return RoleStatus(role: role, exists: try row.decode(0), loginIsMember: try row.decode(1),
                              grantedHere: try row.decode(2))
        }
    }
}

extension ConnectionConfig {
    /// The same configuration, its connections acting as `role`.
    public func acting(as role: DatabaseRole) -> ConnectionConfig { acting(as: role.name) }
}
