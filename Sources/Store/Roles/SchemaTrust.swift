import Postgres

/// Whether someone else may create objects in the schemas a session looks names up in.
///
/// PostgreSQL resolves a function or operator call among every schema of the `search_path`
/// (`pg_catalog` first), and a candidate that fits the arguments' types better wins over
/// `pg_catalog`'s: a role that may create in such a schema can have its own function run
/// inside another role's statements, with that role's rights (CVE-2018-1058). A security
/// review (session 17) made `labourmatch load` copy rejected workers' raw rows to such a
/// role's table, and the runner insert a match while sealing a run. So every command refuses
/// a search_path schema in which anyone but its owner, a superuser or the login itself may
/// create: PostgreSQL 15's default for `public`, which earlier versions let everyone create in.
public enum SchemaTrust {
    /// The sentence that says which schemas of the session's search_path let whom create
    /// objects and how to mend it, or nil when none does.
    public static func problem(_ db: Connection) throws -> String? {
        let rows = try db.query("""
            SELECT pg_catalog.quote_ident(n.nspname),
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(g.rolname) END
            FROM pg_catalog.pg_namespace n
            CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
            LEFT JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
            WHERE n.nspname = ANY (pg_catalog.current_schemas(false)) AND a.privilege_type = 'CREATE'
              AND a.grantee <> n.nspowner AND NOT COALESCE(g.rolsuper, false)
              AND a.grantee <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user)
            ORDER BY 1, a.grantee <> 0, 2
            """)
        guard !rows.isEmpty else { return nil }
        var grantees: [(schema: String, roles: [String])] = []
        for row in rows {
            let schema: String = try row.decode(0), role: String = try row.decode(1)
            if grantees.last?.schema == schema { grantees[grantees.count - 1].roles.append(role) } else {
                grantees.append((schema, [role]))
            }
        }
        let named = grantees.map { "\($0.schema) (\($0.roles.joined(separator: ", ")))" }.joined(separator: ", ")
        let revoke = grantees.map { "REVOKE CREATE ON SCHEMA \($0.schema) FROM \($0.roles.joined(separator: ", "))" }
            .joined(separator: "; ")
        return "this session's search_path has schemas in which others may create objects: \(named); a function "
            + "or operator of theirs could run inside labourmatch's statements with its role's rights, so labourmatch "
            + "refuses to work here. The schema's owner revokes it (\(revoke); PostgreSQL 15 and later do not grant "
            + "it on public), or labourmatch's tables go to a schema of their own (README, \"Roles\")"
    }
}
