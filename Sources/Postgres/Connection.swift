import CLibPQ
import Foundation
import Logging

/// One libpq connection: statements with bind parameters, transactions, COPY, advisory locks.
///
/// Not `Sendable`: a `PGconn` is not thread-safe, so a connection is owned
/// by one task at a time; open one per concurrent task. Calls block the
/// calling thread until the server answers.
public final class Connection {
    private var handle: OpaquePointer?
    /// Where this connection goes (its `redacted` form is what errors show).
    public let config: ConnectionConfig
    /// The schema this session works in (its search_path is it, `pg_catalog`, `pg_temp`), or nil.
    /// A command whose work takes several connections gives the first one's to the others
    /// (`ConnectionConfig.schema`), so that all of them work in the schema its checks looked at.
    public private(set) var home: String?
    private let notices: NoticeSink
    private var savepointCounter = 0

    /// Opens a connection; a server that does not answer fails within the connect timeout (5 s by default).
    ///
    /// The session runs with `client_encoding=UTF8`, `DateStyle=ISO` and
    /// `TimeZone=UTC`, which the decoders rely on, and no statement timeout. Server notices go
    /// to `logger`.
    /// A session's name in `pg_stat_activity` when neither the connection string nor
    /// `PGAPPNAME` gives one.
    static let fallbackApplicationName = "labourmatch"

    /// Names the session in `pg_stat_activity`, where an operator (or a run looking for a
    /// stalled runner's backend) finds it. `unlessGiven`: keep a name the connection string or
    /// `PGAPPNAME` gave (a load's); otherwise replace it (a run's, which its lookups rely on).
    public func setApplicationName(_ name: String, unlessGiven: Bool = false) throws {
        try execute("SELECT pg_catalog.set_config('application_name', $1, false)"
                    + (unlessGiven ? " WHERE pg_catalog.current_setting('application_name') = $2" : ""),
                    params: [PostgresValue(name)] + (unlessGiven ? [PostgresValue(Self.fallbackApplicationName)] : []))
    }

    public init(_ config: ConnectionConfig, logger: Logger = Logger(label: "postgres")) throws {
        self.config = config
        self.notices = NoticeSink(logger: logger)
        try Self.checkParsable(config)
        // Keywords before `dbname` are defaults the conninfo may override; those after it win.
        var keywords: [String] = []
        var values: [String] = []
        if let timeout = config.defaultConnectTimeout {
            keywords.append("connect_timeout"); values.append(String(timeout))
        }
        keywords += ["dbname", "fallback_application_name", "client_encoding"]
        values += [config.conninfo, Self.fallbackApplicationName, "UTF8"]
        let conn = Connection.withCStringArray(keywords) { k in
            Connection.withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let message = conn.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(conn)
            // The dev cluster is the last default: say it was the one tried, and how to start it or
            // name another (a documentation review: only the debug log said where it went).
            // Only when no server answered (a running one's FATAL, a refused password, needs no start).
            let noServer = !message.contains("FATAL") && (message.contains("No such file or directory")
                                                           || message.contains("Connection refused"))
            let devCluster = config.source == .devCluster && noServer
                ? "; this is the dev cluster of Scripts/dev-db, used when no --database-url, DATABASE_URL or PG* "
                    + "variable names a database: start it with Scripts/dev-db start, or name the database" : ""
            throw PostgresError(kind: .connectionFailed,
                                message: Self.withoutUserInfo(PostgresError.oneLine(message.trimmingTrailingNewlines())),
                                connection: config.description + devCluster)
        }
        handle = conn
        PQsetNoticeReceiver(conn, { arg, result in
            guard let arg, let result else { return }
            Unmanaged<NoticeSink>.fromOpaque(arg).takeUnretainedValue().receive(result)
        }, Unmanaged.passUnretained(notices).toOpaque())
        // No statement timeout an administrator set for the login, role or database (or PGOPTIONS):
        // a load's COPY or a run's persist lasts as long as its data, and a run cancelled by one
        // failed at every restart alike (a reliability review). Waits are bounded where they
        // happen (lock_timeout, the lease, the stop budget).
        try runScript("SET statement_timeout = 0; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'postgres'")
        // The schema this session works in, chosen as the login before SET ROLE (after it,
        // "$user" is the role's name, which anyone who may create schemas can take).
        let home = try homeSchema()
        if let role = config.role { try setRole(role) }
        if let home {
            try execute("SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident($1) OPERATOR(pg_catalog.||) "
                        + "', pg_catalog, pg_temp', false)", params: [PostgresValue(home)])
        }
        self.home = home
    }

    /// The one schema every statement of this session looks names up in (then `pg_catalog` and
    /// the session's `pg_temp`), pinned right after `SET ROLE`: `config.schema` when the
    /// operator named it; else, of the schemas of the login's search_path, the first that holds
    /// a table named `schema_migrations`, else the first (where `db migrate` creates them).
    /// Nil when the path names no schema that exists (nothing pinned: nothing is found there).
    ///
    /// A search_path left to the session let a schema that appeared later, or one named after
    /// the role (`"$user"` after SET ROLE), stand in for the project's tables or run its
    /// functions inside the project's statements (regression reviews, session 17: a run of 0
    /// matches sealed and verified; a load's rejected workers' rows copied to another role's
    /// table). So a schema found on the path must be owned by the login, a superuser or the
    /// database's owner; one the operator named is trusted as named.
    private func homeSchema() throws -> String? {
        // The login's schemas first, by a call qualified whole (nothing of the login's path is
        // looked up); then the path is pg_catalog alone, so that nothing below (the trust query,
        // SET ROLE's set_config, the pin) can resolve to a function or operator of a schema the
        // login's path names (a regression review ran one as the login before SET ROLE).
        let path = config.schema != nil ? [] : try query("""
            SELECT s::pg_catalog.text FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS t(s, o)
            ORDER BY o
            """).map { try $0.decode(0, as: String.self) }
        try execute("SELECT pg_catalog.set_config('search_path', 'pg_catalog', false)")
        if let named = config.schema {
            guard try query("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)",
                            params: [PostgresValue(named)])[0].decode(0, as: Bool.self) else {
                close()
                throw PostgresError(kind: .schemaRefused, message: "LABOURMATCH_SCHEMA names the schema '\(named)', which this "
                                    + "database does not have (names are case-sensitive): create it (CREATE SCHEMA), or "
                                    + "name the one that holds the tables", connection: config.description)
            }
            try refuseUntrusted(named)
            return named
        }
        let candidates = try query("""
            SELECT n.nspname, quote_ident(n.nspname), quote_ident(o.rolname),
                   o.rolsuper OR o.rolname = session_user OR o.rolname = 'pg_database_owner'
                   OR n.nspowner = (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()),
                   \(Self.holdsMigrationsTable("n.oid"))
            FROM unnest($1::text[]) WITH ORDINALITY AS p(name, ord)
            JOIN pg_namespace n ON n.nspname = p.name
            JOIN pg_roles o ON o.oid = n.nspowner
            WHERE n.nspname <> 'pg_catalog' AND n.oid <> pg_my_temp_schema()
            ORDER BY 5 DESC, p.ord
            """, params: [.textArray(path)])
        guard let row = candidates.first else { return nil }
        let (name, shown, owner) = (try row.decode(0, as: String.self), try row.decode(1, as: String.self),
                                    try row.decode(2, as: String.self))
        guard try row.decode(3, as: Bool.self) else {
            // Anyone who may create schemas can make one named after a login ("$user", first on
            // the default path) holding a schema_migrations: say which schema of the path would do.
            let trusted = try candidates.dropFirst().first { try $0.decode(3, as: Bool.self) && $0.decode(4, as: Bool.self) }
            let instead = try trusted.map { ". The path's next schema holding LabourMatch's tables, \(try $0.decode(1, as: String.self)), "
                + "is owned by \(try $0.decode(2, as: String.self)): LABOURMATCH_SCHEMA=\(try $0.decode(1, as: String.self)) "
                + "works there whatever the path holds" } ?? ""
            close()
            throw PostgresError(kind: .schemaRefused, message: "the schema this session would work in, \(shown), is owned by "
                                + "\(owner), not by this login, a superuser or the database's owner: a table or function of "
                                + "theirs could stand in for the project's. Take it off the search_path; name it "
                                + "(LABOURMATCH_SCHEMA=\(shown)) only if it is the project's own schema and you trust its "
                                + "owner (README, \"Roles\")\(instead)", connection: config.description)
        }
        try refuseUntrusted(name)
        return name
    }

    /// Refuses to work in `schema` (closing the connection) when someone the session cannot
    /// trust may already have put code there: a role it cannot trust may create objects in it,
    /// owns objects in it, owns the function of a trigger on one of its tables, or may create
    /// such triggers (the TRIGGER privilege). Asked with the path `pg_catalog` alone, before the
    /// pin, so that those objects cannot answer the question.
    ///
    /// PostgreSQL resolves a function, operator or type among the schemas of the path, where an
    /// exact match in an earlier schema, or a candidate that fits the arguments' types better,
    /// wins over `pg_catalog`'s (CVE-2018-1058); and a relation there (a view named
    /// `pg_stat_activity`) stands in for the catalog's. So code of such a role would run inside
    /// LabourMatch's statements with their role's rights: security reviews of session 17 made a
    /// load copy rejected workers' raw rows to another role's table; those of session 18 did it
    /// with a `set_config` or a domain named `text` left in `public` before its CREATE was
    /// revoked (`db migrate` then typed 72 columns with that domain), and with a trigger of a
    /// role granted ALL on the tables (it disabled the append-only guards inside `db migrate`).
    ///
    /// Trusted: superusers, the login, the database's owner and the schema's owner, each with
    /// the roles that are members of it. Not the owner of LabourMatch's tables as such: whoever
    /// created them first owns them, and a role with CREATE could do that before the real
    /// migrate (a regression review had its own `now()` trusted that way); the refusal names
    /// it, and how the operator makes it trusted (owner of the schema or of the database).
    /// The branches of `refuseUntrusted`'s objects for the catalogs whose rows are only a name,
    /// a schema and an owner: (kind, catalog, column prefix).
    private static let namedObjects = [("collation", "pg_collation", "coll"), ("conversion", "pg_conversion", "con"),
                                       ("text search configuration", "pg_ts_config", "cfg"),
                                       ("text search dictionary", "pg_ts_dict", "dict")].map { kind, catalog, prefix in
        """
                        UNION ALL
                        SELECT '\(kind)', quote_ident(x.\(prefix)name), x.\(prefix)owner, 'owner', false FROM \(catalog) x
                        WHERE x.\(prefix)namespace = (SELECT oid FROM home)
        """
    }.joined(separator: "\n")

    private func refuseUntrusted(_ schema: String) throws {
        let home = """
            home AS (
                SELECT n.oid, n.nspowner, d.datdba,
                       (SELECT m.relowner FROM pg_class m JOIN pg_class r ON r.relnamespace = m.relnamespace
                        WHERE m.relnamespace = n.oid AND m.relname = 'schema_migrations' AND m.relkind = 'r'
                          AND r.relname = 'runs' AND r.relkind = 'r' AND r.relowner = m.relowner
                          AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = m.oid AND a.attname = 'sha256'
                                      AND NOT a.attisdropped)) AS tables_owner
                FROM pg_namespace n, pg_database d WHERE n.nspname = $1 AND d.datname = current_database())
            """
        func trusted(_ role: String) -> String {
            """
            (CASE WHEN \(role) = 0 THEN false ELSE (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = \(role))
             OR \(role) = (SELECT r.oid FROM pg_roles r WHERE r.rolname = session_user)
             OR pg_has_role(\(role), h.nspowner, 'MEMBER') OR pg_has_role(\(role), h.datdba, 'MEMBER') END)
            """
        }
        func name(_ role: String) -> String {
            "CASE WHEN \(role) = 0 THEN 'PUBLIC' ELSE (SELECT quote_ident(r.rolname) FROM pg_roles r WHERE r.oid = \(role)) END"
        }
        let creators = try query("""
            WITH \(home)
            SELECT \(name("a.grantee")) FROM home h, pg_namespace n
            CROSS JOIN LATERAL aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
            WHERE n.oid = h.oid AND a.privilege_type = 'CREATE' AND NOT \(trusted("a.grantee"))
            ORDER BY a.grantee <> 0, 1
            """, params: [PostgresValue(schema)]).map { try $0.decode(0, as: String.self) }
        let shown = try query("SELECT quote_ident($1)", params: [PostgresValue(schema)])[0].decode(0, as: String.self)
        if !creators.isEmpty {
            close()
            let roles = creators.joined(separator: ", ")
            throw PostgresError(kind: .schemaRefused, message: "labourmatch's schema lets others create objects in it: "
                + "\(shown) (\(roles)); a function or operator of theirs could run inside labourmatch's statements with its "
                + "role's rights, so labourmatch refuses to work here. The schema's owner revokes it (REVOKE CREATE ON "
                + "SCHEMA \(shown) FROM \(roles); PostgreSQL 15 and later do not grant it on public), or labourmatch's tables "
                + "go to a schema of their own (README, \"Roles\")", connection: config.description)
        }
        let foreign = try query("""
            WITH \(home),
            own (r) AS (VALUES \(Self.ownRelationValues)),
            objects (kind, name, role, how, always) AS (
                SELECT 'relation', quote_ident(c.relname), c.relowner, 'owner', false FROM pg_class c
                WHERE c.relnamespace = (SELECT oid FROM home)
                UNION ALL
                SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE 'function' END,
                       quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')', p.proowner, 'owner',
                       false
                FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM home)
                UNION ALL
                SELECT 'type', quote_ident(t.typname), t.typowner, 'owner', false FROM pg_type t
                WHERE t.typnamespace = (SELECT oid FROM home) AND t.typrelid = 0
                  AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
                UNION ALL
                SELECT 'operator', o.oprname || '(' || format_type(o.oprleft, NULL) || ', ' || format_type(o.oprright, NULL)
                       || ')', o.oprowner, 'owner', false FROM pg_operator o WHERE o.oprnamespace = (SELECT oid FROM home)
                \(Self.namedObjects)
                UNION ALL
                -- An extension's objects belong to the superuser who installed its files, but the
                -- extension to whoever created it (a trusted extension needs CREATE on the
                -- database only), who may update or drop it: in pg_catalog, its operators fit
                -- calls better than the built-in ones.
                SELECT 'extension', quote_ident(e.extname) || CASE WHEN e.extnamespace = 'pg_catalog'::regnamespace
                                                                   THEN ' in pg_catalog' ELSE '' END,
                       e.extowner, 'owner', false
                FROM pg_extension e WHERE e.extnamespace IN ((SELECT oid FROM home), 'pg_catalog'::regnamespace)
                UNION ALL
                -- A trigger runs inside every statement on its table, and who made it is not
                -- recorded: a role once granted TRIGGER (a common GRANT ALL, since revoked) could
                -- leave one. Three regression reviews in a row each found another way to use one
                -- (a function of PostgreSQL's own; a WHEN condition of PostgreSQL's own functions
                -- running any SQL; a trusted BEFORE trigger function dropping rows; an extension's
                -- function pasting an argument into SQL). So LabourMatch's relations carry exactly
                -- the triggers its migrations make, by table, name, function and type.
                SELECT 'trigger', quote_ident(g.tgname) || ' on ' || quote_ident(c.relname)
                       || ', not one of LabourMatch''s own (it would run inside its statements)', NULL, NULL, true
                FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
                WHERE c.relnamespace = (SELECT oid FROM home) AND NOT g.tgisinternal
                  AND c.relname::text IN (SELECT r FROM own)
                  AND (p.pronamespace <> (SELECT oid FROM home)
                       OR (c.relname::text, g.tgname::text, p.proname::text, g.tgtype::int)
                          NOT IN (SELECT * FROM (VALUES \(Self.ownTriggerValues)) t(tbl, tname, fname, ftype)))
                UNION ALL
                -- A foreign key to one of its relations from a table of such a role, or (from any
                -- other table) with an action: a delete cascades into that table and fires its
                -- triggers inside labourmatch's statement (a regression review read every worker
                -- that way). LabourMatch's own have none (NO ACTION), and one without an action
                -- only reads the other table, as its owner.
                SELECT 'foreign key', quote_ident(k.conname) || ' of ' || t.oid::regclass::text || ' to '
                       || quote_ident(c.relname) || CASE WHEN k.confdeltype IN ('c', 'n', 'd') OR k.confupdtype IN ('c', 'n', 'd')
                                                         THEN ', with an ON DELETE or ON UPDATE action' ELSE '' END,
                       t.relowner, 'its table''s owner',
                       (k.confdeltype IN ('c', 'n', 'd') OR k.confupdtype IN ('c', 'n', 'd'))
                       AND NOT (t.relnamespace = (SELECT oid FROM home)
                                AND t.relname::text IN (SELECT r FROM own))
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.confrelid JOIN pg_class t ON t.oid = k.conrelid
                WHERE k.contype = 'f' AND c.relnamespace = (SELECT oid FROM home)
                  AND c.relname::text IN (SELECT r FROM own)
                UNION ALL
                -- The privileges that let a role attach such things to its tables.
                SELECT a.privilege_type || ' privilege on', quote_ident(c.relname), a.grantee, 'granted to', false
                FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                WHERE c.relnamespace = (SELECT oid FROM home) AND a.privilege_type IN ('TRIGGER', 'REFERENCES')
                  AND a.grantee <> c.relowner AND c.relname::text IN (SELECT r FROM own)
                UNION ALL
                SELECT 'REFERENCES privilege on', quote_ident(c.relname) || '.' || quote_ident(t.attname), a.grantee,
                       'granted to', false
                FROM pg_class c JOIN pg_attribute t ON t.attrelid = c.oid CROSS JOIN LATERAL aclexplode(t.attacl) a
                WHERE c.relnamespace = (SELECT oid FROM home) AND a.privilege_type = 'REFERENCES' AND a.grantee <> c.relowner
                  AND c.relname::text IN (SELECT r FROM own)
                UNION ALL
                -- UPDATE on the identity sequences of its tables: setval to the end stops every run
                -- and load (their ids come from them); LabourMatch grants none (review 4, session 19).
                SELECT 'UPDATE privilege on sequence', quote_ident(s.relname), a.grantee, 'granted to', false
                FROM pg_class s JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
                                                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                JOIN pg_class c ON c.oid = d.refobjid CROSS JOIN LATERAL aclexplode(s.relacl) a
                WHERE s.relkind = 'S' AND c.relnamespace = (SELECT oid FROM home) AND c.relname::text IN (SELECT r FROM own)
                  AND a.privilege_type = 'UPDATE' AND a.grantee <> s.relowner)
            SELECT x.object, count(*) OVER (), count(*) FILTER (WHERE x.theirs) OVER (),
                   (SELECT \(name("h.tables_owner")) FROM home h WHERE h.tables_owner IS NOT NULL AND NOT \(trusted("h.tables_owner"))),
                   quote_ident(current_database())
            FROM (
                SELECT DISTINCT o.kind || ' ' || o.name
                                || CASE WHEN o.how IS NULL THEN '' ELSE ' (' || o.how || ' ' || \(name("o.role")) || ')' END
                                AS object,
                       coalesce(o.role = h.tables_owner AND NOT o.always, false) AS theirs
                FROM objects o CROSS JOIN home h
                WHERE o.always OR NOT \(trusted("o.role"))) x
            ORDER BY x.theirs, x.object COLLATE "C" LIMIT 5
            """, params: [PostgresValue(schema)])
        if let first = foreign.first {
            let count = try first.decode(1, as: Int.self), theirs = try first.decode(2, as: Int.self)
            let others = try foreign.prefix(count - theirs).map { try $0.decode(0, as: String.self) }   // listed first
            let named = others.joined(separator: ", ") + (count - theirs > others.count ? ", and \(count - theirs - others.count) more" : "")
            // LabourMatch's own tables, of a login that owns neither the schema nor the database
            // (a pg_restore that kept owners): who created them first cannot tell whether to trust
            // it (a role with CREATE can create them before the real migrate); the operator can.
            // Said first, and their objects not listed (its own foreign keys read as things to
            // drop); worded so that an operator who does not know the role does not hand it the
            // database (regression reviews: a first wording, followed to the letter, did; and
            // REASSIGN OWNED gives away every database the role owns, cluster-wide).
            let tablesOwner = theirs > 0 ? try first.decodeIfPresent(3, as: String.self) : nil
            let database = try first.decode(4, as: String.self)
            var parts: [String] = []
            if let owner = tablesOwner {
                parts.append("labourmatch's schema \(shown): LabourMatch's tables here belong to \(owner), which owns neither "
                    + "the database nor the schema, so neither they nor its \(theirs) object(s) there can be trusted (a role "
                    + "that could create in the schema can create LabourMatch's tables before the real migrate, to have its "
                    + "objects trusted). Only if \(owner) is a login of yours that migrated or restored them (pg_restore keeps "
                    + "owners): restore again as the database's owner with pg_restore --no-owner, or make it the database's "
                    + "owner (ALTER DATABASE \(database) OWNER TO \(owner)). If you do not know \(owner), do neither: take the "
                    + "data out and migrate anew as the database's owner")
            }
            if !others.isEmpty {
                parts.append((tablesOwner == nil ? "labourmatch's schema \(shown) holds" : "Besides, it holds")
                    + " what it cannot trust (objects of a role that is not a superuser, this login, or the owner of the "
                    + "database or of the schema, or a member of one; triggers on its tables other than its own; foreign "
                    + "keys to them with an ON DELETE or ON UPDATE action; UPDATE on their sequences): \(named); one could take the place of "
                    + "PostgreSQL's own inside labourmatch's statements, or run as a trigger inside them, with their role's "
                    + "rights, so labourmatch refuses to work here. Their owner or an administrator drops them or moves "
                    + "them out of the schema (ALTER ... SET SCHEMA), revokes the TRIGGER and REFERENCES privileges (and "
                    + "UPDATE on the sequences), or "
                    + "labourmatch's tables go to a schema of their own. Its tables carry its own triggers only (keep an "
                    + "audit trigger on a table of your own), and a foreign key to them has no ON DELETE or ON UPDATE "
                    + "action (README, \"Roles\")")
            }
            close()
            throw PostgresError(kind: .schemaRefused, message: parts.joined(separator: ". "), connection: config.description)
        }
    }

    /// LabourMatch's relations: what its migrations make (a test keeps it equal to what a migrate
    /// makes). The list tables 0001 made and 0004 dropped are not here: they carried no trigger
    /// and no foreign key action, so a database not migrated past them is checked alike.
    public static let ownRelations = """
        audit_feed_rejections current_employers current_fx_rates current_minimum_wages current_recruiters \
        current_vacancies current_who_list current_workers employer_versions employers feed_rejections feeds \
        fx_rate_versions fx_rates job_instances minimum_wage_versions minimum_wages recruiter_versions recruiters \
        run_exclusions run_executions run_leases run_match_breakdowns run_matches run_participants run_snapshot \
        run_steps run_summaries run_top_candidates runs schema_migrations vacancies vacancy_versions \
        who_list_editions who_list_entries worker_versions workers
        """.split(separator: " ").map(String.init)

    /// The triggers its migrations make, "name function tgtype" to the relations that carry one
    /// (the same test keeps it equal; a trigger a later migration dropped stays here).
    public static let ownTriggers: [String: [String]] = {
        let guarded = ownRelations.filter { !$0.hasPrefix("current_") && !["audit_feed_rejections", "run_leases",
                                                                          "run_match_breakdowns", "schema_migrations"].contains($0) }
        return ["lm_append_only lm_guard 27": guarded, "lm_no_truncate lm_guard 34": guarded,
                "lm_feed_finished lm_feed_finished 5": ["feeds"],
                "lm_feed_rows_guard lm_feed_rows_guard 4": ["feed_rejections", "who_list_editions", "who_list_entries"],
                "lm_insert_guard lm_insert_guard 7": ["run_executions", "run_steps", "runs"],
                "lm_result_guard lm_result_guard 4": ["run_exclusions", "run_matches", "run_participants", "run_snapshot",
                                                      "run_summaries", "run_top_candidates"]]
    }()

    /// `ownRelations` and `ownTriggers` as the rows of VALUES lists.
    private static let ownRelationValues = ownRelations.map { "('\($0)')" }.joined(separator: ", ")
    private static let ownTriggerValues = ownTriggers.sorted { $0.key < $1.key }.flatMap { shape, tables in
        let part = shape.split(separator: " ")
        return tables.map { "('\($0)', '\(part[0])', '\(part[1])', \(part[2]))" }
    }.joined(separator: ", ")

    /// SQL: whether the schema of oid `namespace` holds LabourMatch's `schema_migrations` (with
    /// its `sha256` column: another application's, such as Rails', does not count). The one
    /// test of "LabourMatch's tables are here" of the home schema's choice and of the migrator's
    /// hint of tables elsewhere.
    public static func holdsMigrationsTable(_ namespace: String) -> String {
        """
        EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
                WHERE c.relnamespace = \(namespace) AND c.relname = 'schema_migrations' AND c.relkind = 'r'
                  AND a.attname = 'sha256' AND NOT a.attisdropped)
        """
    }

    /// A string libpq cannot parse can never connect: it is refused as such (permanent), not as a
    /// server that did not answer (which a caller would try again). libpq reads a string as a URL
    /// (`postgresql://`, `postgres://`) or as `key=value` pairs when it is one (holds `=`), else
    /// as a database name; a "name" holding `:`, `/`, `@` or a space is a mistyped URL or string.
    ///
    /// Nothing of an unparsable string is shown, since its password cannot be located: libpq's
    /// message keeps only its punctuation quotes (`"="`), the string only where it came from.
    static func checkParsable(_ config: ConnectionConfig) throws {
        guard let why = ConnectionConfig.unparsableReason(config.conninfo) else { return }
        throw PostgresError(kind: .connectionFailed, message: invalidConnectionString + why,
                            connection: "the \(config.source.optionName) value (not shown: it cannot be parsed, so a password in it could not be located)")
    }

    /// How the message of a connection string libpq cannot parse starts.
    static let invalidConnectionString = "invalid connection string: "

    /// `text` with every double-quoted part that holds an `@` cut to `"***@` and what follows
    /// its last one: a password holding `@` makes libpq read the rest as the host, which it
    /// then quotes (`could not translate host name "ss@db"`).
    static func withoutUserInfo(_ text: String) -> String {
        let parts = text.split(separator: "\"", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return text }
        return parts.enumerated().map { i, part in
            guard i % 2 == 1, i < parts.count - 1, let at = part.lastIndex(of: "@") else { return String(part) }
            return "***" + part[at...]
        }.joined(separator: "\"")
    }

    /// `text` up to its first double-quoted part that is not punctuation only (`"="`, `"]"`),
    /// which becomes `"..."`, and nothing after: libpq quotes the string's own text, a token of
    /// which may be the password, and a quote inside it makes the quoting itself unreliable.
    static func withoutQuotedText(_ text: String) -> String {
        var out = "", rest = Substring(text)
        while let open = rest.firstIndex(of: "\"") {
            out += rest[...open]
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "\""), rest[..<close].count <= 2,
                  !rest[..<close].contains(where: { $0.isLetter || $0.isNumber }) else { return out + "...\"" }
            out += rest[...close]
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// `SET ROLE role` for the session, with an error that says what to do when the login
    /// may not (SQLSTATE 42501: it is not a member) or the role does not exist.
    private func setRole(_ role: String) throws {
        do {
            try execute("SELECT pg_catalog.set_config('role', $1, false)", params: [PostgresValue(role)])
        } catch let error as PostgresError where error.sqlState == "42501" || error.sqlState == "22023" {
            let login = (try? query("SELECT pg_catalog.quote_ident(session_user)").first?.decode(0, as: String.self)) ?? "your_login"
            close()
            if error.sqlState == "22023" {
                throw PostgresError(kind: .server, sqlState: error.sqlState,
                                    message: "role \(role) does not exist on this server",
                                    hint: "the database owner creates it by applying the migrations (labourmatch db migrate)",
                                    connection: config.description)
            }
            throw PostgresError(kind: .server, sqlState: "42501",
                                message: "login '\(login)' is not a member of role \(role): grant \(role) to \(login)",
                                hint: "an administrator runs: GRANT \(role) TO \(login)",
                                connection: config.description)
        }
    }

    deinit { PQfinish(handle) }

    /// Closes the connection; later calls throw a `.misuse` error. Closing twice is harmless.
    public func close() {
        PQfinish(handle)
        handle = nil
    }

    /// The libpq connection, for the module's own extensions.
    var rawHandle: OpaquePointer? { handle }

    /// Whether the connection is open and not broken.
    public var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// The server's version as an integer, e.g. 150018 for 15.18.
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }

    /// Whether a transaction block is open (idle in it, or failed in it).
    public var inTransaction: Bool {
        guard let handle else { return false }
        let s = PQtransactionStatus(handle)
        return s == PQTRANS_INTRANS || s == PQTRANS_INERROR
    }

    /// Receives every server notice (after it is logged); for callers that want them as values.
    public var noticeHandler: ((PostgresNotice) -> Void)? {
        get { notices.handler }
        set { notices.handler = newValue }
    }

    // MARK: - Statements

    /// Runs one statement with bind parameters (`$1`, `$2`, ...); returns the rows it affected (0 if none).
    @discardableResult
    public func execute(_ sql: String, params: [PostgresValue?] = []) throws -> Int {
        try query(sql, params: params).affectedRows ?? 0
    }

    /// Runs one statement with bind parameters and returns its rows.
    public func query(_ sql: String, params: [PostgresValue?] = []) throws -> PostgresRows {
        let conn = try liveHandle(sql)
        for value in params where value?.text.utf8.contains(0) == true {
            throw PostgresError(kind: .misuse, message: "a parameter contains a NUL byte, which PostgreSQL text cannot hold",
                                statement: sql)
        }
        let types = params.map { $0?.type.rawValue ?? 0 }
        let result = Connection.withCStringArray(params.map { $0?.text }) { values in
            PQexecParams(conn, sql, Int32(params.count), types, values, nil, nil, 0)
        }
        return PostgresRows(storage: try check(result, sql))
    }

    /// Runs a script of several statements with no parameters (simple query protocol): for trusted
    /// SQL files such as the migrations of `Schema/`, never for values from outside.
    public func runScript(_ sql: String) throws {
        let conn = try liveHandle(sql)
        _ = try check(PQexec(conn, sql), sql)
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws (the error is rethrown).
    ///
    /// Nested calls use a savepoint, so an inner failure undoes only the inner work.
    /// A COMMIT the server turns into a ROLLBACK (the body swallowed an error) throws.
    public func transaction<T>(isolation: IsolationLevel? = nil, _ body: (Connection) throws -> T) throws -> T {
        let nested = inTransaction
        let savepoint: String?
        if nested {
            savepointCounter += 1
            savepoint = "lm_sp_\(savepointCounter)"
            try execute("SAVEPOINT \(savepoint!)")
        } else {
            savepoint = nil
            try execute(isolation.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN")
        }
        let value: T
        do {
            value = try body(self)
        } catch {
            if isOpen {
                // The body's error is what matters; a failed ROLLBACK on a broken session adds nothing.
                _ = try? execute(savepoint.map { "ROLLBACK TO SAVEPOINT \($0)" } ?? "ROLLBACK")
                if let savepoint { _ = try? execute("RELEASE SAVEPOINT \(savepoint)") }
            }
            throw error
        }
        if let savepoint {
            try execute("RELEASE SAVEPOINT \(savepoint)")
        } else {
            let rows = try query("COMMIT")
            if String(cString: PQcmdStatus(rows.storage.result)) == "ROLLBACK" {
                throw PostgresError(kind: .server, sqlState: "25P02",
                                    message: "the transaction was rolled back: a statement in it had failed",
                                    statement: "COMMIT")
            }
        }
        return value
    }

    /// Transaction isolation levels for `transaction(isolation:_:)`.
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    // MARK: - Internals shared with COPY

    /// The open handle, or a `.misuse` (closed) / `.connectionLost` (broken) error.
    func liveHandle(_ statement: String?) throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(kind: .misuse, message: "the connection is closed", statement: statement)
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connectionLost, message: "the connection to the server was lost",
                                statement: statement, connection: config.description)
        }
        return handle
    }

    /// Wraps a successful result, or frees a failed one and throws its error.
    func check(_ result: OpaquePointer?, _ sql: String?) throws -> ResultStorage {
        guard let result else { throw lastError(sql) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return ResultStorage(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            // Leave the connection usable: end the COPY the caller did not mean to start.
            if status == PGRES_COPY_IN, let handle { _ = PQputCopyEnd(handle, "COPY is not allowed here") }
            drainResults()
            throw PostgresError(kind: .misuse, message: "COPY needs copyIn or copyOut, not execute or query",
                                statement: sql)
        default:
            let broken = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
            let error = PostgresError(result: result, statement: sql, connectionBroken: broken)
            PQclear(result)
            throw error
        }
    }

    /// The connection's last error message as an error (no `PGresult` to read it from).
    func lastError(_ sql: String?) -> PostgresError {
        guard let handle else { return PostgresError(kind: .misuse, message: "the connection is closed") }
        let broken = PQstatus(handle) != CONNECTION_OK
        let message = PostgresError.oneLine(String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines())
        return PostgresError(kind: broken ? .connectionLost : .server,
                             message: message.isEmpty ? "no result from the server" : message,
                             statement: sql, connection: broken ? config.description : nil)
    }

    /// Reads and frees results until libpq has none left (after a COPY or an error mid-stream).
    func drainResults() {
        guard let handle else { return }
        while let r = PQgetResult(handle) {
            let status = PQresultStatus(r)
            PQclear(r)
            if status == PGRES_COPY_IN { _ = PQputCopyEnd(handle, "aborted") }
            if status == PGRES_COPY_OUT {
                var buffer: UnsafeMutablePointer<CChar>?
                while PQgetCopyData(handle, &buffer, 0) > 0 { PQfreemem(buffer) }
            }
        }
    }

    /// Lends libpq an array of C strings (nil as a NULL pointer) followed by a NULL terminator,
    /// which `PQconnectdbParams` needs and `PQexecParams` ignores.
    static func withCStringArray<R>(_ strings: [String?],
                                    _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
        defer { owned.forEach { free($0) } }
        let borrowed: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } } + [nil]
        return borrowed.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

extension ConnectionConfig {
    /// Why libpq cannot use `info` (its message, quoted text cut), or nil when it parses it or
    /// takes it for a database name. See `Connection.checkParsable`.
    static func unparsableReason(_ info: String) -> String? {
        guard !info.isEmpty else { return nil }
        let lower = info.lowercased()
        if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") || info.contains("=") {
            var parseError: UnsafeMutablePointer<CChar>?
            if let options = PQconninfoParse(info, &parseError) {
                PQconninfoFree(options)
                return nil
            }
            let why = Connection.withoutQuotedText(PostgresError.oneLine((parseError.map { String(cString: $0) } ?? "out of memory")
                .trimmingTrailingNewlines()))
            PQfreemem(parseError)
            return why
        }
        if info.contains(where: { ":/@".contains($0) || $0.isWhitespace }) {
            return "neither a postgresql:// URL, nor key=value pairs, nor a database name"
        }
        return nil   // a database name
    }
}
