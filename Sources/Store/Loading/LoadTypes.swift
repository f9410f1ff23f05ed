import Feeds
import Foundation
import Postgres

/// How a load treats keys of its source that the file does not list (FEEDS.md, "Loading modes").
public enum LoadMode: String, Sendable, Hashable, CaseIterable {
    /// The file is the full current set of its source: keys of the source missing from it are withdrawn.
    case snapshot
    /// Insert or update the file's rows; touch nothing else.
    case delta

    /// The mode of a load that names none: snapshot for vacancies (FEEDS.md) and for the
    /// reference tables (a rates or minimum-wage file is the whole table, and a stale value
    /// is worse than a missing one, which a run reports); delta for employers, recruiters
    /// and workers, whose files often carry only what changed. A WHO list file is always a
    /// whole edition (snapshot).
    public static func defaultMode(for kind: FeedKind) -> LoadMode {
        switch kind {
        case .vacancies, .minimumWages, .fxRates, .whoList: return .snapshot
        case .employers, .recruiters, .workers: return .delta
        }
    }
}

/// The counts of one load, as its `feeds` row records them.
public struct LoadCounts: Sendable, Hashable {
    /// Data rows of the file: `inserted + updated + unchanged + rejected`.
    public var read = 0
    /// Rows whose key was new.
    public var inserted = 0
    /// Rows that wrote a new version of a known key (changed, or back after a withdrawal).
    public var updated = 0
    /// Rows equal to the current version of their key (nothing written).
    public var unchanged = 0
    public var rejected = 0
    /// Keys of the source that a snapshot no longer lists, now withdrawn (not rows of the file).
    public var withdrawn = 0
    /// Rejected rows by reason.
    public var rejectedByReason: [RejectionReason: Int] = [:]

    public init() {}

    /// Rows accepted: `read - rejected`.
    public var accepted: Int { read - rejected }
}

/// A feed file and how it is loaded: what its `feeds` row records besides counts and times.
public struct FeedFile: Sendable, Hashable {
    public var kind: FeedKind
    public var source: String
    /// The file's base name.
    public var fileName: String
    public var fileBytes: Int64
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String
    public var format: FeedFormat
    public var mode: LoadMode
    /// The iso-codes version the codes were checked against.
    public var isoCodesVersion: String
    /// The edition of a WHO list file (from its name), else nil.
    public var whoListEdition: String?
}

/// What one `FeedLoader.load` did (or, for a dry run, would have done); the members of
/// `FeedFile` read through it (`report.kind`).
@dynamicMemberLookup
public struct LoadReport: Sendable {
    /// How the load ended.
    public enum Outcome: Sendable, Hashable {
        /// Committed as `feeds` row `feedId`.
        case loaded
        /// Nothing written: an earlier load (`feeds` row `previousFeed`, nil for the
        /// WHO list edition of the migrations) had the same file.
        case noOp(previousFeed: Int64?, loadedAt: Date?)
        /// Everything was done and then rolled back (`--dry-run`).
        case dryRun
    }

    public var outcome: Outcome
    /// The `feeds` row; nil unless `outcome` is `.loaded` (a dry run's is rolled back).
    public var feedId: Int64?
    /// The path as given.
    public var path: String
    public var file: FeedFile
    public var counts = LoadCounts()
    /// A snapshot with a MALFORMED_ROW withdraws nothing: true when that happened.
    public var withdrawalsSkipped = false
    /// The first rejections in file order (at most `FeedLoader.firstRejectionsKept`), for the summary.
    public var firstRejections: [Rejection] = []
    /// Wall-clock seconds of the whole load, and of its phases.
    public var seconds = 0.0
    public var readSeconds = 0.0
    public var mergeSeconds = 0.0
    /// Rows staged by key and SHA-256 alone, because their content was already the current
    /// version of their source's key (see `FeedLoader`): the merge had nothing to write for them.
    public var leanRows = 0
    /// Whether the load started again with every row staged whole, because a key changed under
    /// one of its lean rows meanwhile (another load committed a new version of it).
    public var restartedWhole = false
    /// When it started again: the seconds of the first attempt, rolled back (part of `seconds`,
    /// which also counts the file's digest before it; `readSeconds` and `mergeSeconds` are the
    /// second attempt's).
    public var firstAttemptSeconds: Double?
    /// Whether the merge left the lean rows out without comparing them with the versions
    /// table, because no load of the same kind had committed since their content was read.
    public var leanTrusted = false
    /// When this load's source is new for its kind and the kind has loads of other sources: the
    /// latest three of them, the most recent first (a source taken from dated file names is new
    /// every day, and a snapshot then withdraws nothing of yesterday's).
    public var otherSources: [String]?
    /// Accepted rows that repeat, unchanged, a key whose current version another source of the
    /// kind wrote, and the first such source (by bytes): they write nothing, so the key stays that
    /// source's, and its next snapshot withdraws the key if it no longer lists it.
    public var keptByOtherSources = 0
    public var keptByOtherSource: String?
    /// Whether those rows' keys came from more than one other source.
    public var keptBySeveralSources = false
    /// A no-op's earlier load as it was made, when it was a feed: what the summary says when it
    /// differs from this request, rejected rows, or was followed by other loads of the source.
    public var previousLoad: PreviousLoad?

    public subscript<T>(dynamicMember member: KeyPath<FeedFile, T>) -> T { file[keyPath: member] }
}

/// How far a long load has come, for a progress line.
public struct LoadProgress: Sendable {
    /// What the load is doing.
    public enum Phase: String, Sendable {
        case reading
        case merging
    }

    public var phase: Phase
    /// Data rows read so far.
    public var rows: Int
    /// Seconds since the load started.
    public var seconds: Double
}

/// A pause after `afterRows` data rows, for tests that kill or overlap loads at a known point.
public struct LoadTestPause: Sendable {
    public var afterRows: Int
    public var seconds: Double
    /// Run at that point (on the loader's encoding thread, its COPY open), before the pause:
    /// what another session does meanwhile.
    public var meanwhile: (@Sendable () throws -> Void)?

    public init(afterRows: Int, seconds: Double, meanwhile: (@Sendable () throws -> Void)? = nil) {
        self.afterRows = afterRows; self.seconds = seconds; self.meanwhile = meanwhile
    }

    /// `LABOURMATCH_TEST_PAUSE_AFTER_ROWS=N` (and `LABOURMATCH_TEST_PAUSE_SECONDS`, default 600).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> LoadTestPause? {
        guard let rows = environment["LABOURMATCH_TEST_PAUSE_AFTER_ROWS"].flatMap(Int.init), rows >= 0 else {
            return nil
        }
        let seconds = environment["LABOURMATCH_TEST_PAUSE_SECONDS"].flatMap(Double.init) ?? 600
        return LoadTestPause(afterRows: rows, seconds: seconds)
    }
}

/// Why a load did not happen. Every case leaves the database as it was.
public enum LoadError: Error, Sendable, CustomStringConvertible {
    /// The file fails as a whole (FEEDS.md): header, unknown NDJSON key, unreadable.
    case feedFile(FeedFileError)
    /// The format cannot be told from the file name and `--format` is not given.
    case unknownFormat(path: String)
    /// A snapshot of a file with no data rows, without `allowEmpty`.
    case emptySnapshot(file: String, kind: FeedKind)
    /// A mode the kind does not have (a WHO list is always a whole edition).
    case modeNotAllowed(kind: FeedKind, mode: LoadMode)
    /// The source name is empty, holds a control character, or begins or ends with a space.
    case badSource(String)
    /// The WHO list edition the file name gives is already loaded, from another file.
    case whoEditionConflict(edition: String, file: String)
    /// A WHO list edition loaded before from the same file, which is no longer the current one.
    case whoEditionNotCurrent(edition: String, current: String, file: String)
    /// A WHO list edition before the current one, without `allowOlderEdition`.
    case whoEditionOlder(edition: String, current: String, file: String)
    /// A WHO list file whose name holds no edition (four consecutive digits).
    case whoEditionMissing(file: String)
    /// A WHO list file with rejected rows (`first`: the first five, said): an edition is loaded
    /// whole or not at all.
    case whoRowsRejected(file: String, rejected: Int, first: [String])
    /// Another load of the same kind and source held the lock for `seconds`.
    case lockTimeout(kind: FeedKind, source: String, seconds: Double)
    /// The database lacks the tables of the migrations.
    case notMigrated
    /// The bytes loaded are not those hashed first: the file was written or replaced meanwhile.
    case fileChanged(file: String)
    /// The connection broke during the load's COMMIT (`cause`): the server (its process
    /// `serverProcess`) may have committed it before. `FeedLoader.committed` finds out which.
    case commitUnconfirmed(LoadReport, cause: PostgresError, serverProcess: Int32)

    public var description: String {
        switch self {
        case .feedFile(let error):
            return "\(error) (nothing was loaded)"
        case .unknownFormat(let path):
            return "\(path): cannot tell the format from the file name (expected .csv, .ndjson or .jsonl); give --format csv or --format ndjson"
        case .emptySnapshot(let file, .whoList):
            return "\(file) has no data rows: as the current WHO list edition it would lift every safeguard; nothing was loaded (give --allow-empty if that is meant)"
        case .emptySnapshot(let file, let kind):
            return "\(file) has no data rows: a snapshot of it would withdraw every \(kind.rawValue) row of its source; nothing was loaded (give --allow-empty if that is meant, or --mode delta)"
        case .whoRowsRejected(let file, let rejected, let first):
            return "\(file): " + FeedFileError.whoRowsRejectedSentence(rejected: rejected, first: first)
                + "; nothing was loaded: correct the file and load it again"
        case .modeNotAllowed(let kind, let mode):
            return "a \(kind.cliName) file is always loaded whole (a new edition); --mode \(mode.rawValue) does not apply"
        case .badSource(let source):
            return "source '\(source)' must be 1 to 200 characters, none of them a control character, and not begin "
                + "or end with a space"
        case .whoEditionMissing(let file):
            return "\(file): the file name gives no WHO list edition (the first four consecutive digits, e.g. who-safeguards-2026.csv); nothing was loaded: name the file with its edition year"
        case .whoEditionConflict(let edition, let file):
            return "\(file): WHO list edition \(edition) (from the file name) is already loaded from a file with other content; editions are never replaced: name the file with its own edition year"
        case .whoEditionOlder(let edition, let current, let file):
            return "\(file): WHO list edition \(edition) (from the file name) is older than the current edition "
                + "\(current): loaded, it would become current and could lift safeguards \(current) sets; nothing was "
                + "loaded. Give --allow-older-edition if going back is meant: it is one-way, since an edition is loaded "
                + "once and \(current) cannot be made current again (only a later edition can replace \(edition))"
        case .whoEditionNotCurrent(let edition, let current, let file):
            return "\(file): WHO list edition \(edition) was loaded before from the same bytes, but the current edition "
                + "is \(current) (an older one, loaded after it with --allow-older-edition): an edition is loaded once "
                + "and cannot be made current again; nothing was written. A later edition replaces \(current)"
        case .lockTimeout(let kind, let source, let seconds):
            return "another load of \(kind.cliName) from source '\(source)' held the lock for \(Int(exactly: seconds.rounded(.down)).map(String.init) ?? "\(seconds)") s; nothing was loaded: try again when it is done (or raise --lock-timeout)"
        case .notMigrated:
            return "the database has no feeds table: run labourmatch db migrate first (nothing was loaded)"
        case .fileChanged(let file):
            return "\(file): the file changed while it was loaded (its bytes are not those hashed first); nothing was loaded: load it again once it is complete"
        case .commitUnconfirmed(let load, let cause, _):
            let feed = load.feedId.map { "feed \($0)" } ?? "the feed"
            return "the connection broke while \(feed) committed (\(PostgresError.oneLine(cause.message))): the load may have been committed; labourmatch feeds show \(load.feedId.map(String.init) ?? "ID") says whether, and loading the same file again is safe (a no-op if it was)"
        }
    }

    /// The CLI's exit status for any error of a load: 2 bad usage or input (a connection that
    /// can never be opened too), 3 the lock is held, 1 anything else (the database, the
    /// connection, the ISO code lists).
    public static func exitStatus(for error: any Error) -> Int32 {
        switch error {
        case let load as LoadError:
            switch load {
            case .lockTimeout: return 3
            case .notMigrated, .fileChanged, .commitUnconfirmed: return 1
            default: return 2
            }
        case is FeedFileError:
            return 2
        case let postgres as PostgresError where postgres.isPermanentConnectionFailure:
            return 2
        default:
            return 1
        }
    }
}

/// The earlier load of the same file that makes a load a no-op: how it was made and what came after.
public struct PreviousLoad: Sendable, Equatable {
    public var mode: LoadMode
    public var format: FeedFormat
    /// Its rows rejected and data rows read.
    public var rejected: Int
    public var read: Int
    /// Loads of the same kind and source committed after it, and the latest of them.
    public var laterLoads: Int
    public var latestLater: Int64?

    public init(mode: LoadMode, format: FeedFormat, rejected: Int, read: Int, laterLoads: Int, latestLater: Int64?) {
        (self.mode, self.format, self.rejected, self.read, self.laterLoads, self.latestLater) =
            (mode, format, rejected, read, laterLoads, latestLater)
    }
}
