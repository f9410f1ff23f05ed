/// One CSV record as scanned, before any field is looked at.
struct CSVRecord {
    /// The first physical line of the record.
    var line = 1
    /// The record's bytes without its final line end.
    var raw: [UInt8] = []
    /// The unquoted field values, back to back; `ends[i]` is where field `i` stops.
    var values: [UInt8] = []
    var ends: [Int] = []
    /// The first quoting problem, nil when the record is well-formed RFC 4180.
    var problem: String?
    /// Whether `raw` was cut at the record limit.
    var clipped = false

    var fieldCount: Int { ends.count }

    /// The fields as text; only for records whose `raw` is valid UTF-8.
    var fields: [String] {
        var out: [String] = []
        out.reserveCapacity(ends.count)
        var start = 0
        for end in ends {
            out.append(String(decoding: values[start..<end], as: UTF8.self))
            start = end
        }
        return out
    }
}

/// A byte-level, streaming RFC 4180 scanner.
///
/// Records end at LF or CRLF outside a quoted section; a CR not followed by LF
/// is an ordinary byte of a value. A quoted section is opened only by a `"`
/// that starts a field and closed by a `"` not followed by another `"`.
/// Recovery from bad quoting, which decides where a malformed record ends:
/// a `"` inside an unquoted field, and anything after a closing quote up to
/// the next `,` or line end, is kept as a literal byte (it opens no quoted
/// section), and the record is flagged. An opening quote that is never closed
/// takes the rest of the file into its record, reported once, at its first line.
/// A record longer than `maxRecordBytes` keeps only its first `maxRecordBytes`
/// bytes of `raw` (and no values): it is flagged, and its end is still found,
/// so memory stays within the limit plus one chunk whatever the line's length.
struct CSVScanner {
    /// What the scanner reports, in file order.
    enum Event {
        case record(CSVRecord)
        /// A line with nothing before its line end (LF or CRLF), outside any record.
        case emptyLine(Int)
    }

    private enum State { case recordStart, fieldStart, unquoted, quoted, quoteInQuoted }

    private var state = State.recordStart
    /// A CR seen outside quotes: a line end if LF follows, else a value byte.
    private var pendingCR = false
    /// Whether the last byte scanned is a line feed.
    private var endsWithLF = false
    /// The line on which the quoted field being read opened.
    private var quoteLine = 1
    /// The physical line of the next byte.
    private var line = 1
    private var record = CSVRecord()
    /// `InputLimits.recordBytes`.
    var maxRecordBytes = Int.max

    mutating func scan(_ chunk: UnsafeBufferPointer<UInt8>, _ emit: (Event) throws -> Void) rethrows {
        var i = 0
        while i < chunk.count {
            // Inside a field, a run of bytes that change nothing but the value is copied whole.
            if !pendingCR, state == .unquoted || state == .quoted {
                let run = plainRun(chunk, from: i)
                if run > i {
                    let bytes = UnsafeBufferPointer(rebasing: chunk[i..<run])
                    record.raw.append(contentsOf: bytes)
                    record.values.append(contentsOf: bytes)
                    i = run
                    continue
                }
            }
            let b = chunk[i]
            i += 1
            if pendingCR {
                pendingCR = false
                if b == ASCII.lf {
                    try endLine(emit)
                    continue
                }
                literalCR()
            }
            if state == .recordStart {
                if b == ASCII.lf { try endLine(emit); continue }
                if b == ASCII.cr { pendingCR = true; continue }
                begin()
            }
            switch state {
            case .recordStart, .fieldStart:
                switch b {
                case ASCII.quote: record.raw.append(b); state = .quoted; quoteLine = line
                case ASCII.comma: record.raw.append(b); endField()
                case ASCII.lf: try endLine(emit)
                case ASCII.cr: pendingCR = true
                default: record.raw.append(b); record.values.append(b); state = .unquoted
                }
            case .unquoted:
                switch b {
                case ASCII.comma: record.raw.append(b); endField(); state = .fieldStart
                case ASCII.lf: try endLine(emit)
                case ASCII.cr: pendingCR = true
                case ASCII.quote:
                    flag("a quote inside an unquoted field")
                    record.raw.append(b); record.values.append(b)
                default: record.raw.append(b); record.values.append(b)
                }
            case .quoted:
                record.raw.append(b)
                if b == ASCII.quote {
                    state = .quoteInQuoted
                } else {
                    record.values.append(b)
                    if b == ASCII.lf { line += 1 }
                }
            case .quoteInQuoted:
                switch b {
                case ASCII.quote: record.raw.append(b); record.values.append(b); state = .quoted
                case ASCII.comma: record.raw.append(b); endField(); state = .fieldStart
                case ASCII.lf: try endLine(emit)
                case ASCII.cr: pendingCR = true
                default:
                    flag("characters after a closing quote")
                    record.raw.append(b); record.values.append(b); state = .unquoted
                }
            }
        }
        // Once per chunk: a record being read grows by at most a chunk past the limit.
        clipIfTooLong()
        if let last = chunk.last { endsWithLF = last == ASCII.lf }
    }

    /// Where the run of plain value bytes that starts at `start` ends: in an
    /// unquoted field any byte but `,` `"` CR LF; in a quoted one any byte but
    /// `"` and LF (which counts a line). The byte-by-byte code treats each
    /// of them the same way: appended to both the raw text and the value.
    private func plainRun(_ chunk: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var j = start
        if state == .quoted {
            while j < chunk.count, chunk[j] != ASCII.quote, chunk[j] != ASCII.lf { j += 1 }
        } else {
            while j < chunk.count {
                let b = chunk[j]
                if b == ASCII.comma || b == ASCII.quote || b == ASCII.lf || b == ASCII.cr { break }
                j += 1
            }
        }
        return j
    }

    /// Ends the input: the last record may have no line end.
    mutating func finish(_ emit: (Event) throws -> Void) rethrows {
        if pendingCR {
            pendingCR = false
            literalCR()
        }
        var unclosed = false, lastLine = line
        switch state {
        case .recordStart:
            return
        case .quoted:
            unclosed = true
            // The file's final line end is not a line of the record (counted as one inside quotes).
            if endsWithLF { lastLine -= 1 }
            // The record's final line end is not part of its raw text.
            if record.raw.last == ASCII.lf {
                record.raw.removeLast()
                if record.raw.last == ASCII.cr { record.raw.removeLast() }
            }
        case .fieldStart, .unquoted, .quoteInQuoted:
            break
        }
        endField()
        clipIfTooLong()
        if unclosed {
            // Said first, whatever else the record has: one stray quote swallowed the rest of the
            // file into this record (RFC 4180), and "longer than 1 MiB" alone hid why.
            let lines = lastLine - quoteLine + 1
            var problem = "a quoted field is not closed before the end of the file"
            if lines > 1 {
                problem += ": a quote opened on line \(quoteLine) takes the rest of the file, \(lines) lines, "
                    + "into the record of line \(record.line) (is a quote in a value not doubled, or not closed?)"
            }
            if record.clipped { problem += "; its raw text is cut at \(InputLimits.size(maxRecordBytes))" }
            record.problem = problem
        }
        try emit(.record(record))
        state = .recordStart
    }

    /// Cuts a record longer than the limit to its first `maxRecordBytes` bytes and flags it.
    private mutating func clipIfTooLong() {
        guard record.raw.count > maxRecordBytes, state != .recordStart else { return }
        record.raw.removeSubrange(maxRecordBytes...)
        record.clipped = true
        // The values are not needed any more: a flagged record is rejected as a whole.
        record.values.removeAll()
        record.ends.removeAll()
        record.problem = "the record is longer than \(InputLimits.size(maxRecordBytes)) (the limit per record)"
    }

    private mutating func begin() {
        // Records of one file are alike: start with room for one like the last.
        let (rawSize, fieldCount) = (record.raw.count, record.ends.count)
        record = CSVRecord()
        record.raw.reserveCapacity(rawSize)
        record.values.reserveCapacity(rawSize)
        record.ends.reserveCapacity(fieldCount)
        record.line = line
        state = .fieldStart
    }

    private mutating func flag(_ problem: String) {
        if record.problem == nil { record.problem = problem }
    }

    private mutating func endField() {
        record.ends.append(record.values.count)
    }

    /// A CR that turned out not to be part of a CRLF: an ordinary byte.
    private mutating func literalCR() {
        if state == .recordStart { begin() }
        record.raw.append(ASCII.cr)
        switch state {
        case .quoteInQuoted:
            flag("characters after a closing quote")
            state = .unquoted
        case .recordStart, .fieldStart:
            state = .unquoted
        case .unquoted, .quoted:
            break
        }
        record.values.append(ASCII.cr)
    }

    /// A line end outside quotes: an empty line, or the end of a record.
    private mutating func endLine(_ emit: (Event) throws -> Void) rethrows {
        if state == .recordStart {
            try emit(.emptyLine(line))
        } else {
            endField()
            clipIfTooLong()
            try emit(.record(record))
            state = .recordStart
        }
        line += 1
    }
}

/// Splits NDJSON input into lines at LF; a CR before the LF belongs to the line end.
/// A line longer than `maxLineBytes` is handed over cut to that length and flagged.
struct LineScanner {
    private var line = 1
    private var bytes: [UInt8] = []
    /// `InputLimits.recordBytes`.
    var maxLineBytes = Int.max
    /// Whether bytes of the current line were dropped for the limit.
    private var clipped = false

    /// Calls `emit(line, bytes, tooLong)` for every line that is not empty.
    mutating func scan(_ chunk: UnsafeBufferPointer<UInt8>, _ emit: (Int, [UInt8], Bool) throws -> Void) rethrows {
        var start = 0
        while let i = chunk[start...].firstIndex(of: ASCII.lf) {
            append(chunk[start..<i])
            try endLine(emit)
            start = i + 1
        }
        append(chunk[start...])
    }

    mutating func finish(_ emit: (Int, [UInt8], Bool) throws -> Void) rethrows {
        // A last line without LF: its CR, if any, is a CR, not a line end.
        let tooLong = clip()
        if !bytes.isEmpty { try emit(line, bytes, tooLong) }
        bytes = []
    }

    /// Keeps at most one byte past the limit (room for a CR before the LF).
    private mutating func append(_ part: Slice<UnsafeBufferPointer<UInt8>>) {
        let room = maxLineBytes - bytes.count
        if part.count - 1 > room {
            bytes.append(contentsOf: part.prefix(max(0, room + 1)))
            clipped = true
        } else {
            bytes.append(contentsOf: part)
        }
    }

    /// Cuts the line to the limit; whether it was too long.
    private mutating func clip() -> Bool {
        defer { clipped = false }
        guard clipped || bytes.count > maxLineBytes else { return false }
        if bytes.count > maxLineBytes { bytes.removeSubrange(maxLineBytes...) }
        return true
    }

    private mutating func endLine(_ emit: (Int, [UInt8], Bool) throws -> Void) rethrows {
        if !clipped, bytes.last == ASCII.cr { bytes.removeLast() }
        let tooLong = clip()
        if !bytes.isEmpty { try emit(line, bytes, tooLong) }
        bytes.removeAll(keepingCapacity: true)
        line += 1
    }
}
