import Batch
import Foundation
import Postgres
import Store
import Testing

/// Expects `sql` to fail with SQLSTATE `state` (LM001: an append-only trigger; 42501: a missing privilege).
private func expectRefused(_ db: Connection, _ sql: String, _ state: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let error = #expect(throws: PostgresError.self, "\(sql)", sourceLocation: sourceLocation) { try db.execute(sql) }
    #expect(error?.sqlState == state, "\(sql): \(String(describing: error))", sourceLocation: sourceLocation)
}

/// The run record is append-only and every succeeded run is a link of the hash chain that `verify` checks.
@Suite struct ChainTests {
    @Test func runsAreLinkedAndFinal() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let first = try fixture.run(out: "one")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("chain: link 1, chain_sha256 "), "\(first.stdout)")
        let second = try fixture.run(out: "two", ["--rerun"])
        #expect(second.status == 0, "\(second.stderr)")
        let ids = try fixture.rows("SELECT run_id::text FROM runs ORDER BY run_id").map { $0[0] }
        #expect(ids.count == 2)
        // Its log: every line from the execution's start names the run and the execution.
        #expect(first.stderr.contains("execution=1 run=\(ids[0]) step=persist [Batch] step started"), "\(first.stderr)")
        #expect(first.stderr.contains("chain_seq=1 execution=1 matched="), "\(first.stderr)")
        #expect(first.stderr.contains("run=\(ids[0]) [Batch] run succeeded"), "\(first.stderr)")

        let verified = try fixture.command(["verify", ids[1]])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("chain: link 2 holds"), "\(verified.stdout)")
        #expect(verified.stdout.contains("linked to run \(ids[0])"), "\(verified.stdout)")
        let chain = try fixture.command(["verify", "--chain"])
        #expect(chain.status == 0, "\(chain.stdout)\(chain.stderr)")
        #expect(chain.stdout.contains("all 2 links hold; head: link 2, run \(ids[1])"), "\(chain.stdout)")

        // A succeeded run, its executions and steps are final, even for the owner.
        let db = try fixture.database.connect()
        defer { db.close() }
        expectRefused(db, "UPDATE runs SET status = 'failed'", "LM001")
        expectRefused(db, "UPDATE runs SET report_dir = '/elsewhere'", "LM001")
        expectRefused(db, "DELETE FROM runs", "LM001")
        expectRefused(db, "UPDATE run_executions SET status = 'running'", "LM001")
        expectRefused(db, "UPDATE run_steps SET duration_ms = 0", "LM001")
        expectRefused(db, "UPDATE run_summaries SET summary_json = '{}'", "LM001")
        expectRefused(db, "DELETE FROM run_snapshot", "LM001")
        expectRefused(db, "UPDATE job_instances SET policy_text = ''", "LM001")
        // The runner may not touch what loads wrote.
        let runner = try Connection(ConnectionConfig(conninfo: fixture.database.conninfo).acting(as: .runner))
        defer { runner.close() }
        expectRefused(runner, "UPDATE feeds SET rows_read = 0", "42501")
        expectRefused(runner, "DELETE FROM worker_versions", "42501")
        // Nor insert a run already succeeded (outside the chain), nor add executions to a succeeded
        // run, nor steps to an ended execution (0007_insert_guards).
        expectRefused(runner, """
            INSERT INTO runs (instance_id, number, engine_version, status, finished_at)
            SELECT instance_id, 99, engine_version, 'succeeded', now() FROM runs LIMIT 1
            """, "LM001")
        expectRefused(runner, """
            INSERT INTO run_executions (run_id, host, pid, resumed_at)
            SELECT run_id, 'forged', 1, 'report' FROM runs WHERE status = 'succeeded' LIMIT 1
            """, "LM001")
        expectRefused(runner, """
            INSERT INTO run_steps (execution_id, step, status, started_at)
            SELECT execution_id, 'report', 'completed', now() FROM run_executions LIMIT 1
            """, "LM001")
        #expect(try fixture.rows("SELECT count(*)::text FROM run_executions")[0][0] == "2")
    }

    /// Result rows go only into a run that exists and is started (0011_result_guards), by INSERT
    /// or COPY: a runner login can neither plant rows under a run id not yet given out (the next
    /// run would deliver and seal them as its own) nor add rows to a sealed run.
    @Test func resultRowsGoOnlyIntoARunningRun() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "one").status == 0)
        let runner = try Connection(ConnectionConfig(conninfo: fixture.database.conninfo).acting(as: .runner))
        defer { runner.close() }
        let sealed = try fixture.rows("SELECT run_id::text FROM runs")[0][0]
        let next = String(Int(sealed)! + 1)
        for run in [sealed, next] {
            expectRefused(runner, """
                INSERT INTO run_matches SELECT \(run), 'W-FORGED', vacancy_id, fit_micro, worker_rank, occupation, skills,
                    experience, languages, education FROM run_matches LIMIT 1
                """, "LM001")
            expectRefused(runner, "INSERT INTO run_snapshot VALUES (\(run), 'worker', 'W-FORGED', 1)", "LM001")
            expectRefused(runner, "INSERT INTO run_participants VALUES (\(run), 'worker', 'W-FORGED', true, 0, 0)", "LM001")
            expectRefused(runner, "INSERT INTO run_exclusions VALUES (\(run), 'worker', 'W-FORGED', NULL, 'UNDERAGE')", "LM001")
            let copy = #expect(throws: PostgresError.self) {
                try runner.copyIn("COPY run_snapshot (run_id, kind, key, version) FROM STDIN") {
                    try $0.writeTextRow([run, "worker", "W-FORGED", "1"])
                }
            }
            #expect(copy?.sqlState == "LM001" && copy?.message.contains("run \(run) is not running") == true,
                    "\(String(describing: copy))")
        }
        #expect(try fixture.rows("SELECT count(*)::text FROM run_snapshot WHERE key = 'W-FORGED'") == [["0"]])
        // A started run takes them.
        let started = try runner.query("""
            INSERT INTO runs (instance_id, number, engine_version) SELECT instance_id, 2, engine_version FROM runs LIMIT 1
            RETURNING run_id::text
            """)[0].decode(0, as: String.self)
        try runner.execute("INSERT INTO run_snapshot VALUES (\(started), 'worker', 'W-PLANTED', 1)")
        #expect(try fixture.rows("SELECT count(*)::text FROM run_snapshot WHERE run_id = \(started)") == [["1"]])
    }

    /// A schema of the search_path in which others may create objects is refused by every command
    /// before any statement of its own: a function of theirs that fits a call better than
    /// pg_catalog's would run inside labourmatch's statements with its role's rights.
    @Test func aSchemaOthersMayCreateInIsRefused() throws {
        try Self.withAStranger { fixture, db, role in
            defer { _ = try? db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC, \(role)") }
            try db.execute("GRANT CREATE ON SCHEMA public TO PUBLIC, \(role)")
            try Self.expectEveryCommandRefused(fixture, db) { stderr in
                stderr.contains("labourmatch's schema lets others create objects in it: public (PUBLIC, \(role))")
                    && stderr.contains("REVOKE CREATE ON SCHEMA public FROM PUBLIC, \(role)")
            }
            try db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC, \(role)")
            #expect(try fixture.command(["feeds", "list"]).status == 0)

            // A schema of someone else's on the path, before LabourMatch's or after it: never searched
            // (every connection pins its path to LabourMatch's schema). Its empty current_fx_rates
            // made a run of 0 matches, sealed and verified, when the path was the session's.
            let other = "\(role)_schema"
            try db.execute("CREATE SCHEMA \(other) AUTHORIZATION \(role)")
            defer { _ = try? db.execute("DROP SCHEMA IF EXISTS \(other) CASCADE") }
            try db.execute("CREATE TABLE \(other).current_fx_rates (LIKE public.fx_rate_versions)")
            try db.execute("GRANT USAGE ON SCHEMA \(other) TO PUBLIC")
            try db.execute("GRANT SELECT ON \(other).current_fx_rates TO PUBLIC")
            let database = try db.query("SELECT current_database()")[0].decode(0, as: String.self)
            defer { _ = try? db.execute("ALTER DATABASE \(database) RESET search_path") }
            try db.execute("ALTER DATABASE \(database) SET search_path = \(other), public")
            let shadowed = try fixture.run(out: "shadowed")
            #expect(shadowed.status == 0, "\(shadowed.stderr)")
            try fixture.expectSameFiles("shadowed", as: try fixture.offline())
            try db.execute("ALTER DATABASE \(database) SET search_path = public, \(other)")
            let chain = try fixture.command(["verify", "--chain"])
            #expect(chain.status == 0, "\(chain.stdout)\(chain.stderr)")
            // Before SET ROLE, nothing of the login's path is looked up either: a set_config of the
            // stranger's schema, put before an explicit pg_catalog, ran as the login on every connection.
            try db.execute("""
                CREATE FUNCTION \(other).set_config(text, text, boolean) RETURNS text
                LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'pwned'; END$$
                """)
            // And a type: the first query's cast to text met a domain `text` of the stranger's, whose
            // CHECK then ran as the login (a superuser here) before anything was refused.
            try db.execute("""
                CREATE FUNCTION \(other).pwn(pg_catalog.text) RETURNS boolean
                LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'pwned by a domain'; END$$
                """)
            try db.execute("CREATE DOMAIN \(other).text AS pg_catalog.text CHECK (\(other).pwn(VALUE))")
            try db.execute("ALTER DATABASE \(database) SET search_path = \(other), pg_catalog, public")
            let early = try fixture.command(["runs", "list"])
            #expect(early.status == 0 && !early.stderr.contains("pwned"), "\(early.stderr)")
            try db.execute("ALTER DATABASE \(database) RESET search_path")
            try db.execute("DROP SCHEMA \(other) CASCADE")
        }
    }

    /// A load's rows go only into the load being made (0012_feed_row_guards): a loader login could
    /// add a country to the WHO edition sealed runs had used (their verify then failed for good,
    /// and the next run refused pairs under a safeguard nobody loaded), an edition of its own, or
    /// rejected rows to a finished load's record. And no feed is committed unfinished.
    @Test func aLoadsRowsGoOnlyIntoTheLoadBeingMade() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let employers = projectRoot.appendingPathComponent("Fixtures/employers.csv").path
        #expect(try CLIProcess.run(["load", "employers", employers, "--source", "guard",
                                    "--database-url", fixture.database.conninfo]).status == 0)
        #expect(try fixture.run(out: "one").status == 0)
        let loader = try Connection(ConnectionConfig(conninfo: fixture.database.conninfo).acting(as: .loader))
        defer { loader.close() }
        let feed = try fixture.rows("SELECT max(feed_id)::text FROM feeds")[0][0]
        expectRefused(loader, """
            INSERT INTO who_list_entries (edition, country, name, who_region)
            SELECT edition, 'DE', 'Germany', 'EUR' FROM who_list_editions WHERE is_current
            """, "LM001")
        expectRefused(loader, """
            INSERT INTO feed_rejections (feed_id, line, field, reason, raw, detail)
            VALUES (\(feed), 99999, 'country', 'INVALID_VALUE', 'forged', 'forged')
            """, "LM001")
        expectRefused(loader, """
            INSERT INTO who_list_editions (edition, source, content_sha256, is_current, feed_id)
            VALUES ('2099', 'forged', repeat('0', 64), false, \(feed))
            """, "LM001")
        // An unfinished feed of its own: refused when it commits, so rows never have one to go into.
        expectRefused(loader, """
            INSERT INTO feeds (kind, source, file_name, file_bytes, file_sha256, format, mode, iso_codes_version,
                               who_list_edition, started_at, finished_at)
            VALUES ('who_list', 'forged', 'who-2099.csv', 1, repeat('0', 64), 'csv', 'snapshot', '4.15', '2099', now(), now())
            """, "LM001")
        #expect(try fixture.count("SELECT count(*) FROM feeds WHERE source = 'forged'") == 0)
        #expect(try fixture.count("SELECT count(*) FROM who_list_entries WHERE country = 'DE'") == 0)
        let verify = try fixture.command(["verify", "--chain"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        // A load of a new edition, and of rejected rows, still works.
        let dir = try scratchDirectory()
        let who = dir.appendingPathComponent("who-safeguards-2030.csv")
        try Data("country,name,who_region\nDE,Germany,EUR\n".utf8).write(to: who)
        let whoLoad = try CLIProcess.run(["load", "who-list", who.path, "--database-url", fixture.database.conninfo])
        #expect(whoLoad.status == 0, "\(whoLoad.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM current_who_list") == 1)
        let bad = dir.appendingPathComponent("employers-bad.csv")
        try Data((try String(contentsOfFile: employers, encoding: .utf8) + "E-BAD,Bad,XX\n").utf8).write(to: bad)
        let badLoad = try CLIProcess.run(["load", "employers", bad.path, "--source", "guard",
                                          "--database-url", fixture.database.conninfo])
        #expect(badLoad.status == 0, "\(badLoad.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM feed_rejections") == 1)
    }

    /// Objects of a role the session cannot trust, left in LabourMatch's schema (created while
    /// it could, before a REVOKE), are refused by every connection: a `set_config` of its own ran
    /// inside `db migrate` and `load` (one copied a rejected worker's raw row out), a domain
    /// named `text` typed the tables `db migrate` created. Nothing is written, and once they are
    /// gone every command works.
    @Test func objectsOfAnotherRoleInTheSchemaAreRefused() throws {
        try Self.withAStranger { fixture, db, role in
            defer { _ = try? db.execute("DROP OWNED BY \(role)") }
            try db.execute("""
                CREATE FUNCTION public.set_config(pg_catalog.text, pg_catalog.text, boolean) RETURNS pg_catalog.text
                LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'pwned'; END$$
                """)
            try db.execute("ALTER FUNCTION public.set_config(pg_catalog.text, pg_catalog.text, boolean) OWNER TO \(role)")
            try db.execute("CREATE DOMAIN public.text AS pg_catalog.text")
            try db.execute("ALTER DOMAIN public.text OWNER TO \(role)")
            try Self.expectEveryCommandRefused(fixture, db) { stderr in
                stderr.contains("labourmatch's schema public holds what it cannot trust")
                    && stderr.contains("function set_config(text, text, boolean) (owner \(role))")
                    && stderr.contains("type text (owner \(role))") && !stderr.contains("pwned")
                    && !stderr.contains("PostgreSQL schema refused")
            }
            try db.execute("DROP OWNED BY \(role)")
            #expect(try fixture.command(["feeds", "list"]).status == 0)
            /// `feeds list` refused while `make` stands, its stderr holding each of `said` and none of
            /// `unsaid`; then `undo`, and it works again.
            func refused(_ make: [String], said: [String], unsaid: [String] = [], undo: [String],
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
                for sql in make { try db.execute(sql) }
                let out = try fixture.command(["feeds", "list"])
                #expect(out.status == 1 && said.allSatisfy(out.stderr.contains) && !unsaid.contains(where: out.stderr.contains),
                        "\(out.stderr)", sourceLocation: sourceLocation)
                for sql in undo { try db.execute(sql) }
                #expect(try fixture.command(["feeds", "list"]).status == 0, sourceLocation: sourceLocation)
            }
            // A trigger on LabourMatch's tables whose function another role owns ran inside a load as
            // the loader and inside db migrate as its login (it disabled the append-only guards);
            // the TRIGGER privilege (granted by a common GRANT ALL ON ALL TABLES) lets it make one.
            try refused(["GRANT TRIGGER ON feeds TO \(role)"], said: ["TRIGGER privilege on feeds (granted to \(role))"],
                        undo: ["REVOKE TRIGGER ON feeds FROM \(role)"])
            // UPDATE on an identity sequence lets a role setval it to the end: no run id is left.
            try refused(["GRANT UPDATE ON SEQUENCE runs_run_id_seq TO \(role)"],
                        said: ["UPDATE privilege on sequence runs_run_id_seq (granted to \(role))"],
                        undo: ["REVOKE UPDATE ON SEQUENCE runs_run_id_seq FROM \(role)"])
            try db.execute("CREATE FUNCTION public.lm_audit_own() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$")
            defer { _ = try? db.execute("DROP FUNCTION IF EXISTS public.lm_audit_own() CASCADE") }
            try db.execute("CREATE SCHEMA \(role)_code AUTHORIZATION \(role)")
            try db.execute("CREATE FUNCTION \(role)_code.spy() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$")
            try db.execute("ALTER FUNCTION \(role)_code.spy() OWNER TO \(role)")
            try refused(["CREATE TRIGGER spy AFTER INSERT ON feeds FOR EACH STATEMENT EXECUTE FUNCTION \(role)_code.spy()"],
                        said: ["trigger spy on feeds, not one of LabourMatch's own (it would run inside its statements)"],
                        undo: ["DROP TRIGGER spy ON feeds"])
            // A trigger calling a function of PostgreSQL's own, whose WHEN condition calls the
            // role's: the condition ran as the loader, the runner and db migrate's login (a
            // regression review copied every worker out, and made db migrate create a function
            // of the database's owner it could call). Who made a trigger is not recorded: one
            // calling a function outside the schema is refused whoever owns the function.
            try db.execute("""
                CREATE FUNCTION \(role)_code.peek(pg_catalog.text) RETURNS boolean LANGUAGE sql AS 'SELECT false'
                """)
            try db.execute("ALTER FUNCTION \(role)_code.peek(pg_catalog.text) OWNER TO \(role)")
            try refused(["""
                CREATE TRIGGER peek AFTER INSERT ON worker_versions FOR EACH ROW WHEN (\(role)_code.peek(NEW::pg_catalog.text))
                EXECUTE FUNCTION pg_catalog.suppress_redundant_updates_trigger()
                """], said: ["trigger peek on worker_versions, not one of LabourMatch's own"],
                undo: ["DROP TRIGGER peek ON worker_versions"])
            // A WHEN condition of PostgreSQL's own functions alone, on a trigger calling a function of
            // the schema's: it can run any SQL (query_to_xml), change the pinned path (set_config)
            // or send every row out (pg_notify), as a second review showed.
            try refused(["""
                CREATE TRIGGER peek BEFORE INSERT ON worker_versions FOR EACH ROW
                WHEN (pg_catalog.pg_notify('loot', NEW::pg_catalog.text) IS NULL) EXECUTE FUNCTION public.lm_audit_own()
                """], said: ["trigger peek on worker_versions, not one of LabourMatch's own"],
                undo: ["DROP TRIGGER peek ON worker_versions"])
            // LabourMatch's guard functions (anyone may call them) on a trigger of another shape: a
            // BEFORE INSERT lm_guard refused every load, and nothing named it.
            try refused(["CREATE TRIGGER block BEFORE INSERT ON feeds FOR EACH ROW EXECUTE FUNCTION public.lm_guard('none')"],
                        said: ["trigger block on feeds, not one of LabourMatch's own"],
                        undo: ["DROP TRIGGER block ON feeds"])
            // A trusted function of the schema's on a trigger of another's shape: a BEFORE ROW
            // trigger of an AFTER trigger's function that returns NULL dropped every result row of a
            // run, sealed (a third review), and an extension's (refint) pasted an argument into SQL.
            try db.execute("CREATE FUNCTION public.lm_audit_after() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$")
            defer { _ = try? db.execute("DROP FUNCTION IF EXISTS public.lm_audit_after() CASCADE") }
            try refused(["CREATE TRIGGER drop_rows BEFORE INSERT ON run_matches FOR EACH ROW EXECUTE FUNCTION public.lm_audit_after()"],
                        said: ["trigger drop_rows on run_matches, not one of LabourMatch's own"],
                        undo: ["DROP TRIGGER drop_rows ON run_matches"])
            // The migrations' own shape on a relation that has none: every run failed.
            try refused(["CREATE TRIGGER lm_insert_guard BEFORE INSERT ON run_leases FOR EACH ROW EXECUTE FUNCTION public.lm_insert_guard()"],
                        said: ["trigger lm_insert_guard on run_leases, not one of LabourMatch's own"],
                        undo: ["DROP TRIGGER lm_insert_guard ON run_leases"])
            // An operator's table in the schema is theirs: its triggers (PostgreSQL's own function, a
            // WHEN condition) and a foreign key to LabourMatch's tables without an action (a
            // false positive of the previous version refused every command for them).
            for sql in ["CREATE TABLE public.crm_notes (worker_id text REFERENCES public.workers, note text)",
                        "CREATE TRIGGER same BEFORE UPDATE ON public.crm_notes FOR EACH ROW "
                            + "EXECUTE FUNCTION pg_catalog.suppress_redundant_updates_trigger()",
                        "CREATE TRIGGER changed AFTER UPDATE ON public.crm_notes FOR EACH ROW "
                            + "WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION public.lm_audit_after()"] {
                try db.execute(sql)
            }
            #expect(try fixture.command(["feeds", "list"]).status == 0)
            // With an action, a delete of a LabourMatch row would cascade into it and fire its triggers.
            try refused(["ALTER TABLE public.crm_notes DROP CONSTRAINT crm_notes_worker_id_fkey",
                         "ALTER TABLE public.crm_notes ADD FOREIGN KEY (worker_id) REFERENCES public.workers ON DELETE CASCADE"],
                        said: ["foreign key crm_notes_worker_id_fkey of public.crm_notes to workers, with an ON DELETE or ON UPDATE action"],
                        undo: ["DROP TABLE public.crm_notes"])
            // A foreign key from a table of the role's to one of LabourMatch's: a run's delete of
            // its lease cascaded there and fired its trigger inside the run, as the runner.
            try refused(["CREATE TABLE \(role)_code.ref (scope pg_catalog.text REFERENCES public.run_leases ON DELETE CASCADE)",
                         "ALTER TABLE \(role)_code.ref OWNER TO \(role)"],
                        said: ["foreign key ref_scope_fkey of \(role)_code.ref to run_leases, with an ON DELETE or ON UPDATE "
                               + "action (its table's owner \(role))"],
                        undo: ["DROP TABLE \(role)_code.ref"])
            // Without an action, a foreign key only reads the other table: one of a trusted owner's
            // table elsewhere is theirs (a fourth review's false positive); one of the role's is not.
            try db.execute("CREATE TABLE \(role)_code.run_notes (run_id bigint REFERENCES public.runs, note text)")
            #expect(try fixture.command(["feeds", "list"]).status == 0)
            try refused(["ALTER TABLE \(role)_code.run_notes OWNER TO \(role)"],
                        said: ["foreign key run_notes_run_id_fkey of \(role)_code.run_notes to runs (its table's owner \(role))"],
                        undo: ["DROP TABLE \(role)_code.run_notes"])
            // The REFERENCES privilege, on a table or a column, lets a role make one.
            try refused(["GRANT REFERENCES ON runs TO \(role)", "GRANT REFERENCES (scope) ON run_leases TO \(role)"],
                        said: ["REFERENCES privilege on runs (granted to \(role))",
                               "REFERENCES privilege on run_leases.scope (granted to \(role))"],
                        undo: ["REVOKE REFERENCES ON runs FROM \(role)", "REVOKE REFERENCES (scope) ON run_leases FROM \(role)",
                               "DROP SCHEMA \(role)_code CASCADE"])
            // A trusted extension needs CREATE on the database alone; its objects belong to the
            // superuser, the extension to the role (who may update or drop it). In pg_catalog
            // its operators fit calls better than the built-in ones.
            let database = try db.query("SELECT current_database()")[0].decode(0, as: String.self)
            try db.execute("GRANT CREATE ON DATABASE \(database) TO \(role)")
            defer { _ = try? db.execute("REVOKE CREATE ON DATABASE \(database) FROM \(role)") }
            try refused(["SET ROLE \(role)", "CREATE EXTENSION intarray SCHEMA pg_catalog", "RESET ROLE"],
                        said: ["extension intarray in pg_catalog (owner \(role))"], undo: ["DROP EXTENSION intarray"])
            // The same objects owned by the schema's owner (or a superuser) are the owner's business.
            try db.execute("""
                CREATE FUNCTION public.lm_owners_own(pg_catalog.int4) RETURNS pg_catalog.int4 LANGUAGE sql AS 'SELECT $1'
                """)
            defer { _ = try? db.execute("DROP FUNCTION IF EXISTS public.lm_owners_own(pg_catalog.int4)") }
            #expect(try fixture.command(["feeds", "list"]).status == 0)
        }
    }

    /// The relations and triggers a migrate makes are exactly `Connection.ownRelations` and
    /// `ownTriggers` (else every command would refuse a fresh database, or miss a foreign trigger).
    @Test func theTriggersAllowedAreThoseTheMigrationsMake() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let relations = try fixture.rows("""
            SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v', 'p', 'm')
            """).map { $0[0] }
        #expect(Set(relations) == Set(Connection.ownRelations))
        let made = try fixture.rows("""
            SELECT c.relname || ' ' || g.tgname || ' ' || p.proname || ' ' || g.tgtype::int FROM pg_trigger g
            JOIN pg_proc p ON p.oid = g.tgfoid JOIN pg_class c ON c.oid = g.tgrelid
            WHERE NOT g.tgisinternal AND c.relnamespace = 'public'::regnamespace
            """).map { $0[0] }
        #expect(Set(made) == Set(Connection.ownTriggers.flatMap { shape, tables in tables.map { "\($0) \(shape)" } }))
        // And no foreign key of LabourMatch's own has an action.
        #expect(try fixture.count("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND (confdeltype <> 'a' OR confupdtype <> 'a')") == 0)
    }

    /// LabourMatch's tables are found by their `schema_migrations`, not by a table of that name
    /// another application keeps (Rails' has a `version` column): a schema of the path before
    /// LabourMatch's holding one was chosen, and every command said the schema was behind.
    @Test func anotherApplicationsSchemaMigrationsIsNotLabourMatchs() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let db = try fixture.database.connect()
        defer { db.close() }
        try db.execute("CREATE SCHEMA rails")
        try db.execute("CREATE TABLE rails.schema_migrations (version text PRIMARY KEY)")
        let database = try db.query("SELECT current_database()")[0].decode(0, as: String.self)
        try db.execute("ALTER DATABASE \(database) SET search_path = rails, public")
        defer { _ = try? db.execute("ALTER DATABASE \(database) RESET search_path") }
        let listed = try fixture.command(["feeds", "list"])
        #expect(listed.status == 0 && listed.stdout.contains("no loads recorded"), "\(listed.stdout)\(listed.stderr)")
        let migrate = try fixture.command(["db", "migrate"])
        #expect(migrate.status == 0 && migrate.stdout.contains("up to date"), "\(migrate.stdout)\(migrate.stderr)")
        #expect(try fixture.count("SELECT count(*) FROM rails.schema_migrations") == 0)
    }

    /// A login that may create in a schema it does not own migrates it, but its GRANT USAGE to the
    /// three roles gives nothing (a warning alone): migrate said "applied", every command then
    /// "never migrated", and migrate "up to date". Now migrate says which roles lack USAGE and the
    /// GRANT the owner runs; a command acting as a role without it says so too.
    @Test func rolesLeftWithoutUsageAreNamed() throws { try Self.withALogin { database, admin, login in
        defer { _ = try? admin.execute("DROP SCHEMA IF EXISTS lm_x CASCADE") }
        let owner = try admin.query("SELECT quote_ident(session_user)")[0].decode(0, as: String.self)
        try admin.execute("CREATE SCHEMA lm_x")
        try admin.execute("GRANT USAGE, CREATE ON SCHEMA lm_x TO \(login)")
        let named = ["LABOURMATCH_SCHEMA": "lm_x"]
        let migrate = try CLIProcess.run(["db", "migrate", "--database-url", LoginURL.replacingUser(database.conninfo, with: login)],
                                         environment: named)
        #expect(migrate.status == 1 && migrate.stderr.contains("the migrations are applied, but labourmatch_auditor, "
            + "labourmatch_loader, labourmatch_runner have no USAGE on schema lm_x")
            && migrate.stderr.contains("\(owner) runs GRANT USAGE ON SCHEMA lm_x TO labourmatch_auditor, labourmatch_loader, "
            + "labourmatch_runner;"), "\(migrate.stderr)")
        // The login's CREATE taken back and its objects given to the owner: only USAGE is missing.
        try admin.execute("REVOKE CREATE ON SCHEMA lm_x FROM \(login)")
        try admin.execute("REASSIGN OWNED BY \(login) TO \(owner)")
        let listed = try CLIProcess.run(["feeds", "list", "--database-url", database.conninfo], environment: named)
        #expect(listed.status == 1 && listed.stderr.contains("labourmatch_auditor has no USAGE on schema lm_x")
                && listed.stderr.contains("GRANT USAGE ON SCHEMA lm_x TO labourmatch_auditor"), "\(listed.stderr)")
        try admin.execute("GRANT USAGE ON SCHEMA lm_x TO labourmatch_auditor, labourmatch_loader, labourmatch_runner")
        let granted = try CLIProcess.run(["feeds", "list", "--database-url", database.conninfo], environment: named)
        #expect(granted.status == 0, "\(granted.stderr)")
    } }

    /// A read command, a run, a load and `db migrate` on `fixture` each exit 1 with what `said`
    /// accepts on stderr, and nothing was written (read on `db`, opened before: a new
    /// connection would be refused too).
    static func expectEveryCommandRefused(_ fixture: FixtureRun, _ db: Connection,
                                          sourceLocation: SourceLocation = #_sourceLocation,
                                          said: (String) -> Bool) throws {
        let load = try CLIProcess.run(["load", "employers", projectRoot.appendingPathComponent("Fixtures/employers.csv").path,
                                       "--source", "trust", "--database-url", fixture.database.conninfo])
        for outcome in [try fixture.command(["feeds", "list"]), try fixture.run(out: "one"), load,
                        try fixture.command(["db", "migrate"])] {
            #expect(outcome.status == 1 && said(outcome.stderr), "\(outcome.stderr)", sourceLocation: sourceLocation)
        }
        #expect(try db.query("SELECT count(*) FROM runs")[0].decode(0, as: Int.self) == 0, sourceLocation: sourceLocation)
        #expect(try db.query("SELECT count(*) FROM feeds WHERE source = 'trust'")[0].decode(0, as: Int.self) == 0,
                sourceLocation: sourceLocation)
    }

    /// LabourMatch's tables owned by a login that owns neither the schema nor the database (as
    /// after a pg_restore that keeps owners into a database someone else made): not trusted for
    /// owning them (a role with CREATE created them before the real migrate, and had its own
    /// `now()` trusted with them: a regression review), but the refusal says how the operator
    /// makes it trusted, and once it owns the database every command works.
    @Test func theOwnerOfLabourMatchsTablesIsNamedNotTrusted() throws { try Self.withALogin { database, admin, login in
        try admin.execute("GRANT CREATE ON SCHEMA public TO \(login)")
        let migrate = try CLIProcess.run(["db", "migrate", "--database-url", LoginURL.replacingUser(database.conninfo, with: login)])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(try admin.query("SELECT tableowner::text FROM pg_tables WHERE tablename = 'runs'")[0].decode(0, as: String.self) == login)
        let creates = try CLIProcess.run(["feeds", "list", "--database-url", database.conninfo])
        #expect(creates.status == 1 && creates.stderr.contains("lets others create objects in it: public (\(login))"),
                "\(creates.stderr)")
        try admin.execute("REVOKE CREATE ON SCHEMA public FROM \(login)")
        let owns = try CLIProcess.run(["feeds", "list", "--database-url", database.conninfo])
        // Said first, worded so that an operator who does not know the role does not hand it the
        // database, and without REASSIGN OWNED (which gives away every database the role owns).
        #expect(owns.status == 1 && owns.stderr.contains("labourmatch: error: labourmatch's schema public: LabourMatch's tables "
                                                         + "here belong to \(login), which owns neither the database nor the schema")
                && owns.stderr.contains("Only if \(login) is a login of yours")
                && owns.stderr.contains("ALTER DATABASE \(database.name) OWNER TO \(login)")
                && owns.stderr.contains("If you do not know \(login), do neither") && !owns.stderr.contains("REASSIGN"),
                "\(owns.stderr)")
        // Its own objects (the tables, their foreign keys, the owner's privileges) are not listed
        // as things to drop, and nothing else is there.
        #expect(!owns.stderr.contains("privilege on") && !owns.stderr.contains("foreign key")
                && !owns.stderr.contains("Besides") && !owns.stderr.contains(".;"), "\(owns.stderr)")
        try admin.execute("ALTER DATABASE \(database.name) OWNER TO \(login)")
        defer { _ = try? admin.execute("ALTER DATABASE \(database.name) OWNER TO CURRENT_USER") }   // the login can be dropped
        let listed = try CLIProcess.run(["feeds", "list", "--database-url", database.conninfo])
        #expect(listed.status == 0, "\(listed.stderr)")
    } }

    /// An unmigrated scratch database, a superuser connection to it, and a LOGIN role, dropped
    /// after `body` with what it owns.
    static func withALogin(_ body: (ScratchDatabase, Connection, String) throws -> Void) throws {
        let database = try ScratchDatabase(migrated: false)
        defer { database.drop() }
        let admin = try database.connect()
        defer { admin.close() }
        let login = "lm_login_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute("CREATE ROLE \(login) LOGIN")
        defer {
            _ = try? admin.execute("DROP OWNED BY \(login)")
            _ = try? admin.execute("DROP ROLE IF EXISTS \(login)")
        }
        try body(database, admin, login)
    }

    /// A fixture database, a superuser connection to it, and a NOLOGIN role (a stranger to the
    /// login), dropped after `body` (which drops what the role owns).
    static func withAStranger(_ body: (FixtureRun, Connection, String) throws -> Void) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let db = try fixture.database.connect()
        defer { db.close() }
        let role = "lm_stranger_\(UInt32.random(in: 0...UInt32.max))"
        try db.execute("CREATE ROLE \(role) NOLOGIN")
        defer { _ = try? db.execute("DROP ROLE IF EXISTS \(role)") }
        try body(fixture, db, role)
    }

    /// A schema named after the role a command acts as (`"$user"` after SET ROLE, first on the
    /// default path) with a table named schema_migrations passed for LabourMatch's own, and its
    /// owner was trusted: a regression review's run read its empty current_fx_rates, sealed and
    /// verified. Trust comes from the owner (the login, its roles, a superuser, the database's
    /// owner) or from the operator naming the schema (LABOURMATCH_SCHEMA, which pins the path).
    @Test func aSchemaPassingForLabourMatchsIsNeverSearched() throws {
        try Self.withAStranger { fixture, db, role in
            try db.execute("CREATE SCHEMA labourmatch_runner AUTHORIZATION \(role)")
            defer { _ = try? db.execute("DROP SCHEMA IF EXISTS labourmatch_runner CASCADE") }
            try db.execute("CREATE TABLE labourmatch_runner.schema_migrations (name text)")
            try db.execute("CREATE TABLE labourmatch_runner.current_fx_rates (LIKE public.fx_rate_versions)")
            try db.execute("GRANT USAGE ON SCHEMA labourmatch_runner TO labourmatch_runner")
            try db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA labourmatch_runner TO labourmatch_runner")
            // Chosen as the login (its "$user" is postgres), the path never holds the role's schema.
            let spoofed = try fixture.run(out: "spoofed")
            #expect(spoofed.status == 0, "\(spoofed.stderr)")
            try fixture.expectSameFiles("spoofed", as: try fixture.offline())
            try db.execute("DROP SCHEMA labourmatch_runner CASCADE")
            // A schema named after the login, a stranger's, passing for LabourMatch's: refused.
            try db.execute("CREATE SCHEMA postgres AUTHORIZATION \(role)")
            defer { _ = try? db.execute("DROP SCHEMA IF EXISTS postgres CASCADE") }
            try db.execute("CREATE TABLE postgres.schema_migrations (name text, sha256 text)")
            try db.execute("GRANT USAGE ON SCHEMA postgres TO PUBLIC")
            let login = try fixture.command(["verify", "--chain"])
            #expect(login.status == 1 && login.stderr.contains("the schema this session would work in, postgres, is owned by "
                                                               + "\(role), not by this login"), "\(login.stderr)")
            // Anyone who may create schemas can do that: the refusal names the schema that would do.
            #expect(login.stderr.contains("The path's next schema holding LabourMatch's tables, public, is owned by "
                                          + "pg_database_owner: LABOURMATCH_SCHEMA=public works there"), "\(login.stderr)")
            let publicNamed = try CLIProcess.run(["verify", "--chain", "--database-url", fixture.database.conninfo],
                                           environment: ["LABOURMATCH_SCHEMA": "public"])
            #expect(publicNamed.status == 0, "\(publicNamed.stdout)\(publicNamed.stderr)")
            // A run says so before any step (it said "step lock failed").
            let refusedRun = try fixture.run(out: "refused")
            #expect(refusedRun.status == 1 && refusedRun.stderr.contains("the schema this session would work in, postgres")
                    && !refusedRun.stderr.contains("step lock failed"), "\(refusedRun.stderr)")
            try db.execute("DROP SCHEMA postgres CASCADE")

            // LabourMatch in a schema of its own, owned by a role the login has nothing to do with:
            // refused until named; named, every connection searches it alone, whatever the path says.
            let lm = "lm_\(UInt32.random(in: 0...UInt32.max))"
            try db.execute("CREATE SCHEMA \(lm) AUTHORIZATION \(role)")
            defer { _ = try? db.execute("DROP SCHEMA IF EXISTS \(lm) CASCADE") }
            let named = ["LABOURMATCH_SCHEMA": lm]
            #expect(try CLIProcess.run(["db", "migrate", "--database-url", fixture.database.conninfo], environment: named).status == 0)
            #expect(try fixture.count("SELECT count(*) FROM pg_tables WHERE schemaname = '\(lm)' AND tablename = 'schema_migrations'") == 1)
            let database = try db.query("SELECT current_database()")[0].decode(0, as: String.self)
            try db.execute("ALTER DATABASE \(database) SET search_path = \(lm)")
            defer { _ = try? db.execute("ALTER DATABASE \(database) RESET search_path") }
            let unnamed = try fixture.command(["feeds", "list"])
            #expect(unnamed.status == 1 && unnamed.stderr.contains("\(lm), is owned by \(role)")
                    && unnamed.stderr.contains("LABOURMATCH_SCHEMA=\(lm)"), "\(unnamed.stderr)")
            let missing = try CLIProcess.run(["feeds", "list", "--database-url", fixture.database.conninfo],
                                             environment: ["LABOURMATCH_SCHEMA": lm.uppercased()])
            #expect(missing.status == 1 && missing.stderr.contains("which this database does not have (names are case-sensitive)"),
                    "\(missing.stderr)")
            try db.execute("ALTER DATABASE \(database) SET search_path = public, \(lm)")
            let listed = try CLIProcess.run(["feeds", "list", "--database-url", fixture.database.conninfo], environment: named)
            #expect(listed.status == 0 && listed.stdout.contains("no loads recorded"), "\(listed.stdout)\(listed.stderr)")
            try db.execute("ALTER DATABASE \(database) RESET search_path")
            try db.execute("DROP SCHEMA \(lm) CASCADE")
        }
    }

    /// A database not encoded in UTF-8 is refused: one feed character its encoding has not
    /// failed a whole load (a UTF-8 database rejects that row alone).
    @Test func aDatabaseNotInUTF8IsRefused() throws {
        let latin1 = try ScratchDatabase(migrated: false, options: "ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
        defer { latin1.drop() }
        for arguments in [["db", "migrate"], ["feeds", "list"]] {
            let refused = try CLIProcess.run(arguments + ["--database-url", latin1.conninfo])
            #expect(refused.status == 1 && refused.stderr.contains("this database's encoding is LATIN1, and LabourMatch "
                                                                   + "needs UTF8"), "\(arguments): \(refused.stderr)")
        }
    }

    /// A step inserted while another transaction marks its execution abandoned waits for that
    /// transaction and is refused once it commits (0008_step_guard_lock): a runner stalled past
    /// its lease cannot slip a step row into the execution another runner is ending.
    @Test func aStepInsertWaitsForItsExecutionBeingAbandoned() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "one").status == 0)
        func runner() throws -> Connection {
            try Connection(ConnectionConfig(conninfo: fixture.database.conninfo).acting(as: .runner))
        }
        let ender = try runner(), stalled = try runner()
        defer { ender.close(); stalled.close() }
        let execution = try ender.query("""
            WITH r AS (INSERT INTO runs (instance_id, number, engine_version)
                       SELECT instance_id, 2, engine_version FROM runs LIMIT 1 RETURNING run_id)
            INSERT INTO run_executions (run_id, host, pid, resumed_at) SELECT run_id, 'h', 1, 'snapshot' FROM r
            RETURNING execution_id::text
            """)[0].decode(0, as: String.self)
        try ender.execute("BEGIN")
        try ender.execute("UPDATE run_executions SET status = 'abandoned', ended_at = now() WHERE execution_id = \(execution)")
        let insert = BlockingStatement(stalled, """
            INSERT INTO run_steps (execution_id, step, status, started_at) VALUES (\(execution), 'snapshot', 'running', now())
            """)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(insert.outcome == nil, "the insert waits for the execution's change")
        try ender.execute("COMMIT")
        let outcome = insert.wait(seconds: 30)
        guard case .failure(let error as PostgresError)? = outcome else {
            Issue.record("the step was inserted into the abandoned execution: \(String(describing: outcome))")
            return
        }
        #expect(error.sqlState == "LM001" && error.message.contains("has ended"), "\(error)")
        #expect(try fixture.rows("SELECT count(*)::text FROM run_steps WHERE execution_id = \(execution)") == [["0"]])
    }

    /// What a runner's row holds (host, messages) reaches the terminal of `runs show` escaped.
    @Test func runsShowCannotDriveTheTerminal() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "one").status == 0)
        let db = try fixture.database.connect()
        defer { db.close() }
        try db.execute("SET session_replication_role = replica")
        try db.execute("UPDATE run_executions SET host = E'h\\x1b[2J', message = E'm\\x1b]0;pwned\\x07\\nlabourmatch: fake'")
        try db.execute("UPDATE run_steps SET message = E's\\x1b[31m'")
        let shown = try fixture.command(["runs", "show", "1"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(!shown.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(shown.stdout.debugDescription)")
        #expect(shown.stdout.contains(#"host h\u{1B}[2J"#) && shown.stdout.contains(#"s\u{1B}[31m"#), "\(shown.stdout)")
        #expect(!shown.stdout.contains("\nlabourmatch: fake"), "\(shown.stdout)")
    }

    /// Two adjacent exclusion rows merged into one (the second's line folded into the first's
    /// reason after a line break) leave the outputs text, and so every hash, as it was; `verify`
    /// finds the value no run writes.
    @Test func rowsMergedWithoutChangingTheTextAreFound() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "one").status == 0)
        let id = try fixture.rows("SELECT run_id::text FROM runs")[0][0]
        let lines = try String(contentsOf: fixture.dir.appendingPathComponent("one/exclusions.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        try #require(lines.count >= 3)
        let (first, second) = (lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                               lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        let db = try fixture.database.connect()
        defer { db.close() }
        func matching(_ row: [String]) -> (String, [PostgresValue?]) {
            ("run_id = $1 AND subject = $2 AND worker_id IS NOT DISTINCT FROM $3 AND vacancy_id IS NOT DISTINCT FROM $4 AND reason = $5",
             [PostgresValue(text: id, type: .int8), PostgresValue(row[0]), row[1].isEmpty ? nil : PostgresValue(row[1]),
              row[2].isEmpty ? nil : PostgresValue(row[2]), PostgresValue(row[3])])
        }
        let before = try #require(try RunChain.link(db, runId: Int64(id)!)).outputsSHA256
        try db.execute("SET session_replication_role = replica")
        let (firstWhere, firstParams) = matching(first), (secondWhere, secondParams) = matching(second)
        #expect(try db.execute("UPDATE run_exclusions SET reason = reason || $6 WHERE \(firstWhere)",
                               params: firstParams + [PostgresValue("\n" + lines[2])]) == 1)
        #expect(try db.execute("DELETE FROM run_exclusions WHERE \(secondWhere)", params: secondParams) == 1)
        try db.execute("RESET session_replication_role")
        let run = try #require(try JobRepository.run(db, runId: Int64(id)!))
        #expect(try RunChain.outputsSHA256(db, run: run) == before, "the text, and so the hash, did not change")
        let verified = try fixture.command(["verify", id])
        #expect(verified.status == 1, "\(verified.stdout)")
        #expect(verified.stdout.contains("stored values hold a comma or a line break"), "\(verified.stdout)")
        #expect(verified.stdout.contains("exclusions: \"\(first[3])\\n\(lines[2])\""), "\(verified.stdout)")
        #expect(try fixture.command(["verify", "--chain"]).status == 1)
    }

    /// What `verify --chain` finds of runs moved out of the chain with the triggers off (as a
    /// superuser could): a succeeded run with no link that finished after the chain began, and
    /// a linked run whose job instance is gone (it was skipped, and all links "held").
    @Test func runsTakenOutOfTheChainAreFound() throws {
        try Self.withTwoLinkedRunsTriggersOff { fixture, ids, db in
            let forged = try db.query("""
                INSERT INTO runs (instance_id, number, engine_version, status)
                SELECT instance_id, 99, engine_version, 'succeeded' FROM runs LIMIT 1 RETURNING run_id::text
                """)[0].decode(0, as: String.self)
            let stray = try fixture.command(["verify", "--chain"])
            #expect(stray.status == 1, "\(stray.stdout)\(stray.stderr)")
            #expect(stray.stdout.contains("run \(forged) is marked succeeded but has no link"), "\(stray.stdout)\(stray.stderr)")
            #expect(stray.stdout.contains("chain: FAILS: all 2 links hold, but 1 succeeded run(s) outside the chain"), "\(stray.stdout)")
            let own = try fixture.command(["verify", forged])
            #expect(own.status != 0 && own.stderr.contains("run \(forged) is marked succeeded but has no stored results"),
                    "\(own.stderr)")
            try db.execute("DELETE FROM runs WHERE run_id = $1", params: [PostgresValue(text: forged, type: .int8)])
            #expect(try fixture.command(["verify", "--chain"]).status == 0)

            try db.execute("UPDATE runs SET instance_id = instance_id + 1000000 WHERE run_id = $1",
                           params: [PostgresValue(text: ids[0], type: .int8)])
            let detached = try fixture.command(["verify", "--chain"])
            #expect(detached.status == 1, "\(detached.stdout)")
            #expect(detached.stdout.contains("run \(ids[0]) (link 1): its job instance is gone"), "\(detached.stdout)")
            #expect(detached.stdout.contains("1 of 2 links FAIL"), "\(detached.stdout)")
        }
    }

    /// `body` with two succeeded runs of the fixture (links 1 and 2, their ids) and a connection
    /// whose triggers are off (`session_replication_role = replica`), as a superuser could.
    static func withTwoLinkedRunsTriggersOff(_ body: (FixtureRun, [String], Connection) throws -> Void) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "one").status == 0)
        #expect(try fixture.run(out: "two", ["--rerun"]).status == 0)
        let ids = try fixture.rows("SELECT run_id::text FROM runs ORDER BY run_id").map { $0[0] }
        let db = try fixture.database.connect()
        defer { db.close() }
        try db.execute("SET session_replication_role = replica")
        try body(fixture, ids, db)
    }

    /// Links reordered (two runs' chain_seq swapped) keep every hash: verify says the sequence
    /// numbers changed (it showed the same hash twice, as "recorded" and "now").
    @Test func verifySaysWhenLinksAreReordered() throws {
        try Self.withTwoLinkedRunsTriggersOff { fixture, ids, db in
            try db.execute("RESET session_replication_role")
            #expect(try fixture.run(out: "three", ["--rerun"]).status == 0)
            let third = try fixture.rows("SELECT max(run_id)::text FROM runs")[0][0]
            try db.execute("SET session_replication_role = replica")
            try db.execute("UPDATE runs SET chain_seq = 99 WHERE chain_seq = 2")
            try db.execute("UPDATE runs SET chain_seq = 2 WHERE chain_seq = 3")
            try db.execute("UPDATE runs SET chain_seq = 3 WHERE chain_seq = 99")
            let reordered = try fixture.command(["verify", third])
            #expect(reordered.status == 1 && reordered.stdout.contains("link 2 (run \(third)) names run \(ids[1]) as the previous "
                + "link, whose sequence number is now 3, not 1: the links' chain_seq were changed"), "\(reordered.stdout)")
        }
    }

    @Test func verifyNamesTheRunAndTheLinkThatBreak() throws {
        try Self.withTwoLinkedRunsTriggersOff { fixture, ids, db in
            // As a superuser could: triggers off, one exclusion of the first run changed.
            let changed = try db.execute("""
                UPDATE run_exclusions SET reason = 'TAMPERED'
                WHERE ctid = (SELECT ctid FROM run_exclusions WHERE run_id = $1 LIMIT 1)
                """, params: [PostgresValue(text: ids[0], type: .int8)])
            #expect(changed == 1)
            let bad = try fixture.command(["verify", ids[0]])
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("chain: run \(ids[0]) FAILS"), "\(bad.stdout)")
            #expect(bad.stdout.contains("run \(ids[0]): its stored rows no longer hash"), "\(bad.stdout)")
            let chain = try fixture.command(["verify", "--chain"])
            #expect(chain.status == 1)
            #expect(chain.stdout.contains("1 of 2 links FAIL"), "\(chain.stdout)")
            // From link 2 on, link 1's rows are not read again: its change is not seen, and the
            // output says which links were reread; from link 1 on, it is.
            let recent = try fixture.command(["verify", "--chain", "--from-link", "2"])
            #expect(recent.status == 0, "\(recent.stdout)\(recent.stderr)")
            #expect(recent.stdout.contains("the stored rows of links 2 to 2 were read again; links 1 to 1 were checked "
                                           + "by their recorded hashes alone"), "\(recent.stdout)")
            let fromFirst = try fixture.command(["verify", "--chain", "--from-link", "1"])
            #expect(fromFirst.status == 1 && fromFirst.stdout.contains("1 of 2 links FAIL"), "\(fromFirst.stdout)")
            let beyond = try fixture.command(["verify", "--chain", "--from-link", "3"])
            #expect(beyond.status == 0 && beyond.stdout.contains("the chain ends at link 2, so no stored rows were read again"),
                    "\(beyond.stdout)")
            #expect(try fixture.command(["verify", ids[0], "--from-link", "2"]).status == 2)

            // Rewriting the first run's hashes to fit its new rows breaks the link the second run holds.
            guard let run = try JobRepository.run(db, runId: Int64(ids[0])!),
                  let outputs = try RunChain.outputsSHA256(db, run: run) else {
                Issue.record("run \(ids[0]) has no results")
                return
            }
            try db.execute("UPDATE runs SET outputs_sha256 = $2, chain_sha256 = $3 WHERE run_id = $1",
                           params: [PostgresValue(text: ids[0], type: .int8), PostgresValue(outputs),
                                    PostgresValue(RunChain.chainSHA256(previous: nil, outputs: outputs))])
            try db.execute("RESET session_replication_role")
            let own = try fixture.command(["verify", ids[0]])
            #expect(own.stdout.contains("does NOT match its recomputation"), "\(own.stdout)")
            let next = try fixture.command(["verify", ids[1]])
            #expect(next.status == 1)
            #expect(next.stdout.contains("link 1 -> 2 (run \(ids[0]) -> run \(ids[1])) is broken"), "\(next.stdout)")
            // The recorded hashes alone show it too: no row is read again.
            let hashesOnly = try fixture.command(["verify", "--chain", "--from-link", "3"])
            #expect(hashesOnly.status == 1 && hashesOnly.stdout.contains("link 1 -> 2 (run \(ids[0]) -> run \(ids[1])) is broken"),
                    "\(hashesOnly.stdout)")
        }
    }
}

/// A statement run on a thread of its own on `db` (which nothing else uses meanwhile), for
/// what it does while another session holds a lock.
///
/// `@unchecked Sendable`: `db` is used by the thread only; `result` only under `lock`.
private final class BlockingStatement: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Int, any Error>?

    init(_ db: Connection, _ sql: String) {
        nonisolated(unsafe) let db = db   // handed to the thread, not used here after
        Thread.detachNewThread { [self] in
            let outcome = Result { try db.execute(sql) }
            lock.withLock { result = outcome }
        }
    }

    /// How the statement ended; nil while it runs.
    var outcome: Result<Int, any Error>? { lock.withLock { result } }

    /// Waits at most `seconds` for the statement to end.
    func wait(seconds: Double) -> Result<Int, any Error>? {
        let deadline = Date().addingTimeInterval(seconds)
        while outcome == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return outcome
    }
}
