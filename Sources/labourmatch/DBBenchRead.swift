import ArgumentParser
import Feeds
import Foundation
import Store

/// `labourmatch db bench-read KIND FILE` (hidden): times the client's share of a load alone.
///
/// Used by `Scripts/bench load` to show how much of a load's time this process needs
/// whatever the server does: hashing the file, parsing and checking its rows, encoding them.
struct DBBenchRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-read",
        abstract: "Time the client's work of a load (hash, parse, check, encode) without a database (for Scripts/bench).",
        shouldDisplay: false
    )

    @Argument(help: "The feed kind.") var kind: FeedKind
    @Argument(help: "The feed file.") var file: String
    @Option(help: "csv or ndjson (default: from the extension).") var format: FeedFormat?

    func run() throws {
        do {
            let t = try FeedLoader.measureClient(kind: kind, path: file, format: format, codes: try CodeLists.system())
            func rate(_ s: Double) -> Int { s > 0 ? Int(Double(t.rows) / s) : 0 }
            print("rows=\(t.rows) digest_s=\(String(format: "%.2f", t.digestSeconds))"
                + " read_s=\(String(format: "%.2f", t.readSeconds)) read_rows_per_s=\(rate(t.readSeconds))"
                + " encode_s=\(String(format: "%.2f", t.encodeSeconds)) encode_rows_per_s=\(rate(t.encodeSeconds))")
        } catch {
            throw CommandLog.fail(error)
        }
    }
}
