import Matching

/// The number literals of a policy file as written, for MATCHING.md section 8's "numbers are
/// taken as the decimal written": TOMLKit hands over a `Double`, which holds 15 to 17
/// significant digits, so `0.350000000000000000001` would read as 0.35.
///
/// A lexer of TOML's structure, run after TOMLKit has read and validated the text: it follows
/// comments, every kind of string (basic, literal, multi-line, with their escapes and closing
/// quotes), table headers, bare, quoted and dotted keys, arrays and inline tables, and notes
/// each bare value (a number, a boolean, a date) under its full key (`min_fit`,
/// `weights.skills`, whether written under `[weights]`, as `weights.skills = ...` or as
/// `weights = { skills = ... }`). A key found twice, or a text the lexer does not follow to the
/// end (it should not happen to a text TOMLKit accepted), gives no literal, and the reader
/// falls back to the shortest decimal of the `Double`, which is the decimal written for any
/// literal of up to 15 significant digits. A literal is used only when its own nearest
/// `Double` is the value TOMLKit gave (`PolicyReader`).
struct TOMLFloatLiterals {
    /// Literals by key path, its parts joined by U+001F (a quoted key may hold a dot).
    private var literals: [String: Substring] = [:]
    private var ambiguous: Set<String> = []
    /// Where every bare value of the text is (byte offsets), for `shortened`.
    private var spans: [(start: Int, end: Int)] = []

    /// One pass of the lexer over `text`: the literals by key, and where every value is.
    init(_ text: String) {
        var lexer = Lexer(text)
        guard let found = lexer.values() else { return }
        spans = lexer.spans
        for (path, literal) in found {
            let key = path.joined(separator: "\u{1F}")
            if literals[key] != nil { ambiguous.insert(key) }
            literals[key] = literal
        }
    }

    /// The literal written for `key` (`min_fit`, `weights.skills`) as a decimal, when the lexer
    /// found exactly one, it is a finite float, and its nearest `Double` is `parsed` (the value
    /// TOMLKit read for the key); nil otherwise. A literal past what a decimal holds here (1,000
    /// digits before or after the point: `1e-1001`, which a `Double` reads as 0) is an error
    /// naming the key, not its `Double`.
    func decimal(_ key: String, parsed: Double) throws(PolicyError) -> ExactDecimal? {
        let path = key.split(separator: ".", omittingEmptySubsequences: false).joined(separator: "\u{1F}")
        // inf and nan: no decimal at all, which the reader says itself.
        guard parsed.isFinite, !ambiguous.contains(path), var literal = literals[path] else { return nil }
        if literal.hasPrefix("+") { literal = literal.dropFirst() }
        let text = String(literal.filter { $0 != "_" })
        guard Double(text) == parsed else { return nil }
        guard let exact = ExactDecimal(jsonNumber: Substring(text)) else {
            throw PolicyError(key: key, message: "\(literal) has more than 1,000 digits before or after the point "
                              + "(the bound of every decimal, README \"Exactness\")")
        }
        return exact
    }

    /// The longest float literal left to toml++ as written: toml++ 3.4 refuses one of over 128
    /// characters (126 with an exponent) as too long, though TOML sets no bound and MATCHING.md
    /// takes "the decimal written" (a review, session 21: `min_fit = 0.5000...0001`, 129
    /// characters, was refused).
    static let longestLiteralKept = 64

    /// `bytes` (the text these literals were read from, or one with the same values at the same
    /// offsets) with every float literal longer than `longestLiteralKept` that is valid TOML
    /// (`isFloat`) and finite written as the shortest literal of the same `Double`, then spaces
    /// up to its length (so that toml++'s error columns are the file's), for toml++ to read;
    /// the reader then takes the decimal written from the text as it was (`decimal`), as for
    /// any literal. `bytes` unchanged when the lexer did not follow the text.
    func shortened(_ bytes: [UInt8]) -> String {
        var b = bytes
        let long = spans.filter { $0.end - $0.start > Self.longestLiteralKept }
        for span in long.reversed() {
            let literal = b[span.start..<span.end]
            guard Self.isFloat(literal), let d = Double(String(decoding: literal.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)),
                  d.isFinite else { continue }
            // Swift's shortest round-trip form (`0.5`, `1e-300`, `-1.25e+20`) is a TOML float,
            // and blanks may follow a value.
            let short = Array("\(d)".utf8)
            b.replaceSubrange(span.start..<span.end, with: short + Array(repeating: ASCII.space, count: literal.count - short.count))
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// Whether `literal` is a TOML 1.0 decimal float: `[+-]` then `0` or a digit 1-9 and more
    /// digits, then a fraction (`.` and digits), an exponent (`e` or `E`, `[+-]`, digits) or
    /// both; an underscore only between two digits.
    static func isFloat<C: Collection>(_ literal: C) -> Bool where C.Element == UInt8 {
        let b = Array(literal)
        var i = 0
        /// Digits with single underscores between them; false when there is none.
        func digits(leadingZero allowed: Bool) -> Bool {
            let start = i
            while i < b.count, Syntax.isDigit(b[i]) || (b[i] == UInt8(ascii: "_") && i > start && i + 1 < b.count
                                                          && Syntax.isDigit(b[i - 1]) && Syntax.isDigit(b[i + 1])) {
                i += 1
            }
            guard i > start else { return false }
            return allowed || b[start] != UInt8(ascii: "0") || i == start + 1
        }
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        guard digits(leadingZero: false) else { return false }
        var fractionOrExponent = false
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(leadingZero: true) else { return false }
            fractionOrExponent = true
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(leadingZero: true) else { return false }
            fractionOrExponent = true
        }
        return fractionOrExponent && i == b.count
    }

    /// The lexer: byte offsets into the text's UTF-8.
    private struct Lexer {
        let text: String
        let b: [UInt8]
        var i = 0
        var found: [([String], Substring)] = []
        /// Where every bare value is, in arrays too: byte offsets.
        var spans: [(start: Int, end: Int)] = []
        /// Arrays and inline tables open around `i`.
        var depth = 0
        /// toml++'s bound on nesting: a text past it is not followed (the lexer recurses, and
        /// runs before toml++ has read the text: 60,000 `[` overflowed the stack, a review,
        /// session 21).
        static let maxDepth = 256

        init(_ text: String) {
            self.text = text
            b = Array(text.utf8)
            i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        }

        private struct Unfollowed: Error {}

        /// Every bare value with its key path (nil paths, in arrays and arrays of tables, are
        /// left out); nil when the text is not followed to its end.
        mutating func values() -> [([String], Substring)]? {
            do {
                var table: [String]? = []
                while true {
                    skipBlanksAndComments(newlines: true)
                    guard i < b.count else { return found }
                    if b[i] == UInt8(ascii: "[") {
                        let arrayOfTables = i + 1 < b.count && b[i + 1] == UInt8(ascii: "[")
                        i += arrayOfTables ? 2 : 1
                        let name = try key()
                        try expect("]")
                        if arrayOfTables { try expect("]") }
                        table = arrayOfTables ? nil : name
                    } else {
                        let name = try key()
                        try expect("=")
                        try value(table.map { $0 + name })
                    }
                    skipBlanksAndComments(newlines: false)
                    guard i == b.count || b[i] == ASCII.lf || b[i] == ASCII.cr else { throw Unfollowed() }
                }
            } catch {
                return nil
            }
        }

        /// Spaces and tabs, comments, and line ends too when `newlines`.
        private mutating func skipBlanksAndComments(newlines: Bool) {
            while i < b.count {
                let c = b[i]
                if c == 0x20 || c == 0x09 || (newlines && (c == ASCII.lf || c == ASCII.cr)) {
                    i += 1
                } else if c == UInt8(ascii: "#") {
                    while i < b.count && b[i] != ASCII.lf && b[i] != ASCII.cr { i += 1 }
                } else {
                    return
                }
            }
        }

        private mutating func expect(_ c: Unicode.Scalar) throws {
            skipBlanksAndComments(newlines: false)
            guard i < b.count, b[i] == UInt8(ascii: c) else { throw Unfollowed() }
            i += 1
        }

        /// A key: bare or quoted parts joined by dots, blanks around them.
        private mutating func key() throws -> [String] {
            var parts: [String] = []
            while true {
                skipBlanksAndComments(newlines: false)
                guard i < b.count else { throw Unfollowed() }
                switch b[i] {
                case ASCII.quote, UInt8(ascii: "'"):
                    guard let part = try string(decoding: true) else { throw Unfollowed() }
                    parts.append(part)
                default:
                    let start = i
                    while i < b.count, Self.isBareKey(b[i]) { i += 1 }
                    guard i > start else { throw Unfollowed() }
                    parts.append(String(decoding: b[start..<i], as: UTF8.self))
                }
                skipBlanksAndComments(newlines: false)
                guard i < b.count, b[i] == UInt8(ascii: ".") else { return parts }
                i += 1
            }
        }

        /// A value; bare ones are noted under `path` (unless nil).
        private mutating func value(_ path: [String]?) throws {
            skipBlanksAndComments(newlines: false)
            guard i < b.count else { throw Unfollowed() }
            switch b[i] {
            case ASCII.quote, UInt8(ascii: "'"):
                _ = try string(decoding: false)
            case UInt8(ascii: "["):
                try items(until: UInt8(ascii: "]")) { try $0.value(nil) }
            case UInt8(ascii: "{"):
                try items(until: UInt8(ascii: "}")) { lexer in
                    let name = try lexer.key()
                    try lexer.expect("=")
                    try lexer.value(path.map { $0 + name })
                }
            default:
                // A number, a boolean or a date-time (whose date and time a space may part).
                let start = i
                while i < b.count, !TOMLGuard.isValueEnd(b[i]) { i += 1 }
                if i - start == 10, i + 1 < b.count, b[i] == 0x20, Syntax.isDigit(b[i + 1]), b[start + 4] == UInt8(ascii: "-") {
                    i += 1
                    while i < b.count, !TOMLGuard.isValueEnd(b[i]) { i += 1 }
                }
                guard i > start else { throw Unfollowed() }
                spans.append((start, i))
                if let path { found.append((path, Self.substring(text, start, i))) }
            }
        }

        /// The items of the array or inline table opened at `i`, up to `close`: commas between
        /// them (one after the last too), line ends and comments around them.
        private mutating func items(until close: UInt8, _ item: (inout Lexer) throws -> Void) throws {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw Unfollowed() }
            i += 1
            while true {
                skipBlanksAndComments(newlines: true)
                guard i < b.count else { throw Unfollowed() }
                if b[i] == close { i += 1; return }
                try item(&self)
                skipBlanksAndComments(newlines: true)
                guard i < b.count else { throw Unfollowed() }
                if b[i] == UInt8(ascii: ",") { i += 1 } else if b[i] != close { throw Unfollowed() }
            }
        }

        /// A string at `i` (basic or literal, single- or multi-line); its value when `decoding`
        /// (keys: single-line only), else nil.
        private mutating func string(decoding: Bool) throws -> String? {
            let quote = b[i]
            let multi = i + 2 < b.count && b[i + 1] == quote && b[i + 2] == quote
            if multi && decoding { throw Unfollowed() }
            i += multi ? 3 : 1
            var bytes: [UInt8] = []
            while i < b.count {
                let c = b[i]
                if !multi && (c == ASCII.lf || c == ASCII.cr) { throw Unfollowed() }
                if c == UInt8(ascii: "\\") && quote == ASCII.quote {
                    guard i + 1 < b.count else { throw Unfollowed() }
                    if decoding { try unescape(&bytes) } else { i += 2 }
                    continue
                }
                if c == quote {
                    if !multi {
                        i += 1
                        return decoding ? String(decoding: bytes, as: UTF8.self) : nil
                    }
                    if i + 2 < b.count && b[i + 1] == quote && b[i + 2] == quote {
                        // Up to two more quotes belong to the content: """a"""" ends after the last.
                        var end = i + 3
                        while end < b.count && end < i + 5 && b[end] == quote { end += 1 }
                        i = end
                        return nil
                    }
                }
                bytes.append(c)
                i += 1
            }
            throw Unfollowed()
        }

        /// The escape at `i` (a backslash) in a basic string key, appended to `bytes` as UTF-8.
        private mutating func unescape(_ bytes: inout [UInt8]) throws {
            let e = b[i + 1]
            i += 2
            let simple: [UInt8: UInt8] = [UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A,
                                          UInt8(ascii: "f"): 0x0C, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "e"): 0x1B,
                                          ASCII.quote: ASCII.quote, UInt8(ascii: "\\"): UInt8(ascii: "\\")]
            if let byte = simple[e] {
                bytes.append(byte)
                return
            }
            let digits = e == UInt8(ascii: "u") ? 4 : e == UInt8(ascii: "U") ? 8 : e == UInt8(ascii: "x") ? 2 : 0
            guard digits > 0, i + digits <= b.count,
                  let code = UInt32(String(decoding: b[i..<(i + digits)], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(code) else { throw Unfollowed() }
            i += digits
            bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
        }

        private static func isBareKey(_ c: UInt8) -> Bool {
            Syntax.isDigit(c) || Syntax.isUpper(c) || Syntax.isLower(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }

        /// The text's characters from byte `start` to byte `end` (both on character boundaries:
        /// a bare value is ASCII).
        private static func substring(_ text: String, _ start: Int, _ end: Int) -> Substring {
            let utf8 = text.utf8
            let from = utf8.index(utf8.startIndex, offsetBy: start), to = utf8.index(utf8.startIndex, offsetBy: end)
            return text[from..<to]
        }
    }
}
