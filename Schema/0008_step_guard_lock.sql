-- 0008_step_guard_lock: the step guard of 0007 waits for an execution that is
-- being ended.
--
-- 0007's guard read the execution's status without a lock. A runner that had
-- stalled past its lease could therefore insert a step row while another
-- runner's transaction was marking that execution abandoned: the insert saw
-- `running` (the abandonment not yet committed), and both committed, leaving
-- a step row in an abandoned execution. The guard now reads the status FOR
-- SHARE: an insert waits for a concurrent change of the execution's status
-- and sees its outcome (refused once abandoned), and a change waits for a
-- step insert that read `running` first (the step then belongs to the
-- execution while it ran). Everything else is 0007's function as it was.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

CREATE OR REPLACE FUNCTION lm_insert_guard() RETURNS trigger
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
        EXECUTE format('SELECT status = ''running'' FROM %I.run_executions WHERE execution_id = $1 FOR SHARE',
                       TG_TABLE_SCHEMA)
            INTO ok USING NEW.execution_id;
        ok := coalesce(ok, true);   -- an unknown execution: the foreign key says so
    END IF;
    IF ok THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LM001', MESSAGE = format('INSERT on %s is refused: %s', TG_TABLE_NAME, why),
        HINT = 'runs, executions and steps are written by labourmatch run only (Schema/0007_insert_guards.sql)';
END $$;
