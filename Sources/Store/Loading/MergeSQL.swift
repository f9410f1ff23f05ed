import Feeds

/// The SQL of one load, built from an `EntityTable`'s constant names (values
/// always travel as bind parameters). The temporary tables:
///
///   lm_stage     every data row of the file: accepted rows with their
///                content and SHA-256 (reason NULL), or, when `lean`, with
///                their key and SHA-256 alone (see `KnownContent`); rejected
///                rows with reason, field, key, raw text and detail.
///   lm_gone      snapshot: keys of the source whose current version is not
///                withdrawn and that no row of the file names (accepted or
///                rejected with a readable key).
///   lm_plan      accepted rows that write a version: new keys
///                (old_version NULL) and keys whose current version differs
///                or is withdrawn.
///   lm_withdraw  lm_gone re-read after the row locks: the versions to withdraw.
extension EntityTable {
    static let stage = "lm_stage"

    /// `line, reason, field, key, raw, detail, sha, lean`, then the data columns.
    var stageColumnNames: [String] {
        ["line", "reason", "field", "key", "raw", "detail", "sha", "lean"] + columns.map(\.name)
    }

    var createStage: String {
        let data = columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        return """
            CREATE TEMP TABLE lm_stage (line integer NOT NULL, reason text, field text, key text, raw text,
                detail text, sha sha256_hex, lean boolean, \(data)) ON COMMIT DROP
            """
    }

    /// $1 kind, $2 source: the load's own settings, which `currentContentOfSource` reads
    /// (a COPY statement takes no parameters); they end with the transaction.
    static let setLoadSource = """
        SELECT set_config('labourmatch.load_kind', $1, true), set_config('labourmatch.load_source', $2, true)
        """

    /// The content SHA-256 of every current, not withdrawn version that a feed of the load's
    /// kind and source wrote (`KnownContent`), one a row.
    var currentContentOfSource: String {
        """
        COPY (SELECT v.content_sha256 FROM \(versionsTable) v JOIN feeds f ON f.feed_id = v.feed_id
              WHERE v.is_current AND NOT v.withdrawn AND f.kind = current_setting('labourmatch.load_kind')
                AND f.source = current_setting('labourmatch.load_source')) TO STDOUT
        """
    }

    /// Lean rows (no data columns staged) that the plan would write: a key changed under
    /// them since `KnownContent` was read. Must be 0 before any version is written.
    static let leanRowsPlanned = "SELECT count(*) FROM lm_plan WHERE lean"

    var copyStage: String { "COPY lm_stage (\(stageColumnNames.joined(separator: ", "))) FROM STDIN" }

    /// Temporary tables a load leaves behind, dropped when it ends (they would
    /// otherwise live as long as an enclosing transaction).
    var dropTemporaryTables: String {
        identity == nil ? "DROP TABLE lm_stage" : "DROP TABLE lm_stage, lm_gone, lm_plan, lm_withdraw"
    }

    /// The current, not withdrawn keys of a referenced table (`current_employers`, ...).
    static func currentKeys(of kind: FeedKind) -> String {
        let t = EntityTable.of(kind)
        return "SELECT \(t.key) FROM current_\(t.identity!) WHERE NOT withdrawn"
    }
}

/// The statements of the merge into versioned tables, in the order they run.
extension EntityTable {
    private var identityTable: String { identity! }
    private var versionsTable: String { versions! }

    /// $1 kind, $2 source. The keys a snapshot would withdraw (see the type's comment).
    var createGone: String {
        """
        CREATE TEMP TABLE lm_gone ON COMMIT DROP AS
        SELECT v.\(key) AS key FROM \(versionsTable) v JOIN feeds f ON f.feed_id = v.feed_id
        WHERE v.is_current AND NOT v.withdrawn AND f.kind = $1 AND f.source = $2
          AND NOT EXISTS (SELECT 1 FROM lm_stage s WHERE s.key = v.\(key))
        """
    }

    /// $1 kind, $2 source. After a plan that left the lean rows out (`createPlan(skippingLean:)`):
    /// how many current, not withdrawn versions of the source the file names, the lean rows'
    /// own (each repeats one, and a row repeating another's is a DUPLICATE_KEY) and those the
    /// plan replaces. When that is all of them (`KnownContent.count`), no key is gone: the set
    /// can only shrink under other sources' loads, never grow, since loads of the same source
    /// wait for each other.
    var sourceVersionsNamed: String {
        """
        SELECT (SELECT count(*) FROM lm_stage WHERE lean AND reason IS NULL)
             + (SELECT count(*) FROM lm_plan p
                JOIN \(versionsTable) v ON v.\(key) = p.key AND v.version = p.old_version
                JOIN feeds f ON f.feed_id = v.feed_id
                WHERE NOT v.withdrawn AND f.kind = $1 AND f.source = $2)
        """
    }

    /// An empty lm_gone, for delta loads (and snapshots that withdraw nothing).
    var createNoneGone: String { "CREATE TEMP TABLE lm_gone (key text) ON COMMIT DROP" }

    /// A first look, without locks: the rows that would write a version (new
    /// keys, and keys whose current version differs or is withdrawn). A row
    /// left out here writes nothing even if another load changes its key
    /// meanwhile: as if this load had come first, which it may.
    ///
    /// `skippingLean`: lean rows are left out without a look, because they are known
    /// to repeat their key's current version (`FeedSQL.feedsOfKind` has not changed
    /// since `KnownContent` was read); the join is then over the other rows alone,
    /// a few index probes on a daily reload instead of a hash join of the whole file.
    func createPlan(skippingLean: Bool) -> String {
        """
        CREATE TEMP TABLE lm_plan ON COMMIT DROP AS
        SELECT s.line, s.key, s.sha, s.lean, v.version AS old_version
        FROM lm_stage s LEFT JOIN \(versionsTable) v ON v.\(key) = s.key AND v.is_current
        WHERE s.reason IS NULL\(skippingLean ? " AND s.lean IS NOT TRUE" : "")
          AND (v.version IS NULL OR v.content_sha256 <> s.sha OR v.withdrawn)
        """
    }

    /// New keys get their identity row, the fast way: a plain INSERT writes
    /// two WAL records a row where `ON CONFLICT` writes three (its speculative
    /// insertion), half the time. It fails (unique violation) when another load
    /// took one of the keys meanwhile; the loader then rolls it back and runs
    /// `insertIdentities`. The same byte order, so it waits rather than deadlocks.
    var insertNewIdentities: String {
        """
        INSERT INTO \(identityTable) (\(key))
        SELECT key FROM lm_plan WHERE old_version IS NULL ORDER BY key COLLATE "C"
        """
    }

    /// New keys get their identity row. `ON CONFLICT DO NOTHING` in one byte
    /// order: two loads that bring the same new key wait for each other instead
    /// of deadlocking. The rows it affects are the new keys this load inserted:
    /// when that is every new key of lm_plan, no other load took one meanwhile.
    var insertIdentities: String {
        """
        INSERT INTO \(identityTable) (\(key))
        SELECT key FROM lm_plan WHERE old_version IS NULL ORDER BY key COLLATE "C"
        ON CONFLICT DO NOTHING
        """
    }

    /// Locks, in byte order, the identity rows of the keys this load may write
    /// (and that it did not insert itself, unless `includeNew`), so that a
    /// concurrent load of another source that writes the same keys waits
    /// (instead of both writing version n + 1), and never deadlocks. When a
    /// concurrent load took some of the new keys (`includeNew`), all planned keys
    /// are locked: the rows this load inserted are its own and never wait. Returns
    /// one count, not a million rows.
    func lockKeys(includeNew: Bool) -> String {
        """
        SELECT count(*) FROM (
            SELECT 1 FROM \(identityTable) i
            WHERE i.\(key) IN (
                SELECT key FROM lm_plan\(includeNew ? "" : " WHERE old_version IS NOT NULL")
                UNION ALL SELECT key FROM lm_gone)
            ORDER BY i.\(key) COLLATE "C"
            FOR NO KEY UPDATE OF i) locked
        """
    }

    /// Under the locks, the first look is brought up to date with what
    /// concurrent loads committed meanwhile: rows now equal to the current
    /// version write nothing...
    var dropUnchangedFromPlan: String {
        """
        DELETE FROM lm_plan p USING \(versionsTable) v
        WHERE v.\(key) = p.key AND v.is_current AND v.content_sha256 = p.sha AND NOT v.withdrawn
        """
    }

    /// ...and the others follow the current version as it now is.
    var refreshPlanVersions: String {
        """
        UPDATE lm_plan p SET old_version = v.version FROM \(versionsTable) v
        WHERE v.\(key) = p.key AND v.is_current AND p.old_version IS DISTINCT FROM v.version
        """
    }

    /// Inserted (new keys) and updated (new versions of known keys) rows.
    static let planCounts = """
        SELECT count(*) FILTER (WHERE old_version IS NULL), count(*) FILTER (WHERE old_version IS NOT NULL)
        FROM lm_plan
        """

    /// $1 kind, $2 source. Accepted rows the plan leaves out (unchanged) whose key's current
    /// version another source wrote, and the first such source. Lean rows are the source's own.
    var keptByOtherSources: String {
        """
        SELECT count(*), min(f.source COLLATE "C"), count(DISTINCT f.source) > 1 FROM lm_stage s
        JOIN \(versionsTable) v ON v.\(key) = s.key AND v.is_current JOIN feeds f ON f.feed_id = v.feed_id
        WHERE s.reason IS NULL AND s.lean IS NOT TRUE AND NOT (f.kind = $1 AND f.source = $2)
          AND NOT EXISTS (SELECT 1 FROM lm_plan p WHERE p.key = s.key)
        """
    }

    /// $1 kind, $2 source. lm_gone again, now that its rows are locked.
    var createWithdraw: String {
        """
        CREATE TEMP TABLE lm_withdraw ON COMMIT DROP AS
        SELECT v.\(key) AS key, v.version FROM \(versionsTable) v
        JOIN lm_gone g ON g.key = v.\(key) JOIN feeds f ON f.feed_id = v.feed_id
        WHERE v.is_current AND NOT v.withdrawn AND f.kind = $1 AND f.source = $2
        """
    }

    static let withdrawCount = "SELECT count(*) FROM lm_withdraw"

    /// The current versions that a new version replaces stop being current.
    var retireVersions: String {
        """
        UPDATE \(versionsTable) v SET is_current = false
        FROM (SELECT key, old_version AS version FROM lm_plan WHERE old_version IS NOT NULL
              UNION ALL SELECT key, version FROM lm_withdraw) o
        WHERE v.\(key) = o.key AND v.version = o.version
        """
    }

    private var contentColumns: String { columns.map(\.name).joined(separator: ", ") }

    /// $1 feed. The new versions of lm_plan; when every accepted row is a new key
    /// (`allNew`, a first load), straight from lm_stage, without joining lm_plan.
    func insertVersions(allNew: Bool) -> String {
        let values = columns.map { "s.\($0.name)" }.joined(separator: ", ")
        let insert = "INSERT INTO \(versionsTable) (\(key), version, \(contentColumns), content_sha256, feed_id)"
        if allNew {
            return "\(insert)\nSELECT s.key, 1, \(values), s.sha, $1 FROM lm_stage s WHERE s.reason IS NULL"
        }
        return """
            \(insert)
            SELECT s.key, coalesce(p.old_version, 0) + 1, \(values), s.sha, $1
            FROM lm_plan p JOIN lm_stage s ON s.line = p.line
            """
    }

    /// The employers and recruiters the versions table refers to: (column, identity table,
    /// its key). 0004 dropped the per-row foreign keys of the big versions tables;
    /// `unknownReferences` checks the same, once per load.
    var references: [(column: String, table: String, key: String)] {
        switch kind {
        case .vacancies: return [("employer_id", "employers", "employer_id"), ("recruiter_id", "recruiters", "recruiter_id")]
        case .workers: return [("recruiter_id", "recruiters", "recruiter_id")]
        default: return []
        }
    }

    /// The accepted rows naming an employer or recruiter that has no identity row (the loader
    /// rejects those, so 0 unless something is wrong); nil when the kind refers to nothing.
    /// Set-based: each distinct value probed once.
    var unknownReferences: String? {
        guard !references.isEmpty else { return nil }
        return "SELECT " + references.map { r in
            """
            (SELECT count(*) FROM (SELECT DISTINCT \(r.column) AS k FROM lm_stage
                                  WHERE reason IS NULL AND \(r.column) IS NOT NULL) d
             WHERE NOT EXISTS (SELECT 1 FROM \(r.table) i WHERE i.\(r.key) = d.k))
            """
        }.joined(separator: " + ")
    }

    /// $1 feed. A withdrawal is a new version: the same content, `withdrawn`, written by this feed.
    var insertWithdrawals: String {
        """
        INSERT INTO \(versionsTable) (\(key), version, \(contentColumns), content_sha256, withdrawn, feed_id)
        SELECT v.\(key), v.version + 1, \(columns.map { "v.\($0.name)" }.joined(separator: ", ")), v.content_sha256, true, $1
        FROM \(versionsTable) v JOIN lm_withdraw w ON w.key = v.\(key) AND w.version = v.version
        """
    }
}

/// Statements every kind shares: the feed record and the rejections.
enum FeedSQL {
    /// $1 kind, $2 source, $3 file_sha256: the latest committed load of the same file, and the
    /// loads of the same kind and source committed after it (how many, the latest).
    static let sameFile = """
        SELECT f.feed_id, f.finished_at, f.mode, f.format, f.rows_rejected, f.rows_read,
               (SELECT count(*) FROM feeds l WHERE l.kind = $1 AND l.source = $2 AND l.feed_id > f.feed_id),
               (SELECT max(l.feed_id) FROM feeds l WHERE l.kind = $1 AND l.source = $2 AND l.feed_id > f.feed_id)
        FROM feeds f
        WHERE f.kind = $1 AND f.source = $2 AND f.file_sha256 = $3 ORDER BY f.feed_id DESC LIMIT 1
        """

    /// $1 kind, $2 source: whether a load of them has committed.
    static let sourceKnown = "SELECT EXISTS (SELECT FROM feeds WHERE kind = $1 AND source = $2)"

    /// $1 kind, $2 source: whether another source of the kind has loads.
    static let otherSourceLoaded = "SELECT EXISTS (SELECT FROM feeds WHERE kind = $1 AND source <> $2)"
    /// $1 kind: the sources of its latest loads, the most recent first, three at most.
    static let latestSources = """
        SELECT source FROM feeds WHERE kind = $1 GROUP BY source ORDER BY max(feed_id) DESC LIMIT 3
        """

    /// $1 kind, $2 this load's own feed (NULL before it has one). How many other loads of
    /// that kind have committed. Only loads write the versions tables (the schema's owner by
    /// hand aside), each with its `feeds` row, and feeds are never deleted: while this count
    /// stands still, no version of the kind's table has changed.
    static let feedsOfKind = "SELECT count(*) FROM feeds WHERE kind = $1 AND feed_id IS DISTINCT FROM $2::bigint"

    /// The advisory lock key of ($1 kind, $2 source) in the current schema.
    static let lockKey = "pg_catalog.hashtextextended(pg_catalog.current_schema() || '/' || $1 || '/' || $2, 0::bigint)"

    static let insertFeed = """
        INSERT INTO feeds (kind, source, file_name, file_bytes, file_sha256, format, mode, iso_codes_version,
                           who_list_edition, started_at, finished_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now())
        RETURNING feed_id
        """

    /// $1 feed.
    /// The first five rejections of the file, by line: line, field, reason, detail.
    static let firstRejections = """
        SELECT line, field, reason, detail FROM lm_stage WHERE reason IS NOT NULL ORDER BY line LIMIT 5
        """

    static let insertRejections = """
        INSERT INTO feed_rejections (feed_id, line, field, reason, key, raw, detail)
        SELECT $1, line, field, reason, key, raw, detail FROM lm_stage WHERE reason IS NOT NULL
        """

    /// How many accepted rows there are beyond one per key: more than 0 when a key repeats.
    /// Keys are equal when their bytes are (the "C" collation sorts them by bytes, the fast way).
    static let duplicateCount = """
        SELECT count(*) - count(DISTINCT key COLLATE "C") FROM lm_stage WHERE reason IS NULL
        """

    /// The accepted rows whose key an earlier accepted row has (FEEDS.md: the later row is
    /// DUPLICATE_KEY; a rejected row does not hold its key), by line.
    static let duplicateLines = """
        COPY (SELECT s.line FROM lm_stage s
              JOIN (SELECT key COLLATE "C" AS key, min(line) AS first FROM lm_stage WHERE reason IS NULL
                    GROUP BY key COLLATE "C" HAVING count(*) > 1) d ON d.key = s.key AND s.line > d.first
              WHERE s.reason IS NULL ORDER BY s.line) TO STDOUT
        """

    /// The raw text of those rows, read from the file again.
    static let createDuplicates = "CREATE TEMP TABLE lm_duplicate (line integer PRIMARY KEY, raw text NOT NULL) ON COMMIT DROP"
    static let copyDuplicates = "COPY lm_duplicate (line, raw) FROM STDIN"

    /// $1 the key field. The rows of lm_duplicate become DUPLICATE_KEY rejections, with the
    /// reader's sentence.
    static let rejectDuplicates = """
        UPDATE lm_stage s SET reason = 'DUPLICATE_KEY', field = $1::text, raw = d.raw,
            detail = format('an earlier row with %s ''%s'' was accepted', $1::text, s.key)
        FROM lm_duplicate d WHERE s.line = d.line
        """

    /// $1 how many: the first DUPLICATE_KEY rejections, for the summary.
    static let firstDuplicates = """
        SELECT line, field, raw, key, detail FROM lm_stage WHERE reason = 'DUPLICATE_KEY' ORDER BY line LIMIT $1
        """

    static let finishFeed = """
        UPDATE feeds SET rows_read = $2, rows_inserted = $3, rows_updated = $4, rows_unchanged = $5,
            rows_rejected = $6, rows_withdrawn = $7, withdrawals_skipped = $8, finished_at = clock_timestamp()
        WHERE feed_id = $1
        """

    // The WHO list: editions, not versions.

    /// $1 edition.
    static let whoEdition = "SELECT content_sha256, feed_id, recorded_at FROM who_list_editions WHERE edition = $1"

    /// Inserted (countries new to the list) and updated (name or region changed), against the current edition.
    static let whoCounts = """
        SELECT count(*) FILTER (WHERE c.country IS NULL),
               count(*) FILTER (WHERE c.country IS NOT NULL AND (c.name <> s.name OR c.who_region <> s.who_region))
        FROM lm_stage s LEFT JOIN current_who_list c ON c.country = s.key
        WHERE s.reason IS NULL
        """

    /// Countries of the current edition that the new one no longer lists.
    static let whoDropped = """
        SELECT count(*) FROM current_who_list c
        WHERE NOT EXISTS (SELECT 1 FROM lm_stage s WHERE s.reason IS NULL AND s.key = c.country)
        """

    static let whoRetire = "UPDATE who_list_editions SET is_current = false WHERE is_current"

    static let currentWHOEdition = "SELECT edition FROM who_list_editions WHERE is_current"

    /// $1 edition, $2 source, $3 content_sha256 (the file's), $4 feed.
    static let whoInsertEdition = """
        INSERT INTO who_list_editions (edition, source, content_sha256, feed_id) VALUES ($1, $2, $3, $4)
        """

    /// $1 edition.
    static let whoInsertEntries = """
        INSERT INTO who_list_entries (edition, country, name, who_region)
        SELECT $1, key, name, who_region FROM lm_stage WHERE reason IS NULL
        """
}
