/// The kinds of feed an operator loads (FEEDS.md), named as in `rejections.csv`.
public enum FeedKind: String, Sendable, Hashable, CaseIterable {
    case employers, recruiters, vacancies, workers
    case minimumWages = "minimum_wages"
    case fxRates = "fx_rates"
    case whoList = "who_list"

    /// The name on the command line: `minimum-wages`, `fx-rates`, `who-list`, the others as is.
    public var cliName: String {
        String(decoding: rawValue.utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
    }

    /// The kind named `name` on the command line (`fx-rates`) or in a file (`fx_rates`).
    public init?(cliName name: String) {
        guard let kind = FeedKind.allCases.first(where: { $0.cliName == name || $0.rawValue == name }) else {
            return nil
        }
        self = kind
    }
}

/// The two encodings of every feed.
public enum FeedFormat: String, Sendable, Hashable, CaseIterable {
    case csv, ndjson

    /// The format a file name's extension says: `.csv`, `.ndjson` or `.jsonl` (ASCII case ignored).
    public init?(path: String) {
        let bytes = Array(path.utf8)
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")),
              !bytes[dot...].contains(UInt8(ascii: "/")) else { return nil }
        let ext = String(decoding: bytes[(dot + 1)...].map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 },
                         as: UTF8.self)
        switch ext {
        case "csv": self = .csv
        case "ndjson", "jsonl": self = .ndjson
        default: return nil
        }
    }
}
