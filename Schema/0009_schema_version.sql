-- 0009_schema_version: the last migration applied, readable by every role.
--
-- The commands that act as a role (load, run, feeds, runs, report, explain,
-- verify, export) compare it with the migrations of the labourmatch that runs
-- them, and refuse a database whose schema is behind (an upgrade without
-- `db migrate`) rather than fail half-way on a missing column, or run without
-- a guard a later migration adds. The roles may not read schema_migrations
-- (only the auditor may), so a SECURITY DEFINER function reads it for them;
-- its search_path is the one it was created with, so that a caller's
-- search_path cannot put another table of that name in front.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

CREATE FUNCTION labourmatch_schema_version() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT max(name) FROM schema_migrations $$;

REVOKE ALL ON FUNCTION labourmatch_schema_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION labourmatch_schema_version() TO labourmatch_loader, labourmatch_runner, labourmatch_auditor;
