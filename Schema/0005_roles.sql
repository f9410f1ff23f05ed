-- 0005_roles: least privilege (three roles the commands switch to) and tamper
-- evidence (append-only tables, a hash chain over every run's outputs).
--
-- Roles. Roles belong to the cluster, not to a database, while migrations run
-- per database (and per schema), possibly many at once on one cluster (the
-- tests do). So the roles are created NOLOGIN only when missing, and a
-- creation that loses a race with another database's migration is ignored;
-- the privileges are then granted on this database's objects. An operator
-- grants the roles to real logins (README, "Roles"):
--
--   labourmatch_loader   `load`, `feeds show --rejections`: writes feeds,
--                        feed_rejections and the entity tables a load merges
--                        into; reads what a load checks against. Nothing else.
--   labourmatch_runner   `run`, `export`: reads the inputs, writes
--                        job_instances, runs, run_executions, run_steps,
--                        run_leases and the run_* result tables.
--   labourmatch_auditor  `verify`, `runs`, `feeds list|show`, `report`, `explain`: reads runs,
--                        results and loads; writes nothing. It cannot read the
--                        raw text and detail of rejected rows (for a workers
--                        feed: whatever an operator's file held about a
--                        person); the view audit_feed_rejections gives them
--                        for other kinds and withholds them for workers.
--   (`db migrate` runs as the owner, who owns every object here.)
--
-- Append-only. Triggers refuse UPDATE, DELETE and TRUNCATE of run results and
-- feed records, even from an owner or a superuser (who bypass privileges but
-- not triggers), with SQLSTATE LM001. The only updates allowed are the narrow,
-- forward transitions the code makes:
--   *_versions, who_list_editions  is_current true -> false, nothing else
--                                  (retiring the version a new one replaces);
--   feeds                          the counts and finished_at, once, on the
--                                  row a load has just inserted (unfinished:
--                                  finished_at = started_at, rows_read = 0);
--   runs                           while not succeeded: status, engine_version,
--                                  report_dir, finished_at; who_list_edition and
--                                  input_sha256 once (NULL -> value); status ->
--                                  succeeded only together with the chain
--                                  columns. A succeeded run is final.
--   run_executions                 status, ended_at, message of a running one;
--   run_steps                      a step of a running execution (retries
--                                  rewrite its row); final once the execution
--                                  ended.
-- Identity tables (employers, ...) refuse UPDATE, DELETE and TRUNCATE (the
-- loader's row locks, SELECT ... FOR NO KEY UPDATE, are no updates).
-- run_leases stays mutable: it is a lock, not a record.
--
-- Hash chain. When a run succeeds, the runner stores outputs_sha256, the
-- SHA-256 of the canonical text of its stored rows (Sources/Batch/RunChain.swift
-- defines it: the run's identity, its snapshot rows and every result table,
-- each sorted by bytes), and links it to the run that succeeded before it, in
-- one chain for the whole database (schema): chain_seq 1, 2, 3, ...;
-- chain_previous_run_id and chain_previous_sha256 name the previous link;
--   chain_sha256 = SHA-256("labourmatch-chain-v1\n" || previous chain_sha256
--                  (64 zeros for the first) || "\n" || outputs_sha256 || "\n").
-- Links are made one at a time (a transaction-level advisory lock).
-- `labourmatch verify RUN` recomputes the outputs hash and the link;
-- `verify --chain` walks every link. Runs that succeeded before this migration
-- stay outside the chain.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

-- 1. Roles --------------------------------------------------------------

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['labourmatch_loader', 'labourmatch_runner', 'labourmatch_auditor'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;   -- another database's migration created it meanwhile
            END;
        END IF;
    END LOOP;
END $$;

-- 2. The hash chain's columns ---------------------------------------------

ALTER TABLE runs
    ADD COLUMN outputs_sha256 sha256_hex,
    ADD COLUMN chain_seq bigint UNIQUE CHECK (chain_seq >= 1),
    ADD COLUMN chain_previous_run_id bigint UNIQUE REFERENCES runs,
    ADD COLUMN chain_previous_sha256 sha256_hex,
    ADD COLUMN chain_sha256 sha256_hex,
    ADD CONSTRAINT runs_chain_complete CHECK (
        (outputs_sha256 IS NULL) = (chain_sha256 IS NULL) AND (chain_seq IS NULL) = (chain_sha256 IS NULL)
        AND (chain_previous_run_id IS NULL) = (chain_previous_sha256 IS NULL)
        AND (chain_seq IS NOT NULL OR chain_previous_run_id IS NULL)
        AND (chain_seq IS NULL OR (chain_seq = 1) = (chain_previous_run_id IS NULL))),
    ADD CONSTRAINT runs_chain_only_succeeded CHECK (chain_sha256 IS NULL OR status = 'succeeded');

-- 3. Rejected rows as the auditor sees them ------------------------------

-- The raw text and the detail (which quotes values) of a rejected workers row
-- are whatever the file held about a person: withheld. Other kinds show them.
CREATE VIEW audit_feed_rejections AS
    SELECT r.feed_id, f.kind, r.line, r.field, r.reason, r.key,
           CASE WHEN f.kind = 'workers' THEN NULL ELSE r.raw END AS raw,
           CASE WHEN f.kind = 'workers' THEN NULL ELSE r.detail END AS detail
    FROM feed_rejections r JOIN feeds f USING (feed_id);

-- 4. Privileges -----------------------------------------------------------

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO labourmatch_loader', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO labourmatch_runner, labourmatch_auditor', current_database());
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO labourmatch_loader, labourmatch_runner, labourmatch_auditor',
                   current_schema());
END $$;

-- The loader: the load's record, the entity tables, and what a load checks against.
GRANT SELECT, INSERT ON feeds, feed_rejections TO labourmatch_loader;
GRANT UPDATE (rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, rows_withdrawn,
              withdrawals_skipped, finished_at) ON feeds TO labourmatch_loader;
-- UPDATE of one column only so that the loader may lock identity rows (FOR NO KEY
-- UPDATE needs it); the triggers below refuse any real update.
GRANT SELECT, INSERT, UPDATE (first_recorded_at)
    ON employers, recruiters, vacancies, workers, minimum_wages, fx_rates TO labourmatch_loader;
GRANT SELECT, INSERT, UPDATE (is_current)
    ON employer_versions, recruiter_versions, vacancy_versions, worker_versions, minimum_wage_versions,
       fx_rate_versions, who_list_editions TO labourmatch_loader;
GRANT SELECT, INSERT ON who_list_entries TO labourmatch_loader;
GRANT SELECT ON current_employers, current_recruiters, current_vacancies, current_workers, current_minimum_wages,
                current_fx_rates, current_who_list TO labourmatch_loader;

-- The runner: reads the inputs, writes the job repository and the results.
GRANT SELECT
    ON employer_versions, recruiter_versions, vacancy_versions, worker_versions, minimum_wage_versions,
       fx_rate_versions, who_list_editions, who_list_entries, current_employers, current_recruiters,
       current_vacancies, current_workers, current_minimum_wages, current_fx_rates, current_who_list
    TO labourmatch_runner;
GRANT SELECT, INSERT
    ON job_instances, run_snapshot, run_matches, run_top_candidates, run_participants, run_exclusions,
       run_summaries TO labourmatch_runner;
GRANT SELECT, INSERT, UPDATE (status, engine_version, who_list_edition, input_sha256, report_dir, finished_at,
                             outputs_sha256, chain_seq, chain_previous_run_id, chain_previous_sha256, chain_sha256)
    ON runs TO labourmatch_runner;
GRANT SELECT, INSERT, UPDATE (status, ended_at, message) ON run_executions TO labourmatch_runner;
GRANT SELECT, INSERT, UPDATE (status, started_at, ended_at, duration_ms, rows_read, rows_written, attempts, message)
    ON run_steps TO labourmatch_runner;
GRANT SELECT, INSERT, UPDATE, DELETE ON run_leases TO labourmatch_runner;
GRANT SELECT ON run_match_breakdowns TO labourmatch_runner;

-- The auditor: reads; `verify` recomputes a run from the versions it recorded.
GRANT SELECT
    ON job_instances, runs, run_executions, run_steps, run_snapshot, run_matches, run_top_candidates,
       run_participants, run_exclusions, run_summaries, run_match_breakdowns, feeds, audit_feed_rejections,
       employer_versions, recruiter_versions, vacancy_versions, worker_versions, minimum_wage_versions,
       fx_rate_versions, who_list_editions, who_list_entries, current_employers, current_recruiters,
       current_vacancies, current_workers, current_minimum_wages, current_fx_rates, current_who_list
    TO labourmatch_auditor;
-- Not raw nor detail (see audit_feed_rejections).
GRANT SELECT (feed_id, line, field, reason, key) ON feed_rejections TO labourmatch_auditor;

-- 5. Append-only triggers -------------------------------------------------

-- One guard for every protected table; its argument says which rule the table
-- follows. It returns NEW for an allowed update and raises SQLSTATE LM001 for
-- anything else. (It names no other object but through TG_TABLE_SCHEMA, so it
-- works whatever the caller's search_path; record fields are read only in
-- their own branch.)
CREATE FUNCTION lm_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    rule text := TG_ARGV[0];
    why text := 'its rows are never changed';
    mutable text[];
    running boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND rule = 'version' THEN
        -- *_versions, who_list_editions: only retiring a current version.
        why := 'a version is never changed, only retired (is_current true -> false)';
        IF OLD.is_current AND NOT NEW.is_current THEN
            NEW.is_current := true;
            IF NEW IS NOT DISTINCT FROM OLD THEN
                NEW.is_current := false;
                RETURN NEW;
            END IF;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND rule = 'feed' THEN
        -- feeds: the load that inserted the row sets its counts once.
        why := format('feed %s is a finished load', OLD.feed_id);
        mutable := ARRAY['rows_read', 'rows_inserted', 'rows_updated', 'rows_unchanged', 'rows_rejected',
                         'rows_withdrawn', 'withdrawals_skipped', 'finished_at'];
        IF OLD.finished_at = OLD.started_at AND OLD.rows_read = 0
           AND (to_jsonb(NEW) - mutable) = (to_jsonb(OLD) - mutable) THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND rule = 'run' THEN
        -- runs: forward only; a succeeded run is final.
        why := format('run %s may only move forward', OLD.run_id);
        mutable := ARRAY['status', 'engine_version', 'report_dir', 'finished_at', 'who_list_edition', 'input_sha256',
                         'outputs_sha256', 'chain_seq', 'chain_previous_run_id', 'chain_previous_sha256', 'chain_sha256'];
        IF OLD.status = 'succeeded' THEN
            why := format('run %s succeeded and is final', OLD.run_id);
        ELSIF (to_jsonb(NEW) - mutable) = (to_jsonb(OLD) - mutable)
              AND (OLD.who_list_edition IS NULL OR NEW.who_list_edition IS NOT DISTINCT FROM OLD.who_list_edition)
              AND (OLD.input_sha256 IS NULL OR NEW.input_sha256 IS NOT DISTINCT FROM OLD.input_sha256)
              AND (NEW.chain_sha256 IS NOT NULL) = (NEW.status = 'succeeded') THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND rule = 'execution' THEN
        -- run_executions: a running execution ends once.
        why := format('execution %s has ended', OLD.execution_id);
        mutable := ARRAY['status', 'ended_at', 'message'];
        IF OLD.status = 'running' AND (to_jsonb(NEW) - mutable) = (to_jsonb(OLD) - mutable) THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND rule = 'step' THEN
        -- run_steps: rewritten (retries) only while their execution runs.
        why := format('execution %s has ended', OLD.execution_id);
        IF NEW.execution_id = OLD.execution_id AND NEW.step = OLD.step THEN
            EXECUTE format('SELECT EXISTS (SELECT FROM %I.run_executions WHERE execution_id = $1 AND status = ''running'')',
                           TG_TABLE_SCHEMA) INTO running USING OLD.execution_id;
            IF running THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LM001', MESSAGE = format('%s on %s is refused: %s', TG_OP, TG_TABLE_NAME, why),
        HINT = 'run results and feed records are append-only (Schema/0005_roles.sql)';
END $$;

-- Puts the guard with `rule` on `tables`: per row before UPDATE and DELETE, per statement before TRUNCATE.
CREATE FUNCTION lm_protect(tables text[], rule text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('CREATE TRIGGER lm_append_only BEFORE UPDATE OR DELETE ON %I FOR EACH ROW '
                       'EXECUTE FUNCTION lm_guard(%L)', t, rule);
        EXECUTE format('CREATE TRIGGER lm_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION lm_guard(''none'')', t);
    END LOOP;
END $$;

SELECT lm_protect(ARRAY['run_snapshot', 'run_matches', 'run_top_candidates', 'run_participants', 'run_exclusions',
                        'run_summaries', 'job_instances', 'feed_rejections', 'who_list_entries',
                        'employers', 'recruiters', 'vacancies', 'workers', 'minimum_wages', 'fx_rates'], 'none');
SELECT lm_protect(ARRAY['employer_versions', 'recruiter_versions', 'vacancy_versions', 'worker_versions',
                        'minimum_wage_versions', 'fx_rate_versions', 'who_list_editions'], 'version');
SELECT lm_protect(ARRAY['feeds'], 'feed');
SELECT lm_protect(ARRAY['runs'], 'run');
SELECT lm_protect(ARRAY['run_executions'], 'execution');
SELECT lm_protect(ARRAY['run_steps'], 'step');
