-- 0003_runs: the nightly batch run: its bookkeeping, its lease, its snapshot and its results.
--
-- Vocabulary (Spring Batch's, kept small):
--
--   job_instances    the job name plus its identifying parameters (run date,
--                    scope, policy_sha256, strategy): unique. The policy's
--                    canonical text is kept with it, so the run can be redone.
--   runs             one result of an instance: normally one per instance;
--                    `labourmatch run --rerun` adds another (number 2, 3, ...)
--                    and keeps the earlier ones. Snapshot and results belong
--                    to a run.
--   run_executions   one attempt (one process) at a run. A failed or killed
--                    execution leaves its run restartable: the next execution
--                    of the same run resumes after the last completed step.
--   run_steps        one row per step of an execution (lock, snapshot, rules,
--                    candidates, assign, persist, report): status, start, end,
--                    duration, row counts, attempts (transient-error retries).
--   run_leases       one row per scope: who runs it now (see below).
--
-- The lease. One run per scope at a time is a row here, not an advisory lock:
-- a holder writes (holder token, host, pid, acquired_at) and an expiry, and
-- renews the expiry (a heartbeat) from its own connection. A second runner
-- takes the row only once it has expired (or, on the same host, once the
-- holder's process is gone). Rows are plain data under transactions, so the
-- lease survives a dropped connection (the runner reconnects and goes on) and
-- works behind a transaction-pooling connection pooler, where a session
-- advisory lock would silently belong to whichever client got the server
-- connection next. Times are the server's (now()), so hosts need not agree
-- on the clock. The persist step renews the lease inside its own transaction
-- (a fence): a runner whose lease was taken over cannot commit results.
--
-- Results are written once per run by the persist step, in one transaction,
-- by COPY, together with the step's completion: a run has all its results or
-- none. Nothing here is updated after that except by a later run's bookkeeping.
--
-- The bulk tables (run_snapshot and the result rows) carry no foreign key to
-- runs and keep ids as plain text: their rows are written only by the run's
-- own steps, from ids the loader validated, and a per-row foreign key check
-- and per-value domain regexes cost more than the COPY itself (measured: the
-- persist step of 174,000 rows took 3.1 s with them, 0.9 s without). A run's
-- results hang off run_summaries, which has the foreign key.

CREATE DOMAIN run_step AS text
    CHECK (VALUE IN ('lock', 'snapshot', 'rules', 'candidates', 'assign', 'persist', 'report'));
CREATE DOMAIN match_strategy AS text CHECK (VALUE IN ('stable', 'optimal', 'greedy'));
-- The value of a criterion of the fit breakdown, stored exactly as `n` or `n/d`
-- in lowest terms (MATCHING.md section 3), as a decimal (for queries).
CREATE FUNCTION ratio_value(r text) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT
    RETURN CASE WHEN position('/' IN r) = 0 THEN r::numeric
                ELSE split_part(r, '/', 1)::numeric / split_part(r, '/', 2)::numeric END;

CREATE TABLE job_instances (
    instance_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_name text NOT NULL CHECK (job_name <> ''),
    run_date date NOT NULL,
    scope identifier NOT NULL,
    policy_sha256 sha256_hex NOT NULL,
    strategy match_strategy NOT NULL,
    -- The effective policy, canonically (MATCHING.md section 7); its SHA-256 is policy_sha256.
    policy_text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_name, run_date, scope, policy_sha256, strategy)
);

CREATE TABLE runs (
    run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id bigint NOT NULL REFERENCES job_instances,
    number integer NOT NULL CHECK (number >= 1),          -- 1, then one more per --rerun
    status text NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'failed', 'succeeded')),
    engine_version text NOT NULL,
    -- Set by the snapshot step.
    who_list_edition identifier REFERENCES who_list_editions,
    input_sha256 sha256_hex,
    -- Where the report step last wrote the files.
    report_dir text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (instance_id, number)
);

CREATE TABLE run_executions (
    execution_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES runs,
    status text NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'failed', 'abandoned', 'succeeded')),
    host text NOT NULL,
    pid integer NOT NULL,
    -- The step this execution started from (after the run's last completed step).
    resumed_at run_step NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    message text
);
CREATE INDEX run_executions_run ON run_executions (run_id);

CREATE TABLE run_steps (
    execution_id bigint NOT NULL REFERENCES run_executions,
    step run_step NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    duration_ms bigint CHECK (duration_ms >= 0),
    rows_read bigint,
    rows_written bigint,
    attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    message text,
    PRIMARY KEY (execution_id, step)
);

CREATE TABLE run_leases (
    scope identifier PRIMARY KEY,
    holder text NOT NULL,                 -- a random token per runner process
    execution_id bigint REFERENCES run_executions,
    host text NOT NULL,
    pid integer NOT NULL,
    acquired_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

-- The snapshot: which version of every row the run read (the current,
-- non-withdrawn versions at the time of the snapshot step). The WHO list
-- edition is runs.who_list_edition.
CREATE TABLE run_snapshot (
    run_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('employer', 'recruiter', 'vacancy', 'worker', 'minimum_wage', 'fx_rate')),
    key text NOT NULL,
    version row_version NOT NULL,
    PRIMARY KEY (run_id, kind, key)
);

-- Results --------------------------------------------------------------

-- The columns of a scored pair, defined once and copied with LIKE (dropped at the end).
-- Criteria: `n` or `n/d` in lowest terms.
CREATE TEMP TABLE scored_pair (
    vacancy_id text NOT NULL,
    fit_micro integer NOT NULL CHECK (fit_micro BETWEEN 0 AND 1000000),
    worker_rank integer NOT NULL CHECK (worker_rank >= 1),
    occupation text NOT NULL,
    skills text NOT NULL,
    experience text NOT NULL,
    languages text NOT NULL,
    education text NOT NULL
);

-- The matches, with the exact per-criterion breakdown of each fit.
CREATE TABLE run_matches (
    run_id bigint NOT NULL,
    worker_id text NOT NULL,
    LIKE scored_pair INCLUDING CONSTRAINTS,
    PRIMARY KEY (run_id, worker_id)
);
CREATE INDEX run_matches_vacancy ON run_matches (run_id, vacancy_id);

-- Each worker's five best candidates by fit (then vacancy_id), for explanations.
CREATE TABLE run_top_candidates (
    run_id bigint NOT NULL,
    worker_id text NOT NULL,
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 5),
    matched boolean NOT NULL,
    LIKE scored_pair INCLUDING CONSTRAINTS,
    PRIMARY KEY (run_id, worker_id, position),
    UNIQUE (run_id, worker_id, vacancy_id)
);

-- Every taking-part worker and vacancy (MATCHING.md section 1): eligible or
-- not, how many candidates it had, how many matches it got.
CREATE TABLE run_participants (
    run_id bigint NOT NULL,
    subject text NOT NULL CHECK (subject IN ('worker', 'vacancy')),
    id text NOT NULL,
    eligible boolean NOT NULL,
    candidates integer NOT NULL CHECK (candidates >= 0),
    matched integer NOT NULL CHECK (matched >= 0),
    PRIMARY KEY (run_id, subject, id)
);

CREATE TABLE run_exclusions (
    run_id bigint NOT NULL,
    subject text NOT NULL CHECK (subject IN ('worker', 'vacancy', 'pair')),
    worker_id text,
    vacancy_id text,
    reason text NOT NULL CHECK (reason <> ''),
    CHECK ((worker_id IS NOT NULL) = (subject <> 'vacancy') AND (vacancy_id IS NOT NULL) = (subject <> 'worker')),
    UNIQUE NULLS NOT DISTINCT (run_id, subject, worker_id, vacancy_id, reason)
);

-- summary.json as written (exact bytes), and the same as jsonb for queries.
CREATE TABLE run_summaries (
    run_id bigint PRIMARY KEY REFERENCES runs,
    summary_json text NOT NULL,
    summary jsonb GENERATED ALWAYS AS (summary_json::jsonb) STORED
);

DROP TABLE scored_pair;

-- The breakdowns as decimals, for reading.
CREATE VIEW run_match_breakdowns AS
    SELECT run_id, worker_id, vacancy_id, fit_micro, worker_rank,
           ratio_value(occupation) AS occupation, ratio_value(skills) AS skills,
           ratio_value(experience) AS experience, ratio_value(languages) AS languages,
           ratio_value(education) AS education
    FROM run_matches;
