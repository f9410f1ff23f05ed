/// The hard limits on what the readers take in, all in one place (README "Limits").
///
/// Feeds come from outside and may be broken or hostile: past a limit the
/// reader rejects (the row, or the whole file) with a message naming the
/// limit, instead of growing memory or time without bound. Reading streams,
/// so memory per file stays within about `recordBytes` plus one chunk
/// whatever the size of a line. The values are far above any real feed
/// (a worker's row is a few hundred bytes; 249 countries fit in a list)
/// and are not configurable from the command line; tests inject smaller ones.
public struct InputLimits: Sendable, Hashable {
    /// A feed file, in bytes; a larger one is a whole-file error before any row is read.
    public var fileBytes: Int
    /// One record (a CSV record with all its physical lines, or an NDJSON
    /// line), in bytes without its line end; a longer one is `MALFORMED_ROW`
    /// and its `raw` keeps only the first `recordBytes` bytes.
    public var recordBytes: Int
    /// One value (a CSV cell, a JSON string or number), in bytes; a longer one is `INVALID_VALUE`.
    public var fieldBytes: Int
    /// Items in one list (CSV `a;b`, NDJSON array); more is `INVALID_VALUE`.
    public var listItems: Int
    /// Nesting of JSON arrays and objects in one NDJSON line (the row's
    /// object is level 1, a list item's object level 3); deeper is `MALFORMED_ROW`.
    public var jsonDepth: Int
    /// The TOML policy file, in bytes; a larger one is refused like invalid TOML.
    public var policyBytes: Int
    /// The line numbers a load stores (`lm_stage.line`, `feed_rejections.line`: PostgreSQL
    /// integers); a row past it is a whole-file error of the load. The offline `match` has none.
    public var loadLines = Int(Int32.max)

    /// Every limit given; tests use smaller values than `standard`'s.
    public init(fileBytes: Int, recordBytes: Int, fieldBytes: Int, listItems: Int, jsonDepth: Int, policyBytes: Int) {
        self.fileBytes = fileBytes; self.recordBytes = recordBytes; self.fieldBytes = fieldBytes
        self.listItems = listItems; self.jsonDepth = jsonDepth; self.policyBytes = policyBytes
    }

    /// The limits every command uses.
    public static let standard = InputLimits(fileBytes: 4 << 30, recordBytes: 1 << 20, fieldBytes: 64 << 10,
                                             listItems: 1000, jsonDepth: 16, policyBytes: 64 << 10)

    /// One line for `--help` texts: "file 4 GiB, record 1 MiB, ...".
    public var summary: String {
        "file \(InputLimits.size(fileBytes)), record (line) \(InputLimits.size(recordBytes)), "
            + "field \(InputLimits.size(fieldBytes)), \(listItems) list items, "
            + "JSON nesting \(jsonDepth) levels, policy file \(InputLimits.size(policyBytes))"
    }

    /// `2,147,483,647`: thousands grouped by commas, whatever the locale.
    public static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        let groups = stride(from: digits.count, to: 0, by: -3).reversed().map { String(digits[max(0, $0 - 3)..<$0]) }
        return (n < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    /// `4 GiB`, `64 KiB`, `300 bytes`: exact, in the largest unit that divides.
    static func size(_ bytes: Int) -> String {
        for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift) \(unit)"
        }
        return "\(bytes) bytes"
    }
}
