import Feeds
import Foundation
import Postgres

/// One committed load, as its `feeds` row records it; the members of `FeedFile` read through it.
@dynamicMemberLookup
public struct FeedSummary: Sendable {
    public var feedId: Int64
    public var file: FeedFile
    /// The counts; `rejectedByReason` is filled by `FeedCatalog.feed(_:id:)` only.
    public var counts: LoadCounts
    public var withdrawalsSkipped: Bool
    public var startedAt: Date
    public var finishedAt: Date

    public subscript<T>(dynamicMember member: KeyPath<FeedFile, T>) -> T { file[keyPath: member] }
}

/// A rejected row as `feed_rejections` holds it.
public struct StoredRejection: Sendable, Hashable {
    public var line: Int
    public var field: String?
    public var reason: RejectionReason
    /// The row's key when it could still be read.
    public var key: String?
    public var raw: String
    public var detail: String
}

/// Reads what loads recorded: `feeds` and `feed_rejections` (for `labourmatch feeds`).
public enum FeedCatalog {
    private static let columns = """
        feed_id, kind, source, file_name, file_bytes, file_sha256, format, mode, iso_codes_version,
        who_list_edition, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, rows_withdrawn,
        withdrawals_skipped, started_at, finished_at
        """

    /// The latest `limit` loads, newest first, optionally of one kind and source.
    public static func list(_ db: Connection, kind: FeedKind? = nil, source: String? = nil,
                            before: Int64? = nil, limit: Int = 50) throws -> [FeedSummary] {
        try db.query("""
            SELECT \(columns) FROM feeds
            WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR source = $2)
              AND ($4::bigint IS NULL OR feed_id < $4)
            ORDER BY feed_id DESC LIMIT $3
            """, params: [kind.map { .init($0.rawValue) }, source.map { .init($0) }, .init(limit), before.map { .init($0) }])
            .map(summary)
    }

    /// The keys load `id` of `kind` withdrew (a snapshot load: keys of its source the file no
    /// longer listed; a WHO list load: the countries the edition before it had and its own has
    /// not), in byte order.
    public static func withdrawnKeys(_ db: Connection, id: Int64, kind: FeedKind) throws -> [String] {
        if kind == .whoList {
            // Editions, not versions: the countries of the edition loaded before this feed's (by a
            // feed before it, else the migrations') that this feed's edition has not.
            return try db.query("""
                WITH this AS (SELECT edition FROM who_list_editions WHERE feed_id = $1),
                     before AS (SELECT edition FROM who_list_editions WHERE feed_id IS NULL OR feed_id < $1
                                ORDER BY feed_id DESC NULLS LAST, recorded_at DESC LIMIT 1)
                SELECT p.country::text FROM who_list_entries p
                WHERE p.edition = (SELECT edition FROM before) AND (SELECT edition FROM this) IS NOT NULL
                  AND NOT EXISTS (SELECT FROM who_list_entries t WHERE t.edition = (SELECT edition FROM this)
                                                                  AND t.country = p.country)
                ORDER BY p.country::text COLLATE "C"
                """, params: [.init(id)]).map { try $0.decode(0) }
        }
        let table = EntityTable.of(kind)
        guard let versions = table.versions else { return [] }
        return try db.query("""
            SELECT \(table.key)::text FROM \(versions) WHERE feed_id = $1 AND withdrawn ORDER BY \(table.key)::text COLLATE "C"
            """, params: [.init(id)]).map { try $0.decode(0) }
    }

    /// One load with its rejection counts by reason; nil when there is no such feed.
    public static func feed(_ db: Connection, id: Int64) throws -> FeedSummary? {
        guard let row = try db.query("SELECT \(columns) FROM feeds WHERE feed_id = $1", params: [.init(id)]).first else {
            return nil
        }
        var feed = try summary(row)
        for r in try db.query("SELECT reason, count(*) FROM feed_rejections WHERE feed_id = $1 GROUP BY reason",
                              params: [.init(id)]) {
            if let reason = RejectionReason(rawValue: try r.decode(0)) {
                feed.counts.rejectedByReason[reason] = try r.decode(1, as: Int.self)
            }
        }
        return feed
    }

    /// The rejections of a feed in line order, handed over in batches of `batchSize`
    /// (a feed may hold a million of them).
    public static func forEachRejection(_ db: Connection, feedId: Int64, batchSize: Int = 10_000,
                                        _ body: ([StoredRejection]) throws -> Void) throws {
        var after = 0
        while true {
            let rows = try db.query("""
                SELECT line, field, reason, key, raw, detail FROM feed_rejections
                WHERE feed_id = $1 AND line > $2 ORDER BY line LIMIT $3
                """, params: [.init(feedId), .init(after), .init(batchSize)])
            let batch = try rows.map { r in
                StoredRejection(line: try r.decode(0), field: try r.decodeIfPresent(1),
                                reason: RejectionReason(rawValue: try r.decode(2)) ?? .malformedRow,
                                key: try r.decodeIfPresent(3), raw: try r.decode(4), detail: try r.decode(5))
            }
            guard let last = batch.last else { return }
            try body(batch)
            after = last.line
        }
    }

    private static func summary(_ r: PostgresRow) throws -> FeedSummary {
        var counts = LoadCounts()
        counts.read = try r.decode(10)
        counts.inserted = try r.decode(11)
        counts.updated = try r.decode(12)
        counts.unchanged = try r.decode(13)
        counts.rejected = try r.decode(14)
        counts.withdrawn = try r.decode(15)
        let file = FeedFile(
            kind: FeedKind(rawValue: try r.decode(1)) ?? .vacancies, source: try r.decode(2), fileName: try r.decode(3),
            fileBytes: try r.decode(4), sha256: try r.decode(5), format: FeedFormat(rawValue: try r.decode(6)) ?? .csv,
            mode: LoadMode(rawValue: try r.decode(7)) ?? .delta, isoCodesVersion: try r.decode(8),
            whoListEdition: try r.decodeIfPresent(9))
        return FeedSummary(feedId: try r.decode(0), file: file, counts: counts, withdrawalsSkipped: try r.decode(16),
                           startedAt: try r.decode(17), finishedAt: try r.decode(18))
    }
}
