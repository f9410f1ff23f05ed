-- 0007_insert_guards: what may be inserted into the run tables.
--
-- 0005 guards UPDATE, DELETE and TRUNCATE of the run tables; INSERT was left
-- to the runner role, which a review (session 11) showed could therefore:
--   * insert a run already `succeeded`, outside the hash chain: `verify`
--     took it for a run of before the chain, and `labourmatch run` for that
--     date answered "already succeeded" without running;
--   * add executions and steps to a succeeded run ("a succeeded run is final");
--   * (the runner itself, stalled past its lease) write steps into its
--     execution after another runner had marked it abandoned.
-- Now a run is inserted `started`, unfinished and outside the chain (the
-- seal is the only way into it, 0005); an execution is inserted `running`,
-- and never for a succeeded run; a step only into a running execution.
-- These triggers hold for every role but a superuser, who can disable them
-- (as those of 0005): `verify --chain` and the hash chain remain the evidence.
--
-- `verify --chain` also looks for succeeded runs without a link that did not
-- finish before 0005 was applied: the auditor reads schema_migrations for that.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

GRANT SELECT ON schema_migrations TO labourmatch_auditor;

CREATE FUNCTION lm_insert_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    ok boolean;
    why text;
BEGIN
    IF TG_TABLE_NAME = 'runs' THEN
        why := 'a run is inserted started, unfinished and outside the hash chain (the seal links it)';
        ok := NEW.status = 'started' AND NEW.finished_at IS NULL AND NEW.input_sha256 IS NULL
              AND NEW.who_list_edition IS NULL AND NEW.outputs_sha256 IS NULL AND NEW.chain_seq IS NULL
              AND NEW.chain_previous_run_id IS NULL AND NEW.chain_previous_sha256 IS NULL AND NEW.chain_sha256 IS NULL;
    ELSIF TG_TABLE_NAME = 'run_executions' THEN
        why := format('an execution is inserted running, and never for a succeeded run (run %s)', NEW.run_id);
        EXECUTE format('SELECT status <> ''succeeded'' FROM %I.runs WHERE run_id = $1', TG_TABLE_SCHEMA)
            INTO ok USING NEW.run_id;
        ok := coalesce(ok, true) AND NEW.status = 'running' AND NEW.ended_at IS NULL;
    ELSIF TG_TABLE_NAME = 'run_steps' THEN
        why := format('execution %s has ended', NEW.execution_id);
        EXECUTE format('SELECT status = ''running'' FROM %I.run_executions WHERE execution_id = $1', TG_TABLE_SCHEMA)
            INTO ok USING NEW.execution_id;
        ok := coalesce(ok, true);   -- an unknown execution: the foreign key says so
    END IF;
    IF ok THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LM001', MESSAGE = format('INSERT on %s is refused: %s', TG_TABLE_NAME, why),
        HINT = 'runs, executions and steps are written by labourmatch run only (Schema/0007_insert_guards.sql)';
END $$;

CREATE TRIGGER lm_insert_guard BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION lm_insert_guard();
CREATE TRIGGER lm_insert_guard BEFORE INSERT ON run_executions FOR EACH ROW EXECUTE FUNCTION lm_insert_guard();
CREATE TRIGGER lm_insert_guard BEFORE INSERT ON run_steps FOR EACH ROW EXECUTE FUNCTION lm_insert_guard();
