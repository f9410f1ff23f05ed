import ArgumentParser
import Batch
import Feeds
import Foundation
import Postgres
import Store

/// `labourmatch feeds`: what the loads recorded.
struct FeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds",
        abstract: "List the loads recorded in the database, or show one with its rejections.",
        discussion: "Exit statuses: 0 shown; 1 a failure (the database, a role the login lacks); 2 bad usage (no such load).",
        subcommands: [FeedsList.self, FeedsShow.self]
    )
}

/// `labourmatch feeds list`: the latest loads, newest first.
struct FeedsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the latest loads, newest first (one line each).",
        discussion: "Columns: id, kind, source, mode, rows read, inserted, updated, unchanged, rejected, withdrawn, finished (UTC), file."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only loads of this kind.") var kind: FeedKind?
    @Option(help: ArgumentHelp("Only loads from this source.", valueName: "name")) var source: String?
    @Option(help: "At most this many loads (1 or more).") var limit = 50
    @Option(help: ArgumentHelp("Only loads older than this one (the next page: the last id shown).", valueName: "id"))
    var before: Int64?

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if let before, before < 1 { throw ValidationError("--before must be a feed id (1 or more)") }
    }

    func run() throws {
        let logger = CommandLog.logger("feeds")
        let feeds: [FeedSummary]
        do {
            let db = try database.connect(as: .auditor, logger: logger)
            defer { db.close() }
            // One more than shown, to tell whether there are more.
            feeds = try FeedCatalog.list(db, kind: kind, source: source, before: before,
                                         limit: limit == .max ? limit : limit + 1)
        } catch {
            throw CommandLog.fail(error)
        }
        guard !feeds.isEmpty else {
            print("no loads recorded\(kind.map { " of \($0.cliName)" } ?? "")\(source.map { " from source '\(FeedText.oneLine($0))'" } ?? "")"
                  + (before.map { " before feed \($0)" } ?? ""))
            return
        }
        var rows = [["id", "kind", "source", "mode", "read", "ins", "upd", "unch", "rej", "wdr", "finished (UTC)", "file"]]
        for f in feeds.prefix(limit) {
            let c = f.counts
            rows.append([String(f.feedId), f.kind.cliName, FeedText.oneLine(f.source), f.mode.rawValue, String(c.read), String(c.inserted),
                         String(c.updated), String(c.unchanged), String(c.rejected), String(c.withdrawn),
                         FeedText.timestamp(f.finishedAt), FeedText.oneLine(f.fileName)])
        }
        print(FeedText.table(rows, rightAligned: [0, 4, 5, 6, 7, 8, 9]))
        if feeds.count > limit, let last = feeds.prefix(limit).last {
            print("(the \(limit) newest shown\(before.map { " before feed \($0)" } ?? ""); older loads are recorded: "
                  + "--before \(last.feedId) shows the next \(limit), --limit more at once)")
        }
    }
}

/// `labourmatch feeds show ID`: one load in full, or its rejections as CSV.
struct FeedsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one load; with --rejections, its rejected rows as CSV; with --withdrawn, the keys it withdrew.",
        discussion: """
        --rejections prints the rows in the format of the offline run's \
        rejections.csv (file,line,field,reason,raw; FEEDS.md "Offline runs"), \
        in line order, so the two can be compared. With --detail, a sixth \
        column says in a sentence what was wrong with each row (the load's \
        summary shows it for the first 10 only). The rows quote what the \
        file held (for workers, about a person): --rejections acts as the \
        labourmatch_loader role, the summary as labourmatch_auditor (see \
        `labourmatch db roles`).
        """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("The feed's id (see feeds list).", valueName: "id")) var id: Int64
    @Flag(help: "Print the rejected rows as CSV instead of the summary.") var rejections = false
    @Flag(help: "With --rejections: add a detail column, a sentence on what was wrong with the row.")
    var detail = false
    @Flag(help: "Print the keys this load withdrew (a snapshot load: those its file no longer listed), one a line.")
    var withdrawn = false

    func validate() throws {
        if detail, !rejections { throw ValidationError("--detail goes with --rejections") }
        if withdrawn, rejections { throw ValidationError("give --rejections or --withdrawn, not both") }
    }

    func run() throws {
        let logger = CommandLog.logger("feeds")
        do {
            let db = try database.connect(as: rejections ? .loader : .auditor, logger: logger)
            defer { db.close() }
            guard let feed = try FeedCatalog.feed(db, id: id) else {
                throw CommandLog.fail(CommandFailure("no feed \(id) is recorded (see labourmatch feeds list)"), status: 2)
            }
            if withdrawn {
                let keys = try FeedCatalog.withdrawnKeys(db, id: id, kind: feed.kind)
                print(keys.map { TerminalText.message($0) + "\n" }.joined(), terminator: "")
                // Nothing printed reads as "nothing withdrawn"; a delta never withdraws: say why.
                if keys.isEmpty, feed.mode == .delta {
                    CommandLog.warn("feed \(id) is a delta load, which withdraws nothing (only a snapshot does)")
                }
                return
            }
            guard rejections else {
                print(FeedText.feedSummary(feed))
                return
            }
            // One stream for the header and the rows (print's buffer would reorder them).
            do {
                try FeedText.writeRejections(db, feedId: id, kind: feed.kind, detail: detail, to: .standardOutput)
            } catch let error as PostgresError {
                throw error
            } catch {
                throw CommandLog.failWritingStandardOutput("the rejections", error)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw CommandLog.fail(error)
        }
    }
}

/// The operator's text for loads: summaries, tables, numbers.
enum FeedText {
    /// The rejections of feed `feedId` as CSV in the offline run's `rejections.csv` format
    /// (`file,line,field,reason,raw`; with `detail`, a sixth column, the sentence), in line
    /// order, in batches: header and rows in one stream (print's buffer would reorder them).
    @discardableResult
    static func writeRejections(_ db: Connection, feedId: Int64?, kind: FeedKind, detail: Bool,
                                to out: FileHandle) throws -> Int {
        try out.write(contentsOf: Data("file,line,field,reason,raw\(detail ? ",detail" : "")\n".utf8))
        guard let feedId else { return 0 }
        var rows = 0
        try FeedCatalog.forEachRejection(db, feedId: feedId) { batch in
            rows += batch.count
            var text = ""
            for r in batch {
                text += "\(kind.rawValue),\(r.line),\(RunInputs.csvField(r.field ?? "")),\(r.reason.rawValue),"
                text += RunInputs.csvField(r.raw) + (detail ? "," + RunInputs.csvField(r.detail) : "") + "\n"
            }
            try out.write(contentsOf: Data(text.utf8))
        }
        return rows
    }

    /// The one-screen summary after a load.
    static func loadSummary(_ r: LoadReport) -> String {
        let what = "\(r.kind.cliName) from source '\(oneLine(r.source))', \(r.mode.rawValue), \(r.format.rawValue)"
        let file = "sha256 \(r.sha256.prefix(16))..., \(grouped(Int(r.fileBytes))) bytes; iso-codes \(r.isoCodesVersion)"
        switch r.outcome {
        case .noOp(let previous, let at):
            let when = at.map { " on \(timestamp($0)) UTC" } ?? ""
            let why: String
            if let edition = r.whoListEdition {
                let by = previous.map { "by feed \($0)" } ?? "by the migrations"
                why = "WHO list edition \(edition) was already loaded from the same bytes (\(by)\(when))"
            } else {
                why = "the same file (same SHA-256) was already loaded for this kind and source as feed "
                    + "\(previous.map(String.init) ?? "?")\(when) (--force loads it again)"
            }
            var text = """
                no-op: \(oneLine(r.path)): \(why); nothing was written
                  \(what)
                  file: \(file)
                """
            // The request's mode and format are not what the file was loaded with: say so, or
            // the lines above read as "loaded as asked" (a file first read with the wrong
            // --format, every row rejected; a delta where a snapshot is now meant).
            guard r.whoListEdition == nil, let earlier = r.previousLoad, let feed = previous else { return text }
            let rejected = earlier.rejected == 1 ? "1 row" : "\(grouped(earlier.rejected)) rows"
            if earlier.mode != r.mode || earlier.format != r.format {
                text += "\n  note: feed \(feed) loaded it \(earlier.mode.rawValue), \(earlier.format.rawValue)"
                    + " (\(rejected) rejected), not \(r.mode.rawValue), \(r.format.rawValue) as asked now:"
                    + " give --force to load it as asked"
            } else if earlier.rejected > 0 {
                // Rows rejected for a reference (vacancies before their employers) load once it is
                // mended, but only with --force: the no-op alone reads as "all is loaded".
                text += "\n  note: feed \(feed) rejected \(rejected) of its \(grouped(earlier.read))"
                    + " (labourmatch feeds show \(feed) says why): if their cause is mended now (their employers"
                    + " or recruiters loaded since, say), give --force to load the file again"
            }
            if earlier.laterLoads > 0, let latest = earlier.latestLater {
                let loads = earlier.laterLoads == 1 ? "1 load" : "\(grouped(earlier.laterLoads)) loads"
                text += "\n  note: this source has had \(loads) since feed \(feed), the latest feed \(latest):"
                    + " what it holds now may differ from this file (a snapshot since may have withdrawn what"
                    + " this file lists); give --force to make it hold this file again"
            }
            return text
        case .loaded, .dryRun:
            var lines: [String] = []
            if case .dryRun = r.outcome {
                lines.append("dry run: nothing was written; loading \(oneLine(r.path)) would give:")
            } else {
                lines.append("loaded \(oneLine(r.path)) as feed \(r.feedId.map(String.init) ?? "?"): \(what)")
            }
            if let edition = r.whoListEdition {
                // Every accepted country is written as the new edition; "unchanged" read as "not written".
                let dry: Bool
                if case .dryRun = r.outcome { dry = true } else { dry = false }
                let stored = r.counts.read - r.counts.rejected
                lines.append("  WHO list edition \(edition), \(dry ? "to be" : "now") the current one, "
                             + "\(dry ? "would store" : "stores") its \(grouped(stored)) "
                             + "\(stored == 1 ? "country" : "countries"); the counts below compare it with the "
                             + "edition it replaces (unchanged: the same country, name and region there)")
            }
            if let others = r.otherSources {
                lines.append("  note: source '\(oneLine(r.source))' is new for \(r.kind.cliName); their latest loads came from "
                             + others.map { "'\(oneLine($0))'" }.joined(separator: ", ") + ": a snapshot withdraws only its "
                             + "own source's keys, so give --source NAME when file names change from day to day")
            }
            if r.keptByOtherSources > 0, let other = r.keptByOtherSource {
                let rows = r.keptByOtherSources == 1 ? "1 row repeats" : "\(grouped(r.keptByOtherSources)) rows repeat"
                lines.append("  note: \(rows), unchanged, keys whose current version source '\(oneLine(other))'"
                             + (r.keptBySeveralSources ? " (or another)" : "") + " wrote: a key belongs to the source that "
                             + "wrote its current version, so they stay that source's, and its next snapshot withdraws any "
                             + "it no longer lists (README, \"Sources and modes\")")
            }
            lines += countLines(r.counts, mode: r.mode, source: r.source, withdrawalsSkipped: r.withdrawalsSkipped, feedId: r.feedId,
                                kind: r.kind)
            for j in r.firstRejections {
                let field = j.field.map { ", field \($0)" } ?? ""
                lines.append("    line \(j.line)\(field): \(j.reason.rawValue): \(oneLine(j.detail))")
            }
            if r.counts.rejected > r.firstRejections.count {
                if let id = r.feedId {
                    lines.append("    ... all \(grouped(r.counts.rejected)): labourmatch feeds show \(id) --rejections --detail")
                } else {
                    lines.append("    ... and \(grouped(r.counts.rejected - r.firstRejections.count)) more (a dry run lists "
                                 + "the first \(r.firstRejections.count); a load stores them all)")
                }
            }
            lines.append("  file: \(file)")
            let rate = r.seconds > 0 ? " (\(grouped(Int(Double(r.counts.read) / r.seconds))) rows/s)" : ""
            // A load started again whole: its first attempt is part of the time (the phases did not add up).
            let first = r.firstAttemptSeconds.map {
                String(format: "a first attempt %.2f s, rolled back (a key changed under a row it had staged lean), then ", $0)
            } ?? ""
            lines.append(String(format: "  time: %.2f s%@: %@read and check %.2f s, merge %.2f s",
                                r.seconds, rate, first, r.readSeconds, r.mergeSeconds))
            return lines.joined(separator: "\n")
        }
    }

    /// `feeds show ID`.
    static func feedSummary(_ f: FeedSummary) -> String {
        var lines = ["feed \(f.feedId): \(f.kind.cliName) from source '\(oneLine(f.source))', \(f.mode.rawValue), \(f.format.rawValue)"]
        if let edition = f.whoListEdition {
            let stored = f.counts.read - f.counts.rejected
            lines.append("  WHO list edition \(edition), which stores \(grouped(stored)) \(stored == 1 ? "country" : "countries"); "
                         + "the counts below compare it with the edition it replaced (unchanged: the same country, name "
                         + "and region there)")
        }
        lines += countLines(f.counts, mode: f.mode, source: f.source, withdrawalsSkipped: f.withdrawalsSkipped, feedId: f.feedId,
                            kind: f.kind)
        if f.counts.rejected > 0 { lines.append("    (the rows: labourmatch feeds show \(f.feedId) --rejections --detail, "
                                                    + "which acts as \(DatabaseRole.loader.name))") }
        lines.append("  file: \(oneLine(f.fileName)), \(grouped(Int(f.fileBytes))) bytes, sha256 \(f.sha256)")
        lines.append("  iso-codes: \(f.isoCodesVersion)")
        lines.append("  started \(timestamp(f.startedAt)) UTC, finished \(timestamp(f.finishedAt)) UTC")
        return lines.joined(separator: "\n")
    }

    private static func countLines(_ c: LoadCounts, mode: LoadMode, source: String, withdrawalsSkipped: Bool,
                                   feedId: Int64?, kind: FeedKind) -> [String] {
        var lines = ["  rows: \(grouped(c.read)) read = \(grouped(c.inserted)) inserted + \(grouped(c.updated)) updated"
                     + " + \(grouped(c.unchanged)) unchanged + \(grouped(c.rejected)) rejected"]
        if withdrawalsSkipped {
            lines.append("  withdrawn: none: the file has a MALFORMED_ROW, so this snapshot withdraws nothing (its keys cannot be trusted)")
        } else if kind == .whoList {
            lines.append("  countries the previous edition had and this one has not: \(grouped(c.withdrawn))")
            if c.withdrawn > 0, let feedId {
                lines.append("    (their safeguard is lifted; the countries: labourmatch feeds show \(feedId) --withdrawn)")
            }
        } else if mode == .snapshot {
            lines.append("  withdrawn: \(grouped(c.withdrawn)) (keys of source '\(oneLine(source))' the file no longer lists)")
            if c.withdrawn > 0, let feedId { lines.append("    (the keys: labourmatch feeds show \(feedId) --withdrawn)") }
            if let warning = withdrawalWarning(c) { lines.append("  warning: \(warning)") }
        }
        if c.rejected > 0 {
            let reasons = RejectionReason.allCases.compactMap { reason in
                c.rejectedByReason[reason].map { "\(reason.rawValue) \(grouped($0))" }
            }
            if !reasons.isEmpty { lines.append("  rejected: \(reasons.joined(separator: ", "))") }
        }
        return lines
    }

    /// What a snapshot that withdrew more keys than its file lists says: a partial file, or another
    /// source's file under this source's name, withdraws most of the source (FEEDS.md allows it,
    /// so the load stands; the operator is told).
    static func withdrawalWarning(_ c: LoadCounts) -> String? {
        // A file of no data rows withdraws everything only with --allow-empty: asked for in words.
        guard c.withdrawn > c.accepted, c.read > 0 else { return nil }
        return "this snapshot withdrew more keys than its file has accepted rows (\(grouped(c.withdrawn)) against \(grouped(c.accepted))):"
            + " if the file is not the source's full set, load the full one (with --force if it was loaded before),"
            + " or load partial files with --mode delta"
    }

    /// `1234567` as `1,234,567` (the same whatever the locale).
    static func grouped(_ n: Int) -> String { InputLimits.grouped(n) }

    /// `2026-11-29 03:10:48` in UTC.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// Text on one line (a detail may quote a value with a line break).
    static func oneLine(_ text: String) -> String { TerminalText.escaped(text) }

    /// Columns padded to their widest cell; `rightAligned` columns (numbers) on the right.
    static func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : (i == row.count - 1 ? cell : cell + pad)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
