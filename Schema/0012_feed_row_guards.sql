-- 0012_feed_row_guards: a load's rows go only into the load being made.
--
-- 0005 makes feed records append-only, and a finished load's row final; but
-- the rows that belong to a load were left to the loader role's INSERT. A
-- regression review (session 18) showed that a login with labourmatch_loader
-- could therefore, with one INSERT and no feed record:
--   * add a country to a WHO list edition that sealed runs had used: `verify`
--     of those runs then failed for good, and the next run refused pairs
--     under a safeguard nobody had loaded;
--   * (the same way) add an edition of its own, or rejected rows to the
--     record of a finished load, which `feeds show` would then report.
-- Now who_list_editions and feed_rejections rows name a feed that is not
-- finished, and who_list_entries rows an edition of such a feed: one check
-- per statement, over its new rows (a transition table), as in 0011. And a
-- feed row is finished when its transaction commits (a deferred check), as
-- every load finishes its own before it commits; 0005 lets it be finished
-- once. So an unfinished feed is one the current transaction inserted: the
-- load being made. The shipped 2023 edition (0001, no feed) came before.
-- These triggers hold for every role but a superuser (as those of 0005):
-- the feeds' SHA-256 and the runs' hash chain remain the evidence.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

CREATE FUNCTION lm_feed_rows_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bad text;
BEGIN
    IF TG_TABLE_NAME = 'who_list_entries' THEN
        EXECUTE format('SELECT n.edition::text FROM new_rows n '
                       'LEFT JOIN %1$I.who_list_editions d ON d.edition = n.edition '
                       'LEFT JOIN %1$I.feeds f ON f.feed_id = d.feed_id '
                       'WHERE f.feed_id IS NULL OR f.finished_at <> f.started_at OR f.rows_read <> 0 '
                       'ORDER BY 1 LIMIT 1', TG_TABLE_SCHEMA) INTO bad;
        bad := 'edition ' || bad;
    ELSE
        EXECUTE format('SELECT coalesce(n.feed_id::text, ''NULL'') FROM new_rows n '
                       'LEFT JOIN %1$I.feeds f ON f.feed_id = n.feed_id '
                       'WHERE f.feed_id IS NULL OR f.finished_at <> f.started_at OR f.rows_read <> 0 '
                       'ORDER BY n.feed_id LIMIT 1', TG_TABLE_SCHEMA) INTO bad;
        bad := 'feed ' || bad;
    END IF;
    IF bad IS NULL THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LM001',
        MESSAGE = format('INSERT on %s is refused: %s is not a load being made (no such load, or it has finished)',
                         TG_TABLE_NAME, bad),
        HINT = 'a load''s rows are written by labourmatch load only, in its own transaction (Schema/0012_feed_row_guards.sql)';
END $$;

CREATE TRIGGER lm_feed_rows_guard AFTER INSERT ON who_list_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lm_feed_rows_guard();
CREATE TRIGGER lm_feed_rows_guard AFTER INSERT ON who_list_editions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lm_feed_rows_guard();
CREATE TRIGGER lm_feed_rows_guard AFTER INSERT ON feed_rejections REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lm_feed_rows_guard();

-- A feed row is finished (its counts and finished_at set) before its transaction commits.
CREATE FUNCTION lm_feed_finished() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    finished boolean;
BEGIN
    EXECUTE format('SELECT f.finished_at <> f.started_at OR f.rows_read <> 0 FROM %I.feeds f WHERE f.feed_id = $1',
                   TG_TABLE_SCHEMA) INTO finished USING NEW.feed_id;
    IF finished IS DISTINCT FROM false THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'LM001',
        MESSAGE = format('feed %s is not finished: a load records its counts before it commits', NEW.feed_id),
        HINT = 'feeds are written by labourmatch load only (Schema/0012_feed_row_guards.sql)';
END $$;

CREATE CONSTRAINT TRIGGER lm_feed_finished AFTER INSERT ON feeds DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION lm_feed_finished();
