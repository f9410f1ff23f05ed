import Crypto
import Feeds

/// Turns the reader's rows into `lm_stage` rows in COPY text, and counts them.
///
/// An accepted row (which the tables can hold: the reader checks that) becomes `line, NULL, NULL, key,
/// NULL, NULL, sha, NULL, data...` (the SHA-256 of its canonical text, then the
/// table's columns), or `line, NULL, NULL, key, NULL, NULL, sha, t` followed by
/// NULLs when `known` holds its SHA-256 (a lean row); any other row becomes
/// `line, reason, field, key, raw, detail` followed by NULLs. The loader's
/// encoding thread owns one; so does `FeedLoader.measureClient`, which times
/// the same work without a server.
struct StageEncoder {
    let table: EntityTable
    /// The current content of the source, when the load stages unchanged rows lean.
    let known: KnownContent?
    private(set) var out: CopyLine
    private(set) var counts = LoadCounts()
    /// The first `FeedLoader.firstRejectionsKept` rejections, for the summary.
    private(set) var first: [Rejection] = []
    /// MALFORMED_ROW rows seen (a snapshot with any withdraws nothing).
    private(set) var malformed = 0
    /// Accepted rows staged lean.
    private(set) var lean = 0

    init(table: EntityTable, capacity: Int, known: KnownContent? = nil) {
        self.table = table
        self.known = known
        self.out = CopyLine(capacity: capacity)
    }

    /// Bytes encoded and not yet taken.
    var pendingBytes: Int { out.bytes.count }

    /// The bytes encoded so far; the buffer starts again empty (same capacity).
    mutating func take() -> [UInt8] {
        defer { out.removeAll() }
        return out.bytes
    }

    mutating func add(_ row: FeedRow) {
        counts.read += 1
        switch row {
        case .accepted(let line, let record, _):
            // The reader already rejected what the tables cannot hold (`FeedReader.storable`).
            out.int(line); out.null(); out.null(); out.plain(record.key); out.null(); out.null()
            let sha = SHA256.hash(data: record.canonicalBytes)
            out.hex(sha)
            if let known, known.contains(sha) {
                lean += 1
                out.bool(true)
                nulls(table.columns.count)
            } else {
                out.null()
                table.encode(record, &out)
            }
            out.endRow()
        case .rejected(let rejection):
            reject(rejection)
        }
    }

    private mutating func reject(_ r: Rejection) {
        counts.rejected += 1
        counts.rejectedByReason[r.reason, default: 0] += 1
        if r.reason == .malformedRow { malformed += 1 }
        if first.count < FeedLoader.firstRejectionsKept { first.append(r) }
        out.int(r.line); out.text(r.reason.rawValue); out.text(r.field); out.text(r.key)
        out.text(StageEncoder.storable(r.raw)); out.text(StageEncoder.storable(r.detail))
        nulls(table.columns.count + 2)   // sha, lean and the data columns
        out.endRow()
    }

    private mutating func nulls(_ count: Int) {
        for _ in 0..<count { out.null() }
    }

    /// Text as PostgreSQL can hold it: a NUL character becomes U+FFFD.
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
    }
}
