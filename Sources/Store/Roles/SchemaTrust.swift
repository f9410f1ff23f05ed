import Postgres

/// Whether someone else may create objects in the schema a session works in.
///
/// Every connection pins its search_path to one schema (then `pg_catalog`, `pg_temp`), owned by
/// the login, a superuser or the database's owner, or named by the operator
/// (`Connection.homeSchema`, `LABOURMATCH_SCHEMA`): no other schema is searched, whatever
/// appears later. But PostgreSQL resolves a function or operator call among the schemas of the
/// path, where a candidate that fits the arguments' types better wins over `pg_catalog`'s
/// (CVE-2018-1058): a role that may create in that schema can still have its function run
/// inside LabourMatch's statements with their role's rights (a security review, session 17,
/// made `load` copy rejected workers' raw rows to its own table). So every command refuses a
/// schema of its search_path in which anyone but its owner, a superuser or the login may
/// create: PostgreSQL 15's default for `public`; earlier versions let everyone create in it.
public enum SchemaTrust {
    /// The sentence that says whom the session's schema lets create objects and how to mend
    /// it, or nil when it lets nobody else.
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
        // The path is the one schema and pg_catalog (where only superusers create), so one schema
        // at most; any schema the query names is listed all the same.
        return "labourmatch's schema lets others create objects in it: \(named); a function "
            + "or operator of theirs could run inside labourmatch's statements with its role's rights, so labourmatch "
            + "refuses to work here. The schema's owner revokes it (\(revoke); PostgreSQL 15 and later do not grant "
            + "it on public), or labourmatch's tables go to a schema of their own (README, \"Roles\")"
    }
}
