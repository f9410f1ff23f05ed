-- 0014_runner_reads_loads: the runner reads the loads' records, for the report.
--
-- FEEDS.md records the iso-codes version "with every load and run". A run
-- reads no code list: the versions it ran on are those of the loads whose
-- rows its snapshot took (each version names its load in feed_id, and
-- neither changes once written). The report the run writes lists those loads
-- (file, SHA-256, iso-codes version, rows taken), so the runner reads `feeds`
-- as the auditor does. It still writes none, and reads no rejected row
-- (feed_rejections holds what a workers file said about a person).
--
-- Migrations run inside the migrator's transaction: no BEGIN/COMMIT here.

GRANT SELECT ON feeds TO labourmatch_runner;
