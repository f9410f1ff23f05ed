-- 0011_result_guards: result rows go only into a run that is running.
--
-- 0007 guards what may be inserted into runs, executions and steps; the
-- result tables (run_snapshot, run_matches, run_top_candidates,
-- run_participants, run_exclusions, run_summaries) were left to the runner
-- role, and all but run_summaries have no foreign key to runs. A security
-- review (session 17) showed that a login with labourmatch_runner could
-- therefore:
--   * plant rows under a run id not yet given out: the next run took them as
--     its own, delivered a match of a worker who does not exist in its files
--     and sealed it into the hash chain (only `verify`'s recomputation saw it);
--   * plant snapshot rows under future run ids, so that every later run failed
--     on a duplicate key, rows that the append-only triggers then kept;
--   * add a row to a sealed run, breaking its `verify` for good.
-- Now every insert into a result table names runs that exist and are
-- `started` (a run resumed after a failure is set back to started first), or
-- it is refused. One check per statement, over the statement's new rows (a
-- transition table): the results of a large run come by COPY, millions of
-- rows, and a foreign key's check per row would cost seconds. The runs read
-- are locked FOR KEY SHARE, as a foreign key's check locks them: the row
-- cannot go while the insert's transaction lasts, and a change of its status
-- does not wait for it (FOR SHARE made the next runner's marking of a stalled
-- one's run failed wait for the stalled transaction). An insert racing the
-- seal of its run can therefore still add a row the seal did not hash: the
-- run's outputs hash then differs from its rows, which `verify` reports.
-- These triggers hold for every role but a superuser (as those of 0005 and
-- 0007): `verify` and the hash chain remain the evidence.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

CREATE FUNCTION lm_result_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bad bigint;
BEGIN
    -- The runs the new rows name that exist and are started, locked; then the first that is not.
    EXECUTE format('SELECT r.run_id FROM %I.runs r WHERE r.run_id IN (SELECT n.run_id FROM new_rows n) '
                   'AND r.status = ''started'' FOR KEY SHARE', TG_TABLE_SCHEMA);
    EXECUTE format('SELECT n.run_id FROM new_rows n WHERE NOT EXISTS (SELECT FROM %I.runs r '
                   'WHERE r.run_id = n.run_id AND r.status = ''started'') ORDER BY n.run_id LIMIT 1', TG_TABLE_SCHEMA)
        INTO bad;
    IF bad IS NULL THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LM001',
        MESSAGE = format('INSERT on %s is refused: run %s is not running (no such run, or it has ended)',
                         TG_TABLE_NAME, bad),
        HINT = 'results are written by labourmatch run only, into its run while it runs (Schema/0011_result_guards.sql)';
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['run_snapshot', 'run_matches', 'run_top_candidates', 'run_participants',
                             'run_exclusions', 'run_summaries'] LOOP
        EXECUTE format('CREATE TRIGGER lm_result_guard AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION lm_result_guard()', t);
    END LOOP;
END $$;
