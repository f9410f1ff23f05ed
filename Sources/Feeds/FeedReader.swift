import Matching

/// Reads one feed file, row by row, and checks every row against FEEDS.md.
///
/// Streams: the file is read in chunks (64 KiB) and each data row is handed
/// to the caller as soon as it is complete, so memory stays flat whatever
/// the size of the file (only the set of accepted keys grows, for
/// DUPLICATE_KEY). A whole-file error (`FeedFileError`) is thrown where it is
/// found: in CSV always before the first row (the header), in NDJSON possibly
/// after some rows were handed over (an unknown key on a later line); the
/// caller must then discard what it received, as the spec wants nothing of
/// such a file written.
///
/// Where FEEDS.md is silent, this reader decides:
/// - CSV quoting recovery: see `CSVScanner`; an unclosed quote takes the rest
///   of the file into one `MALFORMED_ROW` at its first line, whose raw text
///   drops one final LF or CRLF.
/// - The CSV header is read as a CSV record (quotes allowed); bad quoting or
///   invalid UTF-8 in it fails the file. Header problems are reported in
///   header order (unknown, then repeated column), then missing required
///   columns in table order.
/// - NDJSON: a line that is not valid JSON (including a repeated key) is
///   `MALFORMED_ROW` before its keys are looked at. An unpaired `\u`
///   surrogate escape is valid JSON and reads as U+FFFD (`JSONParser`). An
///   unknown key inside an item of a list of objects fails the file like an
///   unknown top-level key (named `list.key`); an item missing a key (or with
///   `null`/`""`) is `INVALID_VALUE`, like a CSV item with too few parts.
/// - `essential` is required in each required-skill item (CSV `E`/`O`).
/// - `birth_year` is 4 digits, the first not 0 (`01990` and `0999` are invalid).
/// - `license_number` and `sector` are free text, not identifiers;
///   `who_list` has three required fields, `who_region` free text.
/// - Identifiers, codes and keys are compared by bytes, never by Unicode equivalence.
/// - Past `limits` (README "Limits"): a file too large fails before any row
///   is read; a record too long is `MALFORMED_ROW` whose `raw` is cut to the
///   limit; NDJSON nested too deep is `MALFORMED_ROW`; a value too long, or a
///   list with too many items, is `INVALID_VALUE` of its field, in table order.
public struct FeedReader {
    public let kind: FeedKind
    public let format: FeedFormat
    public let codes: CodeLists
    /// Whether an `employer_id` names a loaded employer (vacancies).
    public var knownEmployer: (String) -> Bool
    /// Whether a `recruiter_id` names a loaded recruiter (vacancies, workers).
    public var knownRecruiter: (String) -> Bool
    /// Bytes read from the file at a time.
    public var chunkSize = 1 << 16
    /// The hard limits on file, record, value and list sizes.
    public var limits = InputLimits.standard
    /// Whether a row whose key an earlier accepted row has is `DUPLICATE_KEY`. The reader
    /// then holds every accepted key (memory grows with the file); the loader turns it off
    /// and finds duplicates in the database instead, with the same rule.
    public var checksDuplicateKeys = true
    /// A further check of the values of a row that passed FEEDS.md's field checks, before its
    /// references: what a store cannot hold (the loader's: a NUL in text, an integer past
    /// 2^31 - 1). A problem rejects the row `INVALID_VALUE` of the field it names.
    public var storable: (@Sendable (FeedRecord) -> (field: String, detail: String)?)?

    /// The reference checks default to "nothing is loaded": pass them for vacancies and workers.
    public init(kind: FeedKind, format: FeedFormat, codes: CodeLists,
                knownEmployer: @escaping (String) -> Bool = { _ in false },
                knownRecruiter: @escaping (String) -> Bool = { _ in false }) {
        self.kind = kind; self.format = format; self.codes = codes
        self.knownEmployer = knownEmployer; self.knownRecruiter = knownRecruiter
    }

    /// Reads the file at `path`, calling `body` once per data row in file order.
    /// `name` is how messages name the file (default: the path). `seen` gets the file's
    /// bytes as they are read, a BOM included (the loader hashes them). `regularOnly`
    /// refuses a pipe, socket or device without waiting on it (the loader reads its file
    /// more than once).
    @discardableResult
    public func read(path: String, name: String? = nil, regularOnly: Bool = false,
                     seen: ((UnsafeRawBufferPointer) -> Void)? = nil,
                     _ body: (FeedRow) throws -> Void) throws -> FeedCounts {
        try read(.file(path: path, regularOnly: regularOnly), name: name ?? path, seen: seen, body)
    }

    /// Reads a feed held in memory (small inputs, tests), exactly as `read(path:)` reads a file.
    @discardableResult
    public func read(bytes: [UInt8], name: String, _ body: (FeedRow) throws -> Void) throws -> FeedCounts {
        try read(.memory(bytes), name: name, seen: nil, body)
    }

    /// Reads the whole file into one result.
    public func readAll(path: String, name: String? = nil) throws -> FeedFileResult {
        var result = FeedFileResult()
        result.dataRows = try read(path: path, name: name) { result.add($0) }.dataRows
        return result
    }

    /// Reads a feed held in memory into one result.
    public func readAll(bytes: [UInt8], name: String) throws -> FeedFileResult {
        var result = FeedFileResult()
        result.dataRows = try read(bytes: bytes, name: name) { result.add($0) }.dataRows
        return result
    }

    private func read(_ source: ByteSource, name: String, seen: ((UnsafeRawBufferPointer) -> Void)?,
                      _ body: (FeedRow) throws -> Void) throws -> FeedCounts {
        var checker = RowChecker(reader: self)
        var counts = FeedCounts()
        func deliver(_ row: FeedRow) throws {
            counts.dataRows += 1
            if case .accepted = row { counts.accepted += 1 } else { counts.rejected += 1 }
            try body(row)
        }
        switch format {
        case .csv:
            var scanner = CSVScanner()
            scanner.maxRecordBytes = limits.recordBytes
            var header: CSVHeader?
            func handle(_ event: CSVScanner.Event) throws {
                switch event {
                case .emptyLine:
                    if header == nil { throw FeedFileError(file: name, problem: .noHeader, line: 1) }
                case .record(let record):
                    if let header {
                        try deliver(checker.check(record, header: header))
                    } else {
                        header = try CSVHeader(record, kind: kind, file: name)
                    }
                }
            }
            try forEachChunk(of: source, name: name, chunkSize: chunkSize, maxBytes: limits.fileBytes, seen: seen) {
                try scanner.scan($0, handle)
            }
            try scanner.finish(handle)
            if header == nil { throw FeedFileError(file: name, problem: .noHeader) }
        case .ndjson:
            var scanner = LineScanner()
            scanner.maxLineBytes = limits.recordBytes
            func handle(_ line: Int, _ bytes: [UInt8], _ tooLong: Bool) throws {
                try deliver(tooLong ? checker.tooLong(line: line, raw: bytes)
                                    : checker.check(line: line, json: bytes, file: name))
            }
            try forEachChunk(of: source, name: name, chunkSize: chunkSize, maxBytes: limits.fileBytes, seen: seen) {
                try scanner.scan($0, handle)
            }
            try scanner.finish(handle)
        }
        return counts
    }
}

extension FeedReader {
    /// Calls `body` with the first line and the raw bytes of every record of the file (CSV
    /// header included; NDJSON: every line that is not empty), as the rows' `raw` has them,
    /// without checking anything: a second pass for the text of rows found bad later.
    public func forEachRecordText(path: String, regularOnly: Bool = false,
                                  seen: ((UnsafeRawBufferPointer) -> Void)? = nil,
                                  _ body: (Int, [UInt8]) throws -> Void) throws {
        let source = ByteSource.file(path: path, regularOnly: regularOnly)
        switch format {
        case .csv:
            var scanner = CSVScanner()
            scanner.maxRecordBytes = limits.recordBytes
            func handle(_ event: CSVScanner.Event) throws {
                if case .record(let record) = event { try body(record.line, record.raw) }
            }
            try forEachChunk(of: source, name: path, chunkSize: chunkSize, maxBytes: limits.fileBytes, seen: seen) {
                try scanner.scan($0, handle)
            }
            try scanner.finish(handle)
        case .ndjson:
            var scanner = LineScanner()
            scanner.maxLineBytes = limits.recordBytes
            try forEachChunk(of: source, name: path, chunkSize: chunkSize, maxBytes: limits.fileBytes, seen: seen) {
                try scanner.scan($0) { line, bytes, _ in try body(line, bytes) }
            }
            try scanner.finish { line, bytes, _ in try body(line, bytes) }
        }
    }
}

extension FeedFileResult {
    mutating func add(_ row: FeedRow) {
        switch row {
        case .accepted(_, let record, _): accepted.append(record)
        case .rejected(let rejection): rejections.append(rejection)
        }
    }
}

/// A checked CSV header: which column holds which field.
struct CSVHeader {
    /// The column of each field of `kind.fields`, by position; nil when the column is left out.
    let columnOfField: [Int?]
    let count: Int

    init(_ record: CSVRecord, kind: FeedKind, file: String) throws(FeedFileError) {
        func fail(_ problem: FeedFileError.Problem) -> FeedFileError {
            FeedFileError(file: file, problem: problem, line: record.line)
        }
        if let problem = record.problem { throw fail(.malformedHeader(problem)) }
        guard isValidUTF8(record.raw) else { throw fail(.malformedHeader("it is not valid UTF-8")) }
        let known = kind.fields
        var columns = [Int?](repeating: nil, count: known.count)
        // Columns in header order: the first unknown or repeated one is named.
        for (index, name) in record.fields.enumerated() {
            guard let field = known.firstIndex(where: { sameBytes($0.name, name) }) else {
                var error = fail(.unknownColumn(name))
                error.likelyKind = CSVHeader.likelyKind(record.fields, not: kind)
                throw error
            }
            guard columns[field] == nil else { throw fail(.duplicateColumn(name)) }
            columns[field] = index
        }
        // Then the required columns, in table order.
        if let missing = known.indices.first(where: { known[$0].required && columns[$0] == nil }) {
            throw fail(.missingColumn(known[missing].name))
        }
        self.columnOfField = columns
        self.count = record.fieldCount
    }

    /// The other kind whose fields hold every column of `names` and whose required ones are all
    /// there (a workers file given as vacancies), if exactly one does.
    static func likelyKind(_ names: [String], not kind: FeedKind) -> FeedKind? {
        let fits = FeedKind.allCases.filter { other in
            other != kind && names.allSatisfy { name in other.fields.contains { sameBytes($0.name, name) } }
                && other.fields.allSatisfy { f in !f.required || names.contains { sameBytes($0, f.name) } }
        }
        return fits.count == 1 ? fits[0] : nil
    }
}

/// Turns records into accepted rows or rejections, keeping the keys accepted so far.
struct RowChecker {
    let reader: FeedReader
    let values: Values
    let fields: [FieldSpec]
    private var acceptedKeys = Set<String>()

    init(reader: FeedReader) {
        self.reader = reader
        self.values = Values(codes: reader.codes)
        self.fields = reader.kind.fields
    }

    private func malformed(_ line: Int, _ raw: [UInt8], _ detail: String) -> FeedRow {
        .rejected(Rejection(line: line, field: nil, reason: .malformedRow,
                            raw: String(decoding: raw, as: UTF8.self), detail: detail))
    }

    /// An NDJSON line over the record limit, `raw` already cut to it.
    func tooLong(line: Int, raw: [UInt8]) -> FeedRow {
        malformed(line, raw, "the line is longer than \(InputLimits.size(reader.limits.recordBytes)) (the limit per record)")
    }

    mutating func check(_ record: CSVRecord, header: CSVHeader) -> FeedRow {
        if let problem = record.problem { return malformed(record.line, record.raw, problem) }
        guard isValidUTF8(record.raw) else { return malformed(record.line, record.raw, "the row is not valid UTF-8") }
        guard record.fieldCount == header.count else {
            return malformed(record.line, record.raw, "\(record.fieldCount) fields where the header has \(header.count)")
        }
        let cells = record.fields
        let columns = header.columnOfField
        return check(line: record.line, raw: record.raw) { field in
            guard let index = columns[field], !cells[index].utf8.isEmpty else { return .absent }
            return .text(cells[index])
        }
    }

    mutating func check(line: Int, json bytes: [UInt8], file: String) throws(FeedFileError) -> FeedRow {
        guard isValidUTF8(bytes) else { return malformed(line, bytes, "the line is not valid UTF-8") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: reader.limits.jsonDepth)
        } catch {
            return malformed(line, bytes, error.message)
        }
        guard case .object(let members) = value else { return malformed(line, bytes, "the line is not a JSON object") }
        var byField = [JSONValue?](repeating: nil, count: fields.count)
        for member in members {
            guard let index = fields.firstIndex(where: { sameBytes($0.name, member.key) }) else {
                var error = FeedFileError(file: file, problem: .unknownKey(member.key), line: line)
                error.likelyKind = CSVHeader.likelyKind(members.map(\.key), not: reader.kind)
                throw error
            }
            let field = fields[index]
            // Keys inside list items are spec keys too: an unknown one fails the file likewise.
            if let itemKeys = field.itemKeys, case .array(let items) = member.value {
                for case .object(let itemMembers) in items {
                    for m in itemMembers where !itemKeys.contains(where: { sameBytes($0, m.key) }) {
                        throw FeedFileError(file: file, problem: .unknownKey("\(field.name).\(m.key)"), line: line)
                    }
                }
            }
            byField[index] = member.value
        }
        return check(line: line, raw: bytes) { Cell(json: byField[$0]) }
    }

    /// Field checks in table order, then references, then the key.
    private mutating func check(line: Int, raw rawBytes: [UInt8], cell: @escaping (Int) -> Cell) -> FeedRow {
        // The text of the row is made only for a rejection: most rows are accepted.
        var raw: String { String(decoding: rawBytes, as: UTF8.self) }
        var row = RowFields(fields: fields, limits: reader.limits, cell: cell)
        let record: FeedRecord
        do {
            record = try values.record(reader.kind, &row)
        } catch {
            return .rejected(Rejection(line: line, field: error.field, reason: error.reason, raw: raw,
                                       key: row.key, detail: error.detail))
        }
        func reject(_ field: String, _ reason: RejectionReason, _ detail: String) -> FeedRow {
            .rejected(Rejection(line: line, field: field, reason: reason, raw: raw, key: record.key, detail: detail))
        }
        if let problem = reader.storable?(record) {
            return reject(problem.field, .invalidValue, problem.detail)
        }
        var employer: String?
        var recruiter: String?
        switch record {
        case .vacancy(let v): employer = v.employerId; recruiter = v.recruiterId
        case .worker(let w): recruiter = w.recruiterId
        default: break
        }
        if let employer, !reader.knownEmployer(employer) {
            return reject("employer_id", .unknownEmployer, "employer '\(employer)' is not loaded, or is withdrawn")
        }
        if let recruiter, !reader.knownRecruiter(recruiter) {
            return reject("recruiter_id", .unknownRecruiter, "recruiter '\(recruiter)' is not loaded, or is withdrawn")
        }
        guard !reader.checksDuplicateKeys || acceptedKeys.insert(record.key).inserted else {
            return reject(fields[0].name, .duplicateKey,
                          "an earlier row with \(fields[0].name) '\(record.key)' was accepted")
        }
        return .accepted(line: line, record: record, raw: RawRow(rawBytes))
    }
}
