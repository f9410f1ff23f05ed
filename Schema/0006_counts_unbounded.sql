-- 0006_counts_unbounded: a vacancy's `openings` and `contract_months` of any size.
--
-- FEEDS.md: both are "integer >= 1", with no upper bound, and the engine now
-- reads them exactly however long (`Matching.Count`). Until this migration
-- they were `integer` (int4), and the loader rejected values past
-- 2,147,483,647 as INVALID_VALUE, which FEEDS.md does not allow.
--
-- whole_count: a numeric with no fraction digits (scale 0, so its text is
-- always plain digits, which the snapshot reader parses) and at least 1. It
-- replaces the columns' CHECK (... >= 1) of 0001.
--
-- The current_vacancies view reads the columns, so it is dropped, and made
-- again with its grants of 0005_roles, around the change of type.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

CREATE DOMAIN whole_count AS numeric
    CHECK (VALUE >= 1 AND scale(VALUE) = 0);

DROP VIEW current_vacancies;

ALTER TABLE vacancy_versions
    DROP CONSTRAINT vacancy_versions_openings_check,
    DROP CONSTRAINT vacancy_versions_contract_months_check,
    ALTER COLUMN openings TYPE whole_count,
    ALTER COLUMN contract_months TYPE whole_count;

CREATE VIEW current_vacancies AS SELECT * FROM vacancy_versions WHERE is_current;
GRANT SELECT ON current_vacancies TO labourmatch_loader, labourmatch_runner, labourmatch_auditor;
