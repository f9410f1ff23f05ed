import Matching

/// Builds rows in COPY's text format (tab between columns, LF after the row,
/// `\N` for NULL, backslash escapes) straight into a byte buffer, without a
/// `String` per value: the loader writes a million rows through it.
///
/// Text must not hold NUL (PostgreSQL text cannot); the loader rejects such
/// rows before they get here (`StoreLimits`).
struct CopyLine {
    private(set) var bytes: [UInt8] = []
    private var atRowStart = true

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    private static let tab: UInt8 = 0x09, newline: UInt8 = 0x0A, backslash: UInt8 = 0x5C

    private mutating func separate() {
        if atRowStart { atRowStart = false } else { bytes.append(CopyLine.tab) }
    }

    /// Ends the current row.
    mutating func endRow() {
        bytes.append(CopyLine.newline)
        atRowStart = true
    }

    /// Empties the buffer (after its bytes were sent), keeping its capacity.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func null() {
        separate()
        bytes.append(CopyLine.backslash); bytes.append(0x4E)   // \N
    }

    /// Text, escaped; nil is NULL.
    mutating func text(_ value: String?) {
        guard var value else { return null() }
        separate()
        value.withUTF8 { appendEscaped($0) }
    }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        for b in utf8 {
            switch b {
            case CopyLine.backslash: bytes.append(CopyLine.backslash); bytes.append(CopyLine.backslash)
            case 0x09: bytes.append(CopyLine.backslash); bytes.append(0x74)
            case 0x0A: bytes.append(CopyLine.backslash); bytes.append(0x6E)
            case 0x0D: bytes.append(CopyLine.backslash); bytes.append(0x72)
            default: bytes.append(b)
            }
        }
    }

    /// Bytes known to need no escaping (codes, hex digests).
    mutating func plain(_ value: String) {
        separate()
        raw(value)
    }

    mutating func int(_ value: Int?) {
        guard let value else { return null() }
        separate()
        appendDigits(value)
    }

    mutating func count(_ value: Count?) {
        guard let value else { return null() }
        separate()
        if let n = value.exactInt { appendDigits(n) } else { raw(value.description) }
    }

    private mutating func appendDigits(_ value: Int) {
        if value < 0 { bytes.append(0x2D) }
        var m = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(m % 10) + 0x30
                m /= 10
                count += 1
            } while m > 0
            while count > 0 {
                count -= 1
                bytes.append(d[count])
            }
        }
    }

    mutating func bool(_ value: Bool?) {
        guard let value else { return null() }
        separate()
        bytes.append(value ? 0x74 : 0x66)   // t / f
    }

    /// An exact decimal in its shortest text (`3450`, `38.5`).
    mutating func decimal(_ value: ExactDecimal?) {
        guard let value else { return null() }
        separate()
        appendDecimal(value)
    }

    private mutating func appendDecimal(_ value: ExactDecimal) {
        value.appendText(to: &bytes)
    }

    /// The lower-case hex digits of `bytes` (a digest).
    mutating func hex<D: Sequence>(_ digest: D) where D.Element == UInt8 {
        separate()
        for b in digest {
            bytes.append(CopyLine.hexDigits[Int(b >> 4)])
            bytes.append(CopyLine.hexDigits[Int(b & 15)])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func day(_ value: Day?) {
        guard let value else { return null() }
        separate()
        func two(_ v: Int) { bytes.append(UInt8(v / 10) + 0x30); bytes.append(UInt8(v % 10) + 0x30) }
        two(value.year / 100); two(value.year % 100)
        bytes.append(0x2D); two(value.month)
        bytes.append(0x2D); two(value.day)
    }

    /// A list column: an array literal `{a,b}` (`{}` when empty). Items hold
    /// only codes, digits, `.`, `:` and level letters, never a quote, brace,
    /// comma, space or backslash, and never the bare word NULL, so none is quoted.
    mutating func list<T>(_ items: [T], _ item: (inout CopyLine, T) -> Void) {
        separate()
        bytes.append(0x7B)
        for (i, element) in items.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            item(&self, element)
        }
        bytes.append(0x7D)
    }

    // List items, in `ListItems`' syntax (no separator of their own).

    /// `code:min_level:E|O`.
    mutating func item(_ s: RequiredSkill) {
        raw(s.code); colon(); appendDigits(s.minLevel); colon(); bytes.append(s.essential ? 0x45 : 0x4F)   // E / O
    }

    /// `code:level` (CEFR).
    mutating func item(_ l: LanguageLevel) {
        raw(l.code); colon(); raw(l.level.description)
    }

    /// `code:level` (1-4).
    mutating func item(_ s: WorkerSkill) {
        raw(s.code); colon(); appendDigits(s.level)
    }

    /// `isco:years`.
    mutating func item(_ o: Occupation) {
        raw(o.isco); colon(); appendDecimal(o.years)
    }

    /// A code item (a language or a country).
    mutating func item(_ code: String) { raw(code) }

    private mutating func colon() { bytes.append(0x3A) }

    private mutating func raw(_ value: String) {
        var value = value
        value.withUTF8 { bytes.append(contentsOf: $0) }
    }
}
