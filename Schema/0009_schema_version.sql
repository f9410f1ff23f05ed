-- 0009_schema_version: the last migration applied, readable by every role.
--
-- The commands that act as a role (load, run, feeds, runs, report, explain,
-- verify, export) compare it with the migrations of the labourmatch that runs
-- them, and refuse a database whose schema is behind (an upgrade without
-- `db migrate`) rather than fail half-way on a missing column, or run without
-- a guard a later migration adds. The roles may not read schema_migrations
-- (only the auditor may), so a SECURITY DEFINER function reads it for them.
--
-- A SECURITY DEFINER function runs with its owner's rights, so nothing in it
-- may be found through the caller's objects: the table is named with its
-- schema (written in when the function is made), and the function's
-- search_path is pg_catalog, then pg_temp last (PostgreSQL searches pg_temp
-- first for tables unless it is listed; a caller's temporary view named
-- schema_migrations, calling a function of its own, would have run that
-- function as the owner).
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

DO $do$
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION %1$I.labourmatch_schema_version() RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS 'SELECT max(name) FROM %1$I.schema_migrations'
        $f$, current_schema());
END
$do$;

REVOKE ALL ON FUNCTION labourmatch_schema_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION labourmatch_schema_version() TO labourmatch_loader, labourmatch_runner, labourmatch_auditor;
