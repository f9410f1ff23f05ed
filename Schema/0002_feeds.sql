-- 0002_feeds: the record of every load (`feeds`), the rows it rejected
-- (`feed_rejections`), and the link from every version to the load that wrote it.
--
-- A load (`labourmatch load`, Store's FeedLoader) is one transaction: it
-- takes a transaction-level advisory lock on (schema, kind, source), streams
-- the file's rows with COPY into a temporary staging table (ON COMMIT DROP),
-- inserts its `feeds` row, merges the staging table into the tables of
-- 0001 in a few set-based statements, writes the rejections, and sets the
-- counts. So a `feeds` row exists only for a load that committed: a failed,
-- killed or dry-run load leaves nothing, not even a `feeds` row (a whole-file
-- error, FEEDS.md, fails "before anything is written"). There is no status
-- column because every row here is a success.
--
-- Sources. `feeds.source` names where a file comes from (an employer portal,
-- an agency, a labour office; default: the file's base name). A snapshot load
-- withdraws only the keys whose current version was written by a feed of the
-- same kind and source (versions point to their feed through `feed_id`), so
-- two portals' vacancies live side by side.
--
-- No-op. A file whose SHA-256 equals that of an earlier load of the same
-- kind and source is not loaded again (and leaves no row here).
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

CREATE TABLE feeds (
    feed_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL
        CHECK (kind IN ('employers', 'recruiters', 'vacancies', 'workers', 'minimum_wages', 'fx_rates', 'who_list')),
    source text NOT NULL CHECK (source <> ''),
    -- The file's base name as the operator named it, and its size.
    file_name text NOT NULL CHECK (file_name <> ''),
    file_bytes bigint NOT NULL CHECK (file_bytes >= 0),
    file_sha256 sha256_hex NOT NULL,
    format text NOT NULL CHECK (format IN ('csv', 'ndjson')),
    mode text NOT NULL CHECK (mode IN ('snapshot', 'delta')),
    -- The version of Debian's iso-codes the codes were checked against (FEEDS.md, "Codes").
    iso_codes_version text NOT NULL CHECK (iso_codes_version <> ''),
    -- rows_read: data rows of the file (not the header, not empty lines);
    -- every one is inserted (a new key), updated (a new version of a key),
    -- unchanged (same content as the current version) or rejected.
    rows_read integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_inserted integer NOT NULL DEFAULT 0 CHECK (rows_inserted >= 0),
    rows_updated integer NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),
    rows_unchanged integer NOT NULL DEFAULT 0 CHECK (rows_unchanged >= 0),
    rows_rejected integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    -- Keys of the source missing from a snapshot, now withdrawn (not rows of the file).
    rows_withdrawn integer NOT NULL DEFAULT 0 CHECK (rows_withdrawn >= 0),
    -- A snapshot with a MALFORMED_ROW withdraws nothing (its keys cannot be trusted).
    withdrawals_skipped boolean NOT NULL DEFAULT false,
    -- who_list loads: the edition the file name gives.
    who_list_edition text,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    CHECK (rows_inserted + rows_updated + rows_unchanged + rows_rejected = rows_read),
    CHECK (finished_at >= started_at),
    CHECK (mode = 'snapshot' OR (rows_withdrawn = 0 AND NOT withdrawals_skipped)),
    CHECK ((kind = 'who_list') = (who_list_edition IS NOT NULL))
);
-- The no-op check, and `feeds list --kind --source`.
CREATE INDEX feeds_kind_source ON feeds (kind, source, file_sha256);

-- One row per rejected data row (FEEDS.md): where it is, why, and its text.
CREATE TABLE feed_rejections (
    feed_id bigint NOT NULL REFERENCES feeds,
    -- The first physical line of the record (CSV header = line 1; NDJSON first line = 1).
    line integer NOT NULL CHECK (line >= 1),
    field text CHECK (field <> ''),
    reason text NOT NULL
        CHECK (reason IN ('MALFORMED_ROW', 'MISSING_FIELD', 'INVALID_VALUE', 'DUPLICATE_KEY',
                          'UNKNOWN_EMPLOYER', 'UNKNOWN_RECRUITER')),
    -- The row's key when it can still be read (present and valid): a snapshot
    -- does not withdraw it. NULL for MALFORMED_ROW.
    key text,
    -- The record as it stands in the file without its final line end; invalid
    -- UTF-8 as U+FFFD, and a NUL character (which text cannot hold) as U+FFFD too.
    raw text NOT NULL,
    -- A sentence for the operator ("'three' is not an integer").
    detail text NOT NULL,
    PRIMARY KEY (feed_id, line),
    CHECK ((reason = 'MALFORMED_ROW') = (field IS NULL)),
    CHECK (reason <> 'MALFORMED_ROW' OR key IS NULL)
);

-- Every version (and WHO list edition) points to the load that wrote it;
-- NULL only for rows written otherwise (the shipped WHO list of 0001).
ALTER TABLE employer_versions ADD FOREIGN KEY (feed_id) REFERENCES feeds;
ALTER TABLE recruiter_versions ADD FOREIGN KEY (feed_id) REFERENCES feeds;
ALTER TABLE vacancy_versions ADD FOREIGN KEY (feed_id) REFERENCES feeds;
ALTER TABLE worker_versions ADD FOREIGN KEY (feed_id) REFERENCES feeds;
ALTER TABLE minimum_wage_versions ADD FOREIGN KEY (feed_id) REFERENCES feeds;
ALTER TABLE fx_rate_versions ADD FOREIGN KEY (feed_id) REFERENCES feeds;
ALTER TABLE who_list_editions ADD FOREIGN KEY (feed_id) REFERENCES feeds;

-- The same domains as 0001, checked the cheap way. PostgreSQL compiles a
-- bounded repetition such as `{1,64}` into a large automaton: 5 to 12 us per
-- value, which dominated the cost of a million-row load. Each rewrite accepts
-- exactly the same values (the classes are ASCII, so characters are bytes).
ALTER DOMAIN identifier DROP CONSTRAINT identifier_check;
ALTER DOMAIN identifier ADD CONSTRAINT identifier_check
    CHECK (octet_length(VALUE) BETWEEN 1 AND 64 AND VALUE ~ '^[A-Za-z0-9._-]+$');
ALTER DOMAIN skill_code DROP CONSTRAINT skill_code_check;
ALTER DOMAIN skill_code ADD CONSTRAINT skill_code_check
    CHECK (octet_length(VALUE) <= 64 AND VALUE ~ '^[a-z0-9][a-z0-9._-]*$');
ALTER DOMAIN sha256_hex DROP CONSTRAINT sha256_hex_check;
ALTER DOMAIN sha256_hex ADD CONSTRAINT sha256_hex_check
    CHECK (octet_length(VALUE) = 64 AND VALUE ~ '^[0-9a-f]+$');
