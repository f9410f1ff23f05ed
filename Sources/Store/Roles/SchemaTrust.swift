import Postgres

/// Whether the schemas a session looks names up in are LabourMatch's and trusted ones only.
///
/// PostgreSQL finds an unqualified table in the first schema of the `search_path` that has
/// it, and resolves a function or operator call among every schema of the path (`pg_catalog`
/// first), where a candidate that fits the arguments' types better wins over `pg_catalog`'s.
/// So a schema of the path that someone else owns, or may create in, can stand in for
/// LabourMatch's tables or have its functions run inside LabourMatch's statements with their
/// role's rights (CVE-2018-1058). Reviews (session 17) made `load` copy rejected workers' raw
/// rows to another role's table, the runner insert a match while sealing a run, and a run read
/// an empty `current_fx_rates` of a schema put first on the path (0 matches, sealed, verified),
/// also of a schema named after the role (`"$user"` after `SET ROLE`) holding a table named
/// `schema_migrations`. So every command refuses a search_path on which, `pg_catalog` and the
/// session's `pg_temp` aside:
///   * a schema comes before the one that holds LabourMatch's tables (`schema_migrations`);
///   * a schema is owned by someone but the login, a role it is a member of, a superuser or the
///     database's owner, unless the operator named it as LabourMatch's (`LABOURMATCH_SCHEMA`,
///     which also pins every connection's search_path to it);
///   * anyone but a schema's owner, a superuser or the login may create in a schema (PostgreSQL
///     15's default for `public`; earlier versions let everyone create in it).
public enum SchemaTrust {
    /// The sentence that says what is wrong with the session's search_path and how to mend
    /// it, or nil when nothing is.
    public static func problem(_ db: Connection) throws -> String? {
        let configured = db.config.schema
        let schemas = try db.query("""
            WITH RECURSIVE me AS (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user),
                 member_of AS (SELECT a.roleid FROM pg_catalog.pg_auth_members a WHERE a.member = (SELECT oid FROM me)
                               UNION SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN member_of m ON a.member = m.roleid)
            SELECT pg_catalog.quote_ident(n.nspname), n.nspname, pg_catalog.quote_ident(o.rolname),
                   o.rolsuper OR n.nspowner = (SELECT oid FROM me) OR n.nspowner IN (SELECT roleid FROM member_of)
                   OR n.nspowner = (SELECT d.datdba FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
                   OR o.rolname = 'pg_database_owner',
                   EXISTS (SELECT FROM pg_catalog.pg_class c
                           WHERE c.relnamespace = n.oid AND c.relname = 'schema_migrations' AND c.relkind = 'r'),
                   n.nspname = 'pg_catalog' OR n.oid = pg_catalog.pg_my_temp_schema()
            FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS p(name, ord)
            JOIN pg_catalog.pg_namespace n ON n.nspname = p.name
            JOIN pg_catalog.pg_roles o ON o.oid = n.nspowner
            ORDER BY p.ord
            """).map { r in
            (name: try r.decode(0, as: String.self), raw: try r.decode(1, as: String.self),
             ownerName: try r.decode(2, as: String.self), trustedOwner: try r.decode(3, as: Bool.self),
             home: try r.decode(4, as: Bool.self), system: try r.decode(5, as: Bool.self))
        }.filter { !$0.system }
        if let home = schemas.firstIndex(where: \.home), home > 0 {
            let before = schemas[..<home].map(\.name).joined(separator: ", ")
            return "this session's search_path puts \(before) before \(schemas[home].name), which holds LabourMatch's "
                + "tables: a table or function there would stand in for LabourMatch's, so labourmatch refuses to work "
                + "here. Set the search_path to \(schemas[home].name) first, or name it: LABOURMATCH_SCHEMA=\(schemas[home].name) "
                + "(README, \"Roles\")"
        }
        let foreign = schemas.filter { !$0.trustedOwner && $0.raw != configured }
        if !foreign.isEmpty {
            let listed = foreign.map { "\($0.name) (owned by \($0.ownerName))" }.joined(separator: ", ")
            return "this session's search_path has schemas owned by someone other than this login, a role it is a member "
                + "of, a superuser or the database's owner: \(listed); a table or function of theirs could stand in for "
                + "LabourMatch's or run inside its statements, so labourmatch refuses to work here. If one of them is "
                + "LabourMatch's own schema, name it (LABOURMATCH_SCHEMA=NAME: every connection then searches it alone); "
                + "else take them off the search_path (README, \"Roles\")"
        }
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
