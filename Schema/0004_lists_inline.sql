-- 0004_lists_inline: the lists of a version live on the version row, and the
-- million-row versions tables lose their per-row foreign keys (issue #4).
--
-- What changes in the design of 0001 (its top comment still holds otherwise):
--
--   <entity>_<list>      GONE. The seven child tables (vacancy_required_skills,
--                        vacancy_required_languages, vacancy_contract_languages,
--                        worker_occupations, worker_skills, worker_languages,
--                        worker_preferred_destinations) are now columns of the
--                        version row, one array each, NOT NULL DEFAULT '{}':
--     vacancy_versions.required_skills     required_skill_item[]   `code:min_level:E|O`
--     vacancy_versions.required_languages  language_level_item[]   `code:level` (CEFR)
--     vacancy_versions.contract_languages  language_code[]         `code`
--     worker_versions.occupations          occupation_item[]       `isco:years`
--     worker_versions.skills               worker_skill_item[]     `code:level` (1-4)
--     worker_versions.languages            language_level_item[]   `code:level` (CEFR)
--     worker_versions.preferred_destinations country_code[]       `country`
--                        Each element is the item as FEEDS.md writes it in a CSV cell,
--                        canonical (codes as given, levels as digits or CEFR,
--                        years in their shortest decimal text: `5`, `2.5`), in the
--                        feed's order; PostgreSQL checks every element against
--                        its domain. Reading the exact version a run used is now
--                        one row:
--     SELECT * FROM vacancy_versions WHERE vacancy_id = $1 AND version = $2;
--   content_sha256       unchanged: the hash of the canonical text of the
--                        content, lists included (so no version is rewritten).
--
-- Why: a million-row vacancy load wrote about five million child rows, each
-- with two unique indexes and a foreign-key trigger: some 50 s of an 85 s
-- merge. A list is only ever read whole, with its version, so it belongs on
-- the row. What the child tables enforced and the arrays do not: that a code
-- appears once per list (their primary key). The loader rejects such rows
-- (INVALID_VALUE, FEEDS.md), and it is the only writer.
--
-- Foreign keys. vacancy_versions and worker_versions (the tables a load
-- writes by the million) no longer have per-row foreign keys: to vacancies,
-- workers, employers, recruiters and feeds. Each cost one trigger call and an
-- index probe per inserted row (about two thirds of the time of the versions
-- insert). The same guarantees now come from the load, inside its one
-- transaction: it inserts the identity row of every new key itself (before
-- the versions), it inserts the `feeds` row it points to, it rejects rows
-- whose employer or recruiter is not current (UNKNOWN_EMPLOYER,
-- UNKNOWN_RECRUITER), and it checks, set-based, before committing, that
-- every employer and recruiter its new versions name has an identity row.
-- Identity rows and feeds are never deleted (0005_roles adds append-only
-- triggers), so a reference once valid stays valid. The trade-off: a writer
-- other than the loader (psql by hand) is no longer stopped by the database
-- from naming an unknown employer; the smaller versions tables keep their
-- foreign keys, which cost nothing there.
--
-- Indexes. Dropped: vacancy_versions_employer, vacancy_versions_recruiter and
-- worker_versions_recruiter. No query of the code reads versions by employer
-- or recruiter; they served only the foreign keys' checks on a delete from
-- employers or recruiters, which never happens. Kept: the primary keys
-- (key, version), which the snapshot reader joins on, and the partial unique
-- `*_one_current` indexes, which the loader's plan and the current_* views use.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

-- The item formats of FEEDS.md ("Lists"); bounded repetitions are written as
-- a length check plus an unbounded class, the cheap way (see 0002).
CREATE DOMAIN required_skill_item AS text
    CHECK (octet_length(VALUE) <= 68 AND VALUE ~ '^[a-z0-9][a-z0-9._-]*:[1-4]:[EO]$');
CREATE DOMAIN worker_skill_item AS text
    CHECK (octet_length(VALUE) <= 66 AND VALUE ~ '^[a-z0-9][a-z0-9._-]*:[1-4]$');
CREATE DOMAIN language_level_item AS text
    CHECK (VALUE ~ '^[a-z][a-z]:[ABC][12]$');
CREATE DOMAIN occupation_item AS text
    CHECK (VALUE ~ '^[0-9][0-9][0-9][0-9]:(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$');

ALTER TABLE vacancy_versions
    ADD COLUMN required_skills required_skill_item[] NOT NULL DEFAULT '{}',
    ADD COLUMN required_languages language_level_item[] NOT NULL DEFAULT '{}',
    ADD COLUMN contract_languages language_code[] NOT NULL DEFAULT '{}';

ALTER TABLE worker_versions
    ADD COLUMN occupations occupation_item[] NOT NULL DEFAULT '{}',
    ADD COLUMN skills worker_skill_item[] NOT NULL DEFAULT '{}',
    ADD COLUMN languages language_level_item[] NOT NULL DEFAULT '{}',
    ADD COLUMN preferred_destinations country_code[] NOT NULL DEFAULT '{}';

-- The child rows of an existing database move into the arrays, in ordinal order.
UPDATE vacancy_versions v SET required_skills = c.items
FROM (SELECT vacancy_id, version,
             array_agg(skill_code || ':' || min_level || ':' || CASE WHEN essential THEN 'E' ELSE 'O' END
                       ORDER BY ordinal)::required_skill_item[] AS items
      FROM vacancy_required_skills GROUP BY vacancy_id, version) c
WHERE v.vacancy_id = c.vacancy_id AND v.version = c.version;

UPDATE vacancy_versions v SET required_languages = c.items
FROM (SELECT vacancy_id, version,
             array_agg(language_code || ':' || level ORDER BY ordinal)::language_level_item[] AS items
      FROM vacancy_required_languages GROUP BY vacancy_id, version) c
WHERE v.vacancy_id = c.vacancy_id AND v.version = c.version;

UPDATE vacancy_versions v SET contract_languages = c.items
FROM (SELECT vacancy_id, version, array_agg(language_code ORDER BY ordinal)::language_code[] AS items
      FROM vacancy_contract_languages GROUP BY vacancy_id, version) c
WHERE v.vacancy_id = c.vacancy_id AND v.version = c.version;

-- trim_scale: the shortest text of the years (`5.0` is `5`), as the loader writes them.
UPDATE worker_versions v SET occupations = c.items
FROM (SELECT worker_id, version,
             array_agg(isco_code || ':' || trim_scale(years)::text ORDER BY ordinal)::occupation_item[] AS items
      FROM worker_occupations GROUP BY worker_id, version) c
WHERE v.worker_id = c.worker_id AND v.version = c.version;

UPDATE worker_versions v SET skills = c.items
FROM (SELECT worker_id, version,
             array_agg(skill_code || ':' || level ORDER BY ordinal)::worker_skill_item[] AS items
      FROM worker_skills GROUP BY worker_id, version) c
WHERE v.worker_id = c.worker_id AND v.version = c.version;

UPDATE worker_versions v SET languages = c.items
FROM (SELECT worker_id, version,
             array_agg(language_code || ':' || level ORDER BY ordinal)::language_level_item[] AS items
      FROM worker_languages GROUP BY worker_id, version) c
WHERE v.worker_id = c.worker_id AND v.version = c.version;

UPDATE worker_versions v SET preferred_destinations = c.items
FROM (SELECT worker_id, version, array_agg(country ORDER BY ordinal)::country_code[] AS items
      FROM worker_preferred_destinations GROUP BY worker_id, version) c
WHERE v.worker_id = c.worker_id AND v.version = c.version;

DROP TABLE vacancy_required_skills, vacancy_required_languages, vacancy_contract_languages,
           worker_occupations, worker_skills, worker_languages, worker_preferred_destinations;

-- Per-row foreign keys of the big versions tables (see the top).
ALTER TABLE vacancy_versions
    DROP CONSTRAINT vacancy_versions_vacancy_id_fkey,
    DROP CONSTRAINT vacancy_versions_employer_id_fkey,
    DROP CONSTRAINT vacancy_versions_recruiter_id_fkey,
    DROP CONSTRAINT vacancy_versions_feed_id_fkey;
ALTER TABLE worker_versions
    DROP CONSTRAINT worker_versions_worker_id_fkey,
    DROP CONSTRAINT worker_versions_recruiter_id_fkey,
    DROP CONSTRAINT worker_versions_feed_id_fkey;

DROP INDEX vacancy_versions_employer, vacancy_versions_recruiter, worker_versions_recruiter;

-- `SELECT *` views are expanded when made: give them the new columns.
CREATE OR REPLACE VIEW current_vacancies AS SELECT * FROM vacancy_versions WHERE is_current;
CREATE OR REPLACE VIEW current_workers AS SELECT * FROM worker_versions WHERE is_current;
