import Matching

/// Why a row was rejected (FEEDS.md, row reason codes).
public enum RejectionReason: String, Sendable, Hashable, CaseIterable {
    case malformedRow = "MALFORMED_ROW"
    case missingField = "MISSING_FIELD"
    case invalidValue = "INVALID_VALUE"
    case duplicateKey = "DUPLICATE_KEY"
    case unknownEmployer = "UNKNOWN_EMPLOYER"
    case unknownRecruiter = "UNKNOWN_RECRUITER"
}

/// One rejected data row: where it is, what is wrong, and its text as it stands in the file.
public struct Rejection: Sendable, Hashable {
    /// The first physical line of the record (CSV header = line 1; NDJSON first line = line 1).
    public var line: Int
    /// The field at fault; nil for `MALFORMED_ROW`.
    public var field: String?
    public var reason: RejectionReason
    /// The record without its final line end; invalid UTF-8 decoded with U+FFFD.
    public var raw: String
    /// The row's key (`vacancy_id`, ...) when it can still be read: present and valid.
    /// Always nil for `MALFORMED_ROW`, whose keys cannot be trusted.
    public var key: String?
    /// A human sentence for logs ("'three' is not an integer"); not part of any output file.
    public var detail: String

    public init(line: Int, field: String?, reason: RejectionReason, raw: String, key: String? = nil,
                detail: String = "") {
        self.line = line; self.field = field; self.reason = reason; self.raw = raw
        self.key = key; self.detail = detail
    }
}

/// An accepted row, as a model value.
public enum FeedRecord: Sendable, Hashable {
    case employer(Employer)
    case recruiter(Recruiter)
    case vacancy(Vacancy)
    case worker(Worker)
    case minimumWage(MinimumWage)
    case fxRate(FXRate)
    case whoEntry(WHOListEntry)

    /// The row's key: the id, or the country (minimum wages, WHO list), or the currency (rates).
    public var key: String {
        switch self {
        case .employer(let e): return e.id
        case .recruiter(let r): return r.id
        case .vacancy(let v): return v.id
        case .worker(let w): return w.id
        case .minimumWage(let m): return m.country
        case .fxRate(let f): return f.currency
        case .whoEntry(let w): return w.country
        }
    }
}

/// What the reader says about one data row.
public enum FeedRow: Sendable, Hashable {
    /// The row loads; `raw` is its text without its final line end.
    case accepted(line: Int, record: FeedRecord, raw: RawRow)
    case rejected(Rejection)

    /// The row's first line in its file.
    public var line: Int {
        switch self {
        case .accepted(let line, _, _): return line
        case .rejected(let rejection): return rejection.line
        }
    }
}

/// A row's text as it stands in the file, without its final line end. Kept as the bytes
/// read (valid UTF-8: the row was accepted), since few accepted rows are ever shown.
public struct RawRow: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The row's text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Counts of one read: `accepted + rejected == dataRows` always.
public struct FeedCounts: Sendable, Hashable {
    /// Records that are not empty lines (and, in CSV, not the header).
    public var dataRows = 0
    public var accepted = 0
    public var rejected = 0

    public init() {}
}

/// Everything a whole read gives, for callers that do not need to stream.
public struct FeedFileResult: Sendable {
    /// Accepted rows, in file order.
    public var accepted: [FeedRecord] = []
    /// Rejections, in file order.
    public var rejections: [Rejection] = []
    public var dataRows = 0

    public init() {}
}

/// A problem that fails a whole file (FEEDS.md: exit status 2, nothing written).
public struct FeedFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Problem: Sendable, Hashable {
        /// Empty file, or a first line with nothing on it (CSV).
        case noHeader
        case missingColumn(String)
        case unknownColumn(String)
        case duplicateColumn(String)
        /// The header record has bad quoting or is not UTF-8.
        case malformedHeader(String)
        /// An NDJSON key not in the spec; list-item keys are named `list.key`.
        case unknownKey(String)
        /// The file cannot be opened or read.
        case unreadable(String)
        /// The file is larger than `InputLimits.fileBytes` (`bytes`: its size, or what was read before stopping).
        case tooLarge(bytes: Int, limit: Int)
        /// A pipe, socket or device where a load needs a regular file (it reads the file twice).
        case notRegularFile
        /// A WHO list with `rejected` rejected rows (`first`: the first of them, as `rejectedRow`
        /// says them): refused whole, since a country left out would have its safeguard lifted.
        case whoRowsRejected(rejected: Int, first: [String])
        /// A row past the line numbers a load can store (`InputLimits.loadLines`).
        case tooManyLines(limit: Int)
    }

    /// `line 3, country: INVALID_VALUE (...)`: a rejected row as the WHO list's refusal names it.
    public static func rejectedRow(line: Int, field: String?, reason: String, detail: String?) -> String {
        "line \(line), \(field ?? "the row"): \(reason)" + (detail.map { " (\($0))" } ?? "")
    }

    /// Why a WHO list file with rejected rows is refused whole (`load who-list` and `match`).
    public static func whoRowsRejectedSentence(rejected: Int, first: [String]) -> String {
        let more = rejected > first.count ? "; and \(rejected - first.count) more" : ""
        return "\(rejected == 1 ? "1 row was" : "\(rejected) rows were") rejected (\(first.joined(separator: "; "))\(more)): "
            + "a WHO list edition is loaded whole or not at all, since a country left out of it would have its safeguard lifted"
    }

    /// The file as the caller named it.
    public var file: String
    public var problem: Problem
    /// The line where the problem was found, when there is one.
    public var line: Int?
    /// For an unknown column: the one other kind whose header this is (a file given as the wrong kind).
    public var likelyKind: FeedKind?

    public init(file: String, problem: Problem, line: Int? = nil) {
        self.file = file; self.problem = problem; self.line = line
    }

    /// A column or key name with every character outside printable ASCII as `\u{..}`: the
    /// names of FEEDS.md are ASCII, and a zero-width space, a second BOM or a no-break space
    /// made "unknown column 'employer_id'" look like a valid column.
    static func visible(_ name: String) -> String {
        name.unicodeScalars.map { $0.value >= 0x21 && $0.value < 0x7F && $0 != "\\" ? String($0)
            : $0 == " " ? " " : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }.joined()
    }

    /// "vacancies.csv line 1: unknown column 'opening' (not a field of this feed in FEEDS.md)".
    public var description: String {
        let at = line.map { "\(file) line \($0)" } ?? file
        switch problem {
        case .noHeader:
            return "\(at): no header (the file is empty or its first line is empty)"
        case .missingColumn(let c):
            return "\(at): required column '\(c)' is missing from the header"
        case .unknownColumn(let c):
            return "\(at): unknown column '\(Self.visible(c))' (not a field of this feed in FEEDS.md)"
                + (likelyKind.map { "; the header is that of the \($0.cliName) feed: is it the \($0.cliName) file?" } ?? "")
        case .duplicateColumn(let c):
            return "\(at): column '\(Self.visible(c))' is named twice in the header"
        case .malformedHeader(let why):
            return "\(at): the header cannot be read: \(why)"
        case .unknownKey(let k):
            return "\(at): unknown key '\(Self.visible(k))' (not a field of this feed in FEEDS.md)"
                + (likelyKind.map { "; the line's keys are those of the \($0.cliName) feed: is it the \($0.cliName) file?" } ?? "")
        case .unreadable(let why):
            return "\(at): cannot read the file: \(why)"
        case .tooLarge(let bytes, let limit):
            return "\(at): the file has at least \(bytes) bytes, over the limit of \(InputLimits.size(limit)) per feed file (split it, or load it in parts as deltas)"
        case .whoRowsRejected(let rejected, let first):
            return "\(at): " + Self.whoRowsRejectedSentence(rejected: rejected, first: first)
                + "; nothing was run: correct the file and run again"
        case .tooManyLines(let limit):
            return "\(at): the file has more lines than a load numbers (\(InputLimits.grouped(limit)), "
                + "empty lines included, since line numbers count them): remove its empty lines, or split it"
        case .notRegularFile:
            return "\(at): not a regular file (a pipe, socket or device); a load reads its file twice, to hash it and then to load it: save the stream to a file and load that"
        }
    }
}
