-- 0013_withdrawn_index: the keys a load withdrew, found without reading every version.
--
-- `feeds show ID --withdrawn` lists the versions load ID recorded as
-- withdrawn. No index led there: each call read the whole versions table
-- (340 ms at 1.2 million worker versions in a growth review, session 18, and
-- growing with every daily load). A partial index holds the withdrawn
-- versions only, so a load that withdraws nothing adds nothing to it, and
-- the rows it changes or adds cost no more than before.
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

CREATE INDEX employer_versions_withdrawn_by ON employer_versions (feed_id) WHERE withdrawn;
CREATE INDEX recruiter_versions_withdrawn_by ON recruiter_versions (feed_id) WHERE withdrawn;
CREATE INDEX vacancy_versions_withdrawn_by ON vacancy_versions (feed_id) WHERE withdrawn;
CREATE INDEX worker_versions_withdrawn_by ON worker_versions (feed_id) WHERE withdrawn;
CREATE INDEX minimum_wage_versions_withdrawn_by ON minimum_wage_versions (feed_id) WHERE withdrawn;
CREATE INDEX fx_rate_versions_withdrawn_by ON fx_rate_versions (feed_id) WHERE withdrawn;
