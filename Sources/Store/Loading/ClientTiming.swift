import Feeds
import Foundation

/// The client's share of a load, timed without a server (`labourmatch db bench-read`,
/// `Scripts/bench load`): how fast this process alone can hash, parse, check and encode a
/// feed, whatever the database does with it.
public struct ClientTiming: Sendable {
    /// Data rows of the file.
    public var rows = 0
    /// The SHA-256 of the whole file (the no-op check), read once.
    public var digestSeconds = 0.0
    /// Parsing and checking every row (`FeedReader` alone).
    public var readSeconds = 0.0
    /// Hashing and encoding the rows as COPY text (`StageEncoder`): a second pass with the
    /// encoder, minus the reader's time.
    public var encodeSeconds = 0.0
}

extension FeedLoader {
    /// Times the client's work of loading `path` on one thread, without a database.
    /// Every employer and recruiter counts as loaded; duplicate keys are not looked for.
    public static func measureClient(kind: FeedKind, path: String, format: FeedFormat? = nil,
                                     codes: CodeLists) throws -> ClientTiming {
        guard let format = format ?? FeedFormat(path: path) else { throw LoadError.unknownFormat(path: path) }
        let reader = FeedLoader.reader(kind: kind, format: format, codes: codes, limits: .standard,
                                       knownEmployer: { _ in true }, knownRecruiter: { _ in true })
        var timing = ClientTiming()
        do {
            let t0 = Date()
            _ = try FileDigest(path: path, maxBytes: InputLimits.standard.fileBytes)
            let t1 = Date()
            timing.rows = try reader.read(path: path) { _ in }.dataRows
            let t2 = Date()
            var encoder = StageEncoder(table: .of(kind), capacity: 320 * 1024)
            try reader.read(path: path) { row in
                encoder.add(row)
                if encoder.pendingBytes >= 256 * 1024 { _ = encoder.take() }
            }
            let t3 = Date()
            timing.digestSeconds = t1.timeIntervalSince(t0)
            timing.readSeconds = t2.timeIntervalSince(t1)
            timing.encodeSeconds = max(0, t3.timeIntervalSince(t2) - timing.readSeconds)
        } catch let error as FeedFileError {
            throw LoadError.feedFile(error)
        }
        return timing
    }
}
