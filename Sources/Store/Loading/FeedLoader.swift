import Crypto
import Feeds
import Foundation
import Logging
import Matching
import Postgres

/// Loads one feed file into PostgreSQL (FEEDS.md): streamed, versioned, all or nothing.
///
/// The file is read once for its SHA-256 (the same file loaded again for the
/// same kind and source is a no-op), then parsed and checked row by row by
/// `FeedReader`; every data row, accepted or rejected, goes by COPY into a
/// temporary staging table (three threads: one reads and checks rows, one
/// hashes and encodes them, the caller's sends the COPY; see `ChunkPipe`), and
/// a few set-based statements merge it into the tables of 0001 (as 0004 changed
/// them: lists inline, references checked by the load): new keys are inserted, changed rows get a new version,
/// identical rows are left alone, and a snapshot withdraws the keys of its
/// source that the file no longer lists. The `feeds` row, the versions and the
/// rejections commit in one transaction, so a load that fails, or is killed,
/// leaves the database as it was. DUPLICATE_KEY is found among the staged rows
/// (`rejectDuplicates`), and a snapshot stages the rows its source already
/// holds by key and SHA-256 alone (`KnownContent`). Memory stays flat: the
/// referenced employers and recruiters, a few MB of rows and COPY text between
/// the threads, and for a snapshot 32 bytes per current version of its source
/// (at most `leanLimit` versions) are all it holds.
///
/// Concurrency: a transaction-level advisory lock on (schema, kind, source)
/// keeps two loads of the same source apart (the second waits up to
/// `lockTimeout`); loads of other sources run side by side, and lock the keys
/// they both write in one order.
///
/// ```swift
/// let loader = FeedLoader(connection: db, codes: try CodeLists.system())
/// let report = try loader.load(kind: .vacancies, path: "Fixtures/vacancies.csv")
/// ```
public struct FeedLoader {
    public let connection: Connection
    public let codes: CodeLists
    public var logger: Logger
    /// Seconds to wait for another load of the same kind and source; 0 fails at once.
    public var lockTimeout: Double = 60
    /// Load a file even when an earlier load of its kind and source had the same SHA-256
    /// (`--force`): FEEDS.md's no-op is the default. The rows then compare with what is current
    /// as in any load. Not for a WHO list, whose editions are never loaded twice.
    public var force = false
    /// Load a WHO list edition older than the current one (`--allow-older-edition`), which then
    /// becomes current: by default editions only move forward (FEEDS.md: "an operator can load
    /// a newer edition"), since an older list can lift safeguards the current one sets.
    public var allowOlderEdition = false
    /// Called now and then while a load reads (at most twice a second; from the loader's
    /// encoding thread, never at the same time as another call) and once when it merges.
    public var progress: ((LoadProgress) -> Void)?
    /// Called inside the load's transaction once its rejections are in `feed_rejections`
    /// (before the commit, or a dry run's rollback) with the transaction and the feed's id:
    /// `load --rejections-out` reads them there, so a dry run's can be listed too.
    public var rejectionsWritten: ((Connection, Int64) throws -> Void)?
    /// Called inside a load's transaction just before its COMMIT is sent (not for a no-op or a
    /// dry run): from here on the load may be in the database whatever happens to the process.
    /// Throwing rolls the load back instead.
    public var willCommit: (() throws -> Void)?
    /// Tests only: sleep after some rows, inside the COPY (see `LoadTestPause`).
    public var testPause: LoadTestPause?
    /// `work_mem` for the merge's sorts and hash joins (the load's transaction only), so that
    /// a million staged rows are joined and sorted in memory rather than in temporary files;
    /// nil keeps the server's setting.
    public var mergeWorkMem: String? = "256MB"
    /// The hard limits on file, record, value and list sizes (`InputLimits`); tests lower them.
    public var limits = InputLimits.standard
    /// A snapshot stages the rows its source already holds lean (README "Reloads") when the
    /// source has at most this many current versions (32 bytes each in memory); 0 never does.
    public var leanLimit = KnownContent.maxRows

    /// How many rejections a report keeps for the summary.
    public static let firstRejectionsKept = 10

    public init(connection: Connection, codes: CodeLists, logger: Logger = Logger(label: "load")) {
        self.connection = connection
        self.codes = codes
        self.logger = logger
    }

    /// Loads `path` as a feed of `kind`.
    ///
    /// - Parameters:
    ///   - format: default from the file's extension (`.csv`, `.ndjson`, `.jsonl`).
    ///   - source: where the file comes from; default `defaultSource(path:)`.
    ///   - mode: default `LoadMode.defaultMode(for:)`.
    ///   - dryRun: do everything, report, and roll back.
    ///   - allowEmpty: let a snapshot of a file with no data rows withdraw its source's keys.
    /// - Throws: `LoadError` (nothing written: bad input, or the lock), `PostgresError`.
    public func load(kind: FeedKind, path: String, format: FeedFormat? = nil, source: String? = nil,
                     mode: LoadMode? = nil, dryRun: Bool = false, allowEmpty: Bool = false) throws -> LoadReport {
        let started = Date()
        guard let format = format ?? FeedFormat(path: path) else { throw LoadError.unknownFormat(path: path) }
        let source = source ?? FeedLoader.defaultSource(path: path)
        // Spaces at the ends made another source unseen (`--source ' '`, `"portal "`).
        guard (1...200).contains(source.count), !source.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              source.first?.isWhitespace == false, source.last?.isWhitespace == false else {
            throw LoadError.badSource(source)
        }
        let mode = mode ?? LoadMode.defaultMode(for: kind)
        if kind == .whoList, mode == .delta { throw LoadError.modeNotAllowed(kind: kind, mode: mode) }
        // A list whose name gives no edition would become the current one as `unknown`.
        if kind == .whoList, RunInputs.whoListEdition(fileName: path) == "unknown" {
            throw LoadError.whoEditionMissing(file: path)
        }
        let digest: FileDigest
        do {
            digest = try FileDigest(path: path, maxBytes: limits.fileBytes)
        } catch {
            throw LoadError.feedFile(error)
        }
        let file = FeedFile(kind: kind, source: source, fileName: (path as NSString).lastPathComponent,
                            fileBytes: digest.bytes, sha256: digest.sha256, format: format, mode: mode,
                            isoCodesVersion: codes.version,
                            whoListEdition: kind == .whoList ? RunInputs.whoListEdition(fileName: path) : nil)
        let report = LoadReport(outcome: dryRun ? .dryRun : .loaded, feedId: nil, path: path, file: file)
        func attempt(lean: Bool) throws -> LoadReport {
            var run = LoadRun(loader: self, report: report, table: .of(kind), allowEmpty: allowEmpty,
                              started: started, lean: lean)
            var committing: LoadReport?
            var serverProcess: Int32 = 0
            do {
                return try connection.transaction { tx in
                    // The server process of this transaction (a pooler's connection may not be
                    // the same process from one transaction to the next): `committed` looks it up.
                    serverProcess = Int32(try tx.query("SELECT pg_backend_pid()")[0].decode(0, as: Int.self))
                    var result = try run.execute(tx)
                    result.seconds = Date().timeIntervalSince(started)
                    if dryRun { throw DryRunRollback(report: result) }
                    committing = result
                    if result.outcome == .loaded { try willCommit?() }
                    return result
                }
            } catch let rollback as DryRunRollback {
                var result = rollback.report
                result.feedId = nil
                return result
            } catch let error as PostgresError where error.kind == .connectionLost || !connection.isOpen {
                // The connection broke during COMMIT: the server may have committed before it.
                guard let committing else { throw error }
                // A no-op wrote nothing: whether its COMMIT went through does not matter.
                guard committing.outcome == .loaded else { return committing }
                throw LoadError.commitUnconfirmed(committing, cause: error, serverProcess: serverProcess)
            }
        }
        // The file's digest above is not the first attempt's.
        let attemptStarted = Date()
        do {
            return try attempt(lean: true)
        } catch is LeanRowChanged {
            // Rolled back: nothing of the first attempt stays. Rare (another load changed one of
            // this source's keys while this one read), so the second attempt stages every row whole.
            logger.notice("a key changed under an unchanged row meanwhile: loading again with every row staged whole",
                          metadata: ["file": "\(path)"])
            let firstAttempt = Date().timeIntervalSince(attemptStarted)
            var result = try attempt(lean: false)
            result.restartedWhole = true
            result.firstAttemptSeconds = firstAttempt
            return result
        }
    }

    /// Whether `load` (a load whose COMMIT got no answer: `LoadError.commitUnconfirmed`)
    /// committed, looked up on `db`, a new connection to the same database and schema. First it
    /// waits, at most `timeout` seconds, for the advisory lock of the load's kind and source,
    /// which the load's transaction held until it ended; then its `feeds` row exists exactly
    /// when it committed (a feed id is never used twice). When the lock is still held after
    /// `timeout` (by the load, whose server process has not yet noticed that the connection
    /// broke, or by a later load of the same kind and source), the load's server process
    /// `serverProcess` decides: gone, its transaction has ended, and the feed row answers; still
    /// there (or not given), the answer is nil.
    public static func committed(_ load: LoadReport, on db: Connection, serverProcess: Int32? = nil,
                                 timeout: Double = 10) throws -> Bool? {
        guard let feedId = load.feedId else { return false }
        func feedExists(_ c: Connection) throws -> Bool {
            try c.query("SELECT EXISTS (SELECT FROM feeds WHERE feed_id = $1)", params: [.init(feedId)])[0]
                .decode(0, as: Bool.self)
        }
        do {
            return try db.transaction { tx in
                try FeedLoader.waitForLock(tx, kind: load.file.kind, source: load.file.source, seconds: timeout)
                return try feedExists(tx)
            }
        } catch let error as PostgresError where error.sqlState == "55P03" {
            // Each statement on its own: pg_stat_activity is read once per transaction.
            guard let serverProcess, serverProcess > 0,
                  try !db.query("SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1)",
                                params: [.init(Int(serverProcess))])[0].decode(0, as: Bool.self)
            else { return nil }
            return try feedExists(db)
        }
    }

    /// The advisory lock's key parameters of (kind, source): one key for every WHO list source.
    static func lockParams(_ kind: FeedKind, _ source: String) -> [PostgresValue?] {
        [.init(kind.rawValue), .init(kind == .whoList ? "*" : source)]
    }

    /// Waits in `tx`, at most `seconds`, for the advisory lock of (kind, source) (with
    /// `lock_timeout` set for the wait only); throws SQLSTATE 55P03 when the wait runs out.
    static func waitForLock(_ tx: Connection, kind: FeedKind, source: String, seconds: Double) throws {
        let previous = try tx.query("SELECT current_setting('lock_timeout')")[0].decode(0, as: String.self)
        // Whole milliseconds within PostgreSQL's setting (an int); infinity is the longest.
        let ms = min(Double(Int32.max), max(1, (seconds * 1000).rounded(.up)))
        try tx.execute("SELECT set_config('lock_timeout', $1, true)", params: [.init("\(Int(ms))")])
        try tx.execute("SELECT pg_catalog.pg_advisory_xact_lock(\(FeedSQL.lockKey))", params: lockParams(kind, source))
        try tx.execute("SELECT set_config('lock_timeout', $1, true)", params: [.init(previous)])
    }

    /// The file's base name without a `.csv`, `.ndjson` or `.jsonl` extension
    /// (`feeds/portal-a.csv` is source `portal-a`), so the CSV and NDJSON of one
    /// source are the same source; the whole base name when nothing is left.
    public static func defaultSource(path: String) -> String {
        let name = (path as NSString).lastPathComponent
        let bytes = Array(name.utf8)
        guard FeedFormat(path: name) != nil, let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot > 0 else {
            return name
        }
        return String(decoding: bytes[..<dot], as: UTF8.self)
    }
}

extension FeedLoader {
    /// The reader as a load uses it: duplicate keys are found among the staged rows
    /// (`rejectDuplicates`), so it holds no keys; what the tables cannot hold is a field
    /// check, before the references (FEEDS.md's order).
    static func reader(kind: FeedKind, format: FeedFormat, codes: CodeLists, limits: InputLimits,
                       knownEmployer: @escaping (String) -> Bool,
                       knownRecruiter: @escaping (String) -> Bool) -> FeedReader {
        var reader = FeedReader(kind: kind, format: format, codes: codes,
                                knownEmployer: knownEmployer, knownRecruiter: knownRecruiter)
        reader.limits = limits
        reader.checksDuplicateKeys = false
        reader.storable = EntityTable.of(kind).check
        return reader
    }
}

/// Carries a dry run's report out of the transaction it rolls back.
private struct DryRunRollback: Error {
    let report: LoadReport
}

/// A lean row's key got a new version from another load after `KnownContent` was read: the
/// load rolls back and starts again with every row staged whole.
private struct LeanRowChanged: Error {}

/// The state of one load, inside its transaction.
private struct LoadRun {
    let loader: FeedLoader
    var report: LoadReport
    let table: EntityTable
    let allowEmpty: Bool
    let started: Date
    /// MALFORMED_ROW rows seen (a snapshot with any withdraws nothing).
    var malformed = 0
    /// Whether a snapshot may stage the rows its source already holds lean (`KnownContent`).
    let lean: Bool
    /// When the rows the source already holds were staged lean: `FeedSQL.feedsOfKind` just
    /// before their `KnownContent` was read, and how many versions it held.
    var knownAt: (feedsOfKind: Int, versions: Int)?

    init(loader: FeedLoader, report: LoadReport, table: EntityTable, allowEmpty: Bool, started: Date, lean: Bool) {
        self.loader = loader; self.report = report; self.table = table
        self.allowEmpty = allowEmpty; self.started = started; self.lean = lean
    }

    private var logger: Logger { loader.logger }
    private var kind: FeedKind { report.kind }

    /// Times one step for the debug log (`LABOURMATCH_LOG_LEVEL=debug` shows where a load spends its time).
    @discardableResult
    private func step<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let t0 = Date()
        let value = try body()
        logger.debug("load step", metadata: ["step": "\(name)", "ms": "\(Int(Date().timeIntervalSince(t0) * 1000))"])
        return value
    }

    mutating func execute(_ tx: Connection) throws -> LoadReport {
        guard try !tx.query("SELECT to_regclass('feeds')")[0].isNull(0) else { throw LoadError.notMigrated }
        try lock(tx)
        if !loader.force || kind == .whoList,
           let previous = try tx.query(FeedSQL.sameFile, params: [.init(kind.rawValue), .init(report.source),
                                                                  .init(report.sha256)]).first {
            report.outcome = .noOp(previousFeed: try previous.decode(0, as: Int64.self),
                                   loadedAt: try previous.decode(1, as: Date.self))
            if let mode = LoadMode(rawValue: try previous.decode(2, as: String.self)),
               let format = FeedFormat(rawValue: try previous.decode(3, as: String.self)) {
                report.previousLoad = PreviousLoad(mode: mode, format: format, rejected: try previous.decode(4, as: Int.self),
                                                   read: try previous.decode(5, as: Int.self),
                                                   laterLoads: try previous.decode(6, as: Int.self),
                                                   latestLater: try previous.decodeIfPresent(7, as: Int64.self))
            }
            return report
        }
        if let edition = report.whoListEdition,
           let loaded = try tx.query(FeedSQL.whoEdition, params: [.init(edition)]).first {
            guard try loaded.decode(0, as: String.self) == report.sha256 else {
                throw LoadError.whoEditionConflict(edition: edition, file: report.path)
            }
            // Loaded before, and no longer current (an older edition was loaded after it): the
            // no-op would read as "this list is in force" (a review, session 20).
            if let current = try tx.query(FeedSQL.currentWHOEdition).first?.decode(0, as: String.self), current != edition {
                throw LoadError.whoEditionNotCurrent(edition: edition, current: current, file: report.path)
            }
            report.outcome = .noOp(previousFeed: try loaded.decodeIfPresent(1, as: Int64.self),
                                   loadedAt: try loaded.decode(2, as: Date.self))
            return report
        }
        // Editions are years (four digits): one before the current edition goes back in time (an
        // operator review, session 20: a 2020 list after 2026's lifted a safeguard with a count line).
        if let edition = report.whoListEdition, !loader.allowOlderEdition,
           let current = try tx.query(FeedSQL.currentWHOEdition).first?.decode(0, as: String.self),
           current.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), edition.utf8.lexicographicallyPrecedes(current.utf8) {
            throw LoadError.whoEditionOlder(edition: edition, current: current, file: report.path)
        }

        let readStart = Date()
        try tx.execute(table.createStage)
        let rows = try stage(tx)
        try step("duplicates") { try rejectDuplicates(tx) }
        report.readSeconds = Date().timeIntervalSince(readStart)
        // A WHO list edition replaces the current one whole: a country whose row was rejected
        // would be left out of it, and its safeguard lifted without a word.
        if kind == .whoList, report.counts.rejected > 0 {
            let first = try tx.query(FeedSQL.firstRejections).map { r in
                FeedFileError.rejectedRow(line: try r.decode(0, as: Int.self), field: try r.decodeIfPresent(1, as: String.self),
                                          reason: try r.decode(2, as: String.self),
                                          detail: try r.decodeIfPresent(3, as: String.self))
            }
            throw LoadError.whoRowsRejected(file: report.path, rejected: report.counts.rejected, first: first)
        }
        if rows == 0, report.mode == .snapshot, !allowEmpty {
            throw LoadError.emptySnapshot(file: report.path, kind: kind)
        }

        if kind != .whoList, try !tx.query(FeedSQL.sourceKnown, params: [.init(kind.rawValue), .init(report.source)])[0]
            .decode(0, as: Bool.self) {
            let others = try tx.query(FeedSQL.latestSources, params: [.init(kind.rawValue)]).map { try $0.decode(0, as: String.self) }
            if !others.isEmpty { report.otherSources = others }
        }
        let mergeStart = Date()
        loader.progress?(LoadProgress(phase: .merging, rows: rows, seconds: Date().timeIntervalSince(started)))
        // The columns the merge joins and filters on: the planner needs their statistics (and the
        // row count); those of the content columns would cost a second for nothing.
        try step("analyze") { try tx.execute("ANALYZE lm_stage (line, reason, key, sha, lean)") }
        if let workMem = loader.mergeWorkMem {
            try tx.execute("SELECT set_config('work_mem', $1, true)", params: [.init(workMem)])
        }
        let feedId = try tx.query(FeedSQL.insertFeed, params: [
            .init(kind.rawValue), .init(report.source), .init(report.fileName), .init(report.fileBytes),
            .init(report.sha256), .init(report.format.rawValue), .init(report.mode.rawValue),
            .init(report.isoCodesVersion), report.whoListEdition.map { .init($0) },
        ])[0].decode(0, as: Int64.self)
        report.feedId = feedId
        if table.identity == nil {
            try mergeWHOList(tx, feedId: feedId)
        } else {
            try mergeVersions(tx, feedId: feedId)
        }
        if report.counts.rejected > 0 {
            try step("rejections") { try tx.execute(FeedSQL.insertRejections, params: [.init(feedId)]) }
        }
        try loader.rejectionsWritten?(tx, feedId)
        try tx.execute(table.dropTemporaryTables)
        let c = report.counts
        report.counts.unchanged = c.accepted - c.inserted - c.updated
        try tx.execute(FeedSQL.finishFeed, params: [
            .init(feedId), .init(c.read), .init(c.inserted), .init(c.updated), .init(report.counts.unchanged),
            .init(c.rejected), .init(c.withdrawn), .init(report.withdrawalsSkipped),
        ])
        report.mergeSeconds = Date().timeIntervalSince(mergeStart)
        return report
    }

    /// The advisory lock of (schema, kind, source); every WHO list load takes the same one,
    /// since an edition replaces the list whatever its source.
    private func lock(_ tx: Connection) throws {
        if try tx.query("SELECT pg_catalog.pg_try_advisory_xact_lock(\(FeedSQL.lockKey))",
                        params: FeedLoader.lockParams(kind, report.source))[0].decode(0, as: Bool.self) {
            return
        }
        let timeout = loader.lockTimeout
        guard timeout > 0 else { throw LoadError.lockTimeout(kind: kind, source: report.source, seconds: 0) }
        logger.notice("another load of the same kind and source is running; waiting for it", metadata: [
            "kind": "\(kind.cliName)", "source": "\(report.source)", "timeout_s": "\(timeout)",
        ])
        do {
            try FeedLoader.waitForLock(tx, kind: kind, source: report.source, seconds: timeout)
        } catch let error as PostgresError where error.sqlState == "55P03" {
            throw LoadError.lockTimeout(kind: kind, source: report.source, seconds: timeout)
        }
    }

    /// Reads the file and COPYs every data row into lm_stage; returns the number of data rows.
    private mutating func stage(_ tx: Connection) throws -> Int {
        func keys(_ kind: FeedKind) throws -> Set<String> {
            var out = Set<String>()
            for row in try tx.query(EntityTable.currentKeys(of: kind)) { out.insert(try row.decode(0, as: String.self)) }
            return out
        }
        let employers = kind == .vacancies ? try keys(.employers) : []
        let recruiters = kind == .vacancies || kind == .workers ? try keys(.recruiters) : []
        let reader = FeedLoader.reader(kind: kind, format: report.format, codes: loader.codes, limits: loader.limits,
                                       knownEmployer: { employers.contains($0) },
                                       knownRecruiter: { recruiters.contains($0) })

        let known = try step("known content") { try knownContent(tx) }
        let flushAt = 256 * 1024
        var encoder = StageEncoder(table: table, capacity: flushAt + 64 * 1024, known: known)
        let pause = loader.testPause
        let progress = loader.progress
        let started = self.started
        var lastProgress = Date()

        let chunks = ChunkPipe<[UInt8]>()
        let rows = ChunkPipe<[FeedRow]>()
        let path = report.path
        let logger = self.logger
        // Third thread: the file into checked rows, in batches.
        // The bytes read are hashed again: rows of another file must not be recorded under the
        // SHA-256 of the first pass (a file written or replaced meanwhile).
        let sha256 = report.sha256, lines = loader.limits.loadLines
        func readRows() throws {
            var batch: [FeedRow] = []
            batch.reserveCapacity(512)
            let pass = PassDigest()
            try reader.read(path: path, regularOnly: true, seen: pass.seen) { row in
                // 2^31 empty lines fit in a 2 GiB file: refused as such, not as a COPY's integer overflow.
                guard row.line <= lines else {
                    throw FeedFileError(file: path, problem: .tooManyLines(limit: lines), line: row.line)
                }
                batch.append(row)
                if batch.count == 512 {
                    try rows.put(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try rows.put(batch) }
            guard pass.hex == sha256 else { throw LoadError.fileChanged(file: path) }
        }
        // Second thread: rows into COPY text (hash, encode), in chunks of about `flushAt` bytes.
        func encodeRows() throws {
            func flush() throws { try chunks.put(encoder.take()) }
            func encode(_ row: FeedRow) throws {
                encoder.add(row)
                let read = encoder.counts.read
                if encoder.pendingBytes >= flushAt { try flush() }
                if read & 4095 == 0, let progress, Date().timeIntervalSince(lastProgress) >= 0.5 {
                    lastProgress = Date()
                    progress(LoadProgress(phase: .reading, rows: read, seconds: lastProgress.timeIntervalSince(started)))
                }
                if let pause, read == pause.afterRows {
                    try flush()
                    try pause.meanwhile?()
                    logger.notice("test pause", metadata: ["rows": "\(read)", "seconds": "\(pause.seconds)"])
                    Thread.sleep(forTimeInterval: pause.seconds)
                }
            }
            do {
                try rows.run(produce: readRows) { batch in
                    for row in batch { try encode(row) }
                }
            } catch let error as FeedFileError {
                throw LoadError.feedFile(error)
            }
            try flush()
        }
        // This thread sends what the others made, while they go on.
        let copied = try tx.copyIn(table.copyStage) { writer in
            try chunks.run(produce: encodeRows) { chunk in try chunk.withUnsafeBytes { try writer.write($0) } }
        }
        guard copied == encoder.counts.read else {
            throw PostgresError(kind: .misuse, message: "COPY stored \(copied) staging rows for \(encoder.counts.read) data rows",
                                statement: table.copyStage)
        }
        report.counts = encoder.counts
        report.firstRejections = encoder.first
        report.leanRows = encoder.lean
        self.malformed = encoder.malformed
        return encoder.counts.read
    }

    /// FEEDS.md: a row whose key an earlier accepted row has is DUPLICATE_KEY (a rejected row
    /// does not hold its key). Found here, among the staged rows, so that the reader need not
    /// hold every key of the file in memory: a count first (most files have none), then the
    /// lines, whose raw text a second pass over the file copies in, in one stream.
    private mutating func rejectDuplicates(_ tx: Connection) throws {
        guard report.counts.accepted > 1,
              try tx.query(FeedSQL.duplicateCount)[0].decode(0, as: Int.self) > 0 else { return }
        var lines: [Int32] = []
        try tx.copyOut(FeedSQL.duplicateLines) { row in
            lines.append(row.reduce(0) { $1 >= 0x30 && $1 <= 0x39 ? $0 * 10 + Int32($1 - 0x30) : $0 })
        }
        var reader = FeedReader(kind: kind, format: report.format, codes: loader.codes)
        reader.limits = loader.limits
        try tx.execute(FeedSQL.createDuplicates)
        var next = 0
        var out = CopyLine(capacity: 320 * 1024)
        let path = report.path
        // This third read is hashed too: the raw text stored must be that of the file hashed.
        let pass = PassDigest()
        _ = try tx.copyIn(FeedSQL.copyDuplicates) { writer in
            do {
                try reader.forEachRecordText(path: path, regularOnly: true, seen: pass.seen) { line, raw in
                    guard next < lines.count, line == Int(lines[next]) else { return }
                    next += 1
                    out.int(line); out.text(StageEncoder.storable(String(decoding: raw, as: UTF8.self))); out.endRow()
                    if out.bytes.count >= 256 * 1024 {
                        try writer.write(out.bytes)
                        out.removeAll()
                    }
                }
            } catch let error as FeedFileError {
                throw LoadError.feedFile(error)
            }
            try writer.write(out.bytes)
        }
        guard next == lines.count, pass.hex == report.sha256 else {
            throw LoadError.fileChanged(file: path)
        }
        let rejected = try tx.execute(FeedSQL.rejectDuplicates, params: [.init(kind.keyField)])
        report.counts.rejected += rejected
        report.counts.rejectedByReason[.duplicateKey, default: 0] += rejected
        let kept = FeedLoader.firstRejectionsKept
        let first = try tx.query(FeedSQL.firstDuplicates, params: [.init(kept)]).map { row in
            Rejection(line: try row.decode(0, as: Int.self), field: try row.decode(1, as: String.self),
                      reason: .duplicateKey, raw: try row.decode(2, as: String.self),
                      key: try row.decode(3, as: String.self), detail: try row.decode(4, as: String.self))
        }
        report.firstRejections = Array((report.firstRejections + first).sorted { $0.line < $1.line }.prefix(kept))
        try tx.execute("DROP TABLE lm_duplicate")
    }

    /// What the source already holds, for a snapshot of a versioned kind (a delta is usually
    /// small beside its source, and a first load finds nothing); nil when not worth reading.
    private mutating func knownContent(_ tx: Connection) throws -> KnownContent? {
        guard lean, loader.leanLimit > 0, report.mode == .snapshot, table.identity != nil else { return nil }
        // Counted first: a load that commits in between makes the merge look at the lean rows.
        let feeds = try feedsOfKind(tx)
        try tx.execute(EntityTable.setLoadSource, params: [.init(kind.rawValue), .init(report.source)])
        let known = try KnownContent.read(limit: loader.leanLimit) { try tx.copyOut(table.currentContentOfSource, $0) }
        logger.debug("known content", metadata: ["versions": "\(known.map { "\($0.count)" } ?? "over \(loader.leanLimit)")"])
        guard let known, known.count > 0 else { return nil }
        knownAt = (feeds, known.count)
        return known
    }

    /// `FeedSQL.feedsOfKind`, not counting this load's own feed once it has one.
    private func feedsOfKind(_ tx: Connection, ownFeed: Int64? = nil) throws -> Int {
        try tx.query(FeedSQL.feedsOfKind, params: [.init(kind.rawValue), ownFeed.map { .init($0) }])[0].decode(0, as: Int.self)
    }

    private mutating func mergeVersions(_ tx: Connection, feedId: Int64) throws {
        let kindSource: [PostgresValue?] = [.init(kind.rawValue), .init(report.source)]
        let feed: [PostgresValue?] = [.init(feedId)]
        let withdraw = report.mode == .snapshot && malformed == 0
        report.withdrawalsSkipped = report.mode == .snapshot && malformed > 0
        try step("plan") {
            // The lean rows repeat their keys' current versions as long as no load of this kind
            // has committed since their content was read, and the plan need not look at them.
            // Counted after the plan, so that the plan's own snapshot is covered; a load that
            // committed meanwhile (rare) makes the plan again, looking at every row.
            if report.leanRows > 0, let knownAt {
                try tx.execute(table.createPlan(skippingLean: true))
                report.leanTrusted = try feedsOfKind(tx, ownFeed: feedId) == knownAt.feedsOfKind
                if !report.leanTrusted { try tx.execute("DROP TABLE lm_plan") }
            }
            if !report.leanTrusted { try tx.execute(table.createPlan(skippingLean: false)) }
            try tx.execute("ANALYZE lm_plan")   // a handful of rows or a million: the joins below differ
        }
        if !withdraw {
            try tx.execute(table.createNoneGone)
        } else {
            try step("gone") {
                if report.leanTrusted, let knownAt,
                   try tx.query(table.sourceVersionsNamed, params: kindSource)[0].decode(0, as: Int.self) == knownAt.versions {
                    // The file names every current version of its source: nothing is gone, and
                    // the anti-join of all of them with the whole file need not run.
                    try tx.execute(table.createNoneGone)
                } else {
                    try tx.execute(table.createGone, params: kindSource)
                }
            }
        }
        let newKeys = try tx.query(EntityTable.planCounts)[0].decode(0, as: Int.self)
        let inserted = try step("identities") { try insertIdentities(tx, newKeys: newKeys) }
        let lockKeys = table.lockKeys(includeNew: inserted < newKeys)
        if try step("lock keys", { try tx.query(lockKeys)[0].decode(0, as: Int.self) }) > 0 {
            try step("replan") {
                try tx.execute(table.dropUnchangedFromPlan)
                try tx.execute(table.refreshPlanVersions)
            }
        }
        if report.leanRows > 0, try step("lean check", { try tx.query(EntityTable.leanRowsPlanned)[0].decode(0, as: Int.self) }) > 0 {
            throw LeanRowChanged()
        }
        let planned = try tx.query(EntityTable.planCounts)[0]
        report.counts.inserted = try planned.decode(0, as: Int.self)
        report.counts.updated = try planned.decode(1, as: Int.self)
        // A key belongs to the source that wrote its current version; an unchanged row writes
        // nothing, so its key stays another source's: say so (an operator review, session 20).
        // Only when another source of the kind has loads: a delta reload of the only source (no
        // lean rows) paid 0.6 s of 200,000 rows to find none (a regression review, session 20).
        if report.counts.accepted > report.counts.inserted + report.counts.updated + report.leanRows,
           try tx.query(FeedSQL.otherSourceLoaded, params: kindSource)[0].decode(0, as: Bool.self) {
            let kept = try step("kept") { try tx.query(table.keptByOtherSources, params: kindSource)[0] }
            report.keptByOtherSources = try kept.decode(0, as: Int.self)
            report.keptByOtherSource = try kept.decodeIfPresent(1, as: String.self)
            report.keptBySeveralSources = try kept.decode(2, as: Bool.self)
        }
        if withdraw {
            try step("withdraw plan") { try tx.execute(table.createWithdraw, params: kindSource) }
        } else {
            try tx.execute("CREATE TEMP TABLE lm_withdraw (key text, version integer) ON COMMIT DROP")
        }
        report.counts.withdrawn = try tx.query(EntityTable.withdrawCount)[0].decode(0, as: Int.self)
        if let check = table.unknownReferences {
            // What the dropped foreign keys of 0004 checked row by row, once for the whole load.
            let unknown = try step("references") { try tx.query(check)[0].decode(0, as: Int.self) }
            guard unknown == 0 else {
                throw PostgresError(kind: .misuse, message: "\(unknown) employer or recruiter ids of accepted rows have no identity row",
                                    statement: check)
            }
        }
        try step("retire") { try tx.execute(table.retireVersions) }
        // Every accepted row is a new key: lm_plan holds them all, and the join would find each.
        let allNew = report.counts.inserted == report.counts.accepted && report.counts.updated == 0
        try step("versions") { try tx.execute(table.insertVersions(allNew: allNew), params: feed) }
        if report.counts.withdrawn > 0 {
            try step("withdrawals") { try tx.execute(table.insertWithdrawals, params: feed) }
        }
    }

    /// Inserts the identity rows of lm_plan's new keys; returns how many this load inserted
    /// (fewer than `newKeys` when another load took some meanwhile).
    private func insertIdentities(_ tx: Connection, newKeys: Int) throws -> Int {
        guard newKeys > 0 else { return 0 }
        try tx.execute("SAVEPOINT lm_identities")
        do {
            let inserted = try tx.execute(table.insertNewIdentities)
            try tx.execute("RELEASE SAVEPOINT lm_identities")
            return inserted
        } catch let error as PostgresError where error.sqlState == "23505" {
            // A key of this load was taken by a load that committed meanwhile.
            try tx.execute("ROLLBACK TO SAVEPOINT lm_identities")
            try tx.execute("RELEASE SAVEPOINT lm_identities")
            logger.debug("new keys taken meanwhile: inserting identities one conflict at a time")
            return try tx.execute(table.insertIdentities)
        }
    }

    /// A WHO list file is a new edition, which becomes the current one; the counts compare it with
    /// the edition it replaces (withdrawn: countries that edition had and this one has not).
    private mutating func mergeWHOList(_ tx: Connection, feedId: Int64) throws {
        let edition = report.whoListEdition!
        let counts = try tx.query(FeedSQL.whoCounts)[0]
        report.counts.inserted = try counts.decode(0, as: Int.self)
        report.counts.updated = try counts.decode(1, as: Int.self)
        report.counts.withdrawn = try tx.query(FeedSQL.whoDropped)[0].decode(0, as: Int.self)
        try tx.execute(FeedSQL.whoRetire)
        try tx.execute(FeedSQL.whoInsertEdition, params: [.init(edition), .init(report.source), .init(report.sha256),
                                                          .init(feedId)])
        try tx.execute(FeedSQL.whoInsertEntries, params: [.init(edition)])
    }
}
