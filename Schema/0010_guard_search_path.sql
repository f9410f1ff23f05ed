-- 0010_guard_search_path: the guards see only pg_catalog, and pg_temp last.
--
-- lm_guard (0005) and lm_insert_guard (0007, 0008) run on every change of the
-- append-only tables, with the rights of whoever makes it, the owner and a
-- superuser included. They name their tables with TG_TABLE_SCHEMA, but their
-- types, functions and operators (text[], to_jsonb, -, =, format) were looked
-- up through the session's search_path, pg_temp first for types: a role's
-- temporary table named `text` made the guard fail (safely), and where a role
-- may create in a schema on that path (public, before PostgreSQL 15), an
-- operator of its own could have run inside an owner's change. A security
-- review after 0009 asked for it. lm_protect, a helper of the migrations, is
-- no one else's to call.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

ALTER FUNCTION lm_guard() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lm_insert_guard() SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION lm_protect(text[], text) FROM PUBLIC;
