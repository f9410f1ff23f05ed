import Feeds
import Foundation
import Matching
import Postgres

/// A run's snapshot: which version of every row it read (`run_snapshot`), and
/// the `MatchingInput` those versions make.
///
/// `record` notes the current, non-withdrawn version of every row (and of the
/// withdrawn employers and recruiters still named) and the current WHO list edition; `input` reads exactly the recorded versions back,
/// whatever has been loaded since. A run and its later verification both read
/// their input through `input`, so they cannot disagree on what was read.
public enum RunSnapshot {
    /// The kinds recorded, with the view of current rows, the key column of each, and for
    /// employers and recruiters the withdrawn keys recorded still: those a current vacancy or
    /// worker names. A withdrawal takes a key out of its feed, not out of what the vacancies
    /// and workers still loaded say: left out, an employer or recruiter struck off and dropped
    /// from its feed lifted every rule on its vacancies and workers (blocklisted, unlicensed,
    /// licence expired), and `export --inputs` wrote rows naming a key its files did not hold,
    /// which the reproduction rejected (a code review, session 17).
    static let kinds: [(kind: String, view: String, key: String, referenced: String?)] = [
        ("employer", "current_employers", "employer_id",
         "SELECT employer_id FROM current_vacancies WHERE NOT withdrawn"),
        ("recruiter", "current_recruiters", "recruiter_id", """
            SELECT recruiter_id FROM current_vacancies WHERE NOT withdrawn AND recruiter_id IS NOT NULL
            UNION SELECT recruiter_id FROM current_workers WHERE NOT withdrawn AND recruiter_id IS NOT NULL
            """),
        ("vacancy", "current_vacancies", "vacancy_id", nil),
        ("worker", "current_workers", "worker_id", nil),
        ("minimum_wage", "current_minimum_wages", "country", nil),
        ("fx_rate", "current_fx_rates", "currency", nil),
    ]

    /// Records the current, non-withdrawn version of every row (and of every withdrawn employer
    /// and recruiter a recorded vacancy or worker names: `kinds`) and the current WHO list
    /// edition as the snapshot of `runId`; returns the rows recorded per kind.
    ///
    /// Call it inside a REPEATABLE READ transaction that also reads the input, so
    /// that what is recorded and what is read are one consistent view.
    @discardableResult
    public static func record(_ db: Connection, runId: Int64) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for k in kinds {
            // Names are this file's constants; the run id is a bind parameter.
            counts[k.kind] = try db.execute("""
                INSERT INTO run_snapshot (run_id, kind, key, version)
                SELECT $1, '\(k.kind)', \(k.key), version FROM \(k.view) WHERE NOT withdrawn
                \(k.referenced.map { "OR \(k.key) IN (\($0))" } ?? "")
                """, params: [PostgresValue(runId)])
        }
        let edition = try db.query("SELECT edition FROM who_list_editions WHERE is_current")
        guard let row = edition.first else {
            throw SnapshotError.noWHOListEdition
        }
        try db.execute("UPDATE runs SET who_list_edition = $2 WHERE run_id = $1",
                       params: [PostgresValue(runId), PostgresValue(try row.decode(0, as: String.self))])
        return counts
    }

    /// Takes the snapshot of `runId` in one REPEATABLE READ view: records it, reads its
    /// input back and stores the input's fingerprint (`input_sha256`) with the run.
    /// Call it inside a REPEATABLE READ transaction.
    public static func take(_ db: Connection, runId: Int64) throws -> (input: MatchingInput, inputSHA256: String,
                                                                       rows: Int) {
        let counts = try record(db, runId: runId)
        let input = try self.input(db, runId: runId)
        let sha = RunInputs.sha256Hex(input.fingerprintText)
        try db.execute("UPDATE runs SET input_sha256 = $2 WHERE run_id = $1",
                       params: [PostgresValue(runId), PostgresValue(sha)])
        return (input, sha, counts.values.reduce(0, +))
    }

    /// The input of `runId`: exactly the versions its snapshot recorded, lists in
    /// their feed order, and the WHO list of its edition. `only` limits the kinds it
    /// names (`worker`, `vacancy`, `employer`...) to those keys.
    public static func input(_ db: Connection, runId: Int64, only: [String: [String]] = [:]) throws -> MatchingInput {
        let reader = VersionReader(db: db, runId: runId, only: only)
        var input = MatchingInput()
        input.employers = try reader.employers()
        input.recruiters = try reader.recruiters()
        input.vacancies = try reader.vacancies()
        input.workers = try reader.workers()
        input.minimumWages = try reader.minimumWages()
        input.fxRates = try reader.fxRates()
        let edition = try db.query("SELECT who_list_edition FROM runs WHERE run_id = $1", params: [PostgresValue(runId)])
        guard let row = edition.first else { throw SnapshotError.noSuchRun(runId) }
        guard let name = try row.decodeIfPresent(0, as: String.self) else { throw SnapshotError.notTaken(runId) }
        input.whoListEdition = name
        input.whoList = try db.query("""
            SELECT country, name, who_region FROM who_list_entries WHERE edition = $1 ORDER BY country COLLATE "C"
            """, params: [PostgresValue(name)]).map { r in
            WHOListEntry(country: try r.decode(0), name: try r.decode(1), whoRegion: try r.decode(2))
        }
        return input
    }

    /// The snapshot rows of `runId` that name a version no versions table holds (removed, or
    /// the snapshot edited): `worker W1 version 2`, at most `limit`, by kind then key.
    public static let missingVersionsShown = 20

    public static func missingVersions(_ db: Connection, runId: Int64, limit: Int = missingVersionsShown) throws -> [String] {
        try missingVersionRows(db, runId: runId, limit: limit).map(\.description)
    }

    /// A snapshot row of a run: the version of `key` of `kind` (`worker`, `fx_rate`) it recorded.
    public struct Recorded: Sendable, Hashable, CustomStringConvertible {
        public var kind: String
        public var key: String
        public var version: Int64
        public init(kind: String, key: String, version: Int64) { self.kind = kind; self.key = key; self.version = version }
        /// `worker W1 version 2`.
        public var description: String { "\(kind) \(key) version \(version)" }
    }

    /// The snapshot rows of `runId` that name a version no versions table holds, at most `limit`,
    /// by kind then key (bytes). The kinds `only` names are looked at for its keys alone (by the
    /// snapshot's primary key; none for an empty list), the others whole.
    public static func missingVersionRows(_ db: Connection, runId: Int64, only: [String: [String]] = [:],
                                          limit: Int = .max) throws -> [Recorded] {
        var missing: [Recorded] = []
        for k in kinds where missing.count < limit && only[k.kind]?.isEmpty != true {
            missing += try db.query("""
                SELECT s.key, s.version FROM run_snapshot s WHERE s.run_id = $1 AND s.kind = '\(k.kind)'
                AND ($3::text[] IS NULL OR s.key = ANY ($3::text[]))
                AND NOT EXISTS (SELECT 1 FROM \(k.kind)_versions v WHERE v.\(k.key) = s.key AND v.version = s.version)
                ORDER BY s.key COLLATE "C" LIMIT $2
                """, params: [PostgresValue(runId), PostgresValue(limit - missing.count), only[k.kind].map { .textArray($0) }]).map {
                Recorded(kind: k.kind, key: try $0.decode(0, as: String.self), version: try $0.decode(1, as: Int64.self))
            }
        }
        return missing
    }

    /// One load (`feeds` row) whose versions the snapshot of a run took, or the WHO list
    /// edition the run read (`kind` `who_list`; `feedId` nil when the migrations loaded it).
    public struct LoadRead: Sendable, Equatable {
        public var feedId: Int64?
        /// The feed's kind (`vacancies`, `who_list`).
        public var kind: String
        /// Nil for versions no load wrote (seeded by hand).
        public var source: String?
        public var fileName: String?
        /// The file's SHA-256 (for the WHO list edition of the migrations: its content's).
        public var fileSHA256: String?
        /// The iso-codes version the load checked codes against (FEEDS.md "Codes"); nil
        /// when no load wrote the rows.
        public var isoCodesVersion: String?
        public var finishedAt: Date?
        /// The rows of the snapshot that are versions this load wrote (WHO list: its entries).
        public var rows: Int

        public init(feedId: Int64?, kind: String, source: String?, fileName: String?, fileSHA256: String?,
                    isoCodesVersion: String?, finishedAt: Date?, rows: Int) {
            self.feedId = feedId; self.kind = kind; self.source = source; self.fileName = fileName
            self.fileSHA256 = fileSHA256; self.isoCodesVersion = isoCodesVersion; self.finishedAt = finishedAt
            self.rows = rows
        }
    }

    /// The loads the snapshot of `runId` read, by feed id, then its WHO list edition. FEEDS.md
    /// asks for the iso-codes version "with every load and run": a run reads no code list, so
    /// its versions are those of the loads that checked the rows it read (each version names
    /// its load, and neither changes once written). A withdrawn employer or recruiter the
    /// snapshot kept (a vacancy or worker still names it) counts under the load that wrote its
    /// content, the last version before the withdrawal: the withdrawing load's file does not
    /// hold it, nor were its codes checked there (a regression review, session 20). Empty
    /// before the snapshot step.
    public static func loads(_ db: Connection, runId: Int64) throws -> [LoadRead] {
        // Names are this file's constants; the run id is a bind parameter.
        let taken = kinds.map { k in
            """
            SELECT '\(k.kind)'::text AS kind,
                   CASE WHEN v.withdrawn THEN (SELECT w.feed_id FROM \(k.kind)_versions w
                        WHERE w.\(k.key) = v.\(k.key) AND w.version < v.version AND NOT w.withdrawn
                        ORDER BY w.version DESC LIMIT 1) ELSE v.feed_id END AS feed_id
            FROM run_snapshot s JOIN \(k.kind)_versions v ON v.\(k.key) = s.key AND v.version = s.version
            WHERE s.run_id = $1 AND s.kind = '\(k.kind)'
            """
        }.joined(separator: "\nUNION ALL\n")
        // Rows of no load show their kind as a load's would be named (`fx_rate` -> `fx_rates`).
        let feedKinds = kinds.map { "('\($0.kind)', '\(feedKind($0.kind))')" }.joined(separator: ", ")
        var loads = try db.query("""
            SELECT coalesce(f.kind, k.feed_kind), t.feed_id, count(*), f.source, f.file_name, f.file_sha256,
                   f.iso_codes_version, f.finished_at
            FROM (\(taken)) t JOIN (VALUES \(feedKinds)) k (kind, feed_kind) ON k.kind = t.kind
            LEFT JOIN feeds f ON f.feed_id = t.feed_id
            GROUP BY 1, 2, 4, 5, 6, 7, 8 ORDER BY t.feed_id NULLS FIRST, coalesce(f.kind, k.feed_kind) COLLATE "C"
            """, params: [PostgresValue(runId)]).map { r in
            LoadRead(feedId: try r.decodeIfPresent(1), kind: try r.decode(0), source: try r.decodeIfPresent(3),
                     fileName: try r.decodeIfPresent(4), fileSHA256: try r.decodeIfPresent(5),
                     isoCodesVersion: try r.decodeIfPresent(6), finishedAt: try r.decodeIfPresent(7), rows: try r.decode(2))
        }
        loads += try db.query("""
            SELECT e.feed_id, e.source, coalesce(f.file_name, e.source), coalesce(f.file_sha256, e.content_sha256),
                   f.iso_codes_version, coalesce(f.finished_at, e.recorded_at),
                   (SELECT count(*) FROM who_list_entries w WHERE w.edition = e.edition)
            FROM runs r JOIN who_list_editions e ON e.edition = r.who_list_edition
            LEFT JOIN feeds f ON f.feed_id = e.feed_id WHERE r.run_id = $1
            """, params: [PostgresValue(runId)]).map { r in
            LoadRead(feedId: try r.decodeIfPresent(0), kind: "who_list", source: try r.decode(1), fileName: try r.decode(2),
                     fileSHA256: try r.decode(3), isoCodesVersion: try r.decodeIfPresent(4),
                     finishedAt: try r.decodeIfPresent(5), rows: try r.decode(6))
        }
        return loads
    }

    /// The feeds' name of a snapshot kind: `vacancy` -> `vacancies`, `fx_rate` -> `fx_rates`.
    static func feedKind(_ kind: String) -> String { kind == "vacancy" ? "vacancies" : kind + "s" }

    /// The iso-codes versions of `loads`, without repeats, in version order (`4.9.0` before
    /// `4.15.0`: numeric parts as numbers, then bytes).
    public static func isoCodesVersions(_ loads: [LoadRead]) -> [String] {
        func parts(_ v: String) -> [Int] { v.split(separator: ".").map { Int($0) ?? -1 } }
        return Set(loads.compactMap(\.isoCodesVersion)).sorted { a, b in
            let (x, y) = (parts(a), parts(b))
            return x != y ? x.lexicographicallyPrecedes(y) : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
    }

    /// The number of rows recorded per kind for `runId`.
    public static func counts(_ db: Connection, runId: Int64) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try db.query("SELECT kind, count(*) FROM run_snapshot WHERE run_id = $1 GROUP BY kind",
                                params: [PostgresValue(runId)]) {
            counts[try row.decode(0, as: String.self)] = try row.decode(1, as: Int.self)
        }
        return counts
    }
}

/// Why a snapshot could not be taken or read.
public enum SnapshotError: Error, Sendable, CustomStringConvertible {
    case noWHOListEdition
    case noSuchRun(Int64)
    case notTaken(Int64)
    case badValue(kind: String, key: String, column: String, text: String)

    public var description: String {
        switch self {
        case .noWHOListEdition:
            return "no current WHO list edition in the database (who_list_editions): run `labourmatch db migrate`"
        case .noSuchRun(let id): return "no run \(id)"
        case .notTaken(let id): return "run \(id) has no snapshot yet"
        case .badValue(let kind, let key, let column, let text):
            return "\(kind) \(key): result column \(column) holds '\(text)', which the engine cannot read"
        }
    }
}
