/// A JSON value as written: numbers keep their literal text, objects their key order.
///
/// Foundation's JSONSerialization cannot be used for feeds: it hides repeated
/// keys and the literal form of numbers (`3` against `3.0`), both of which
/// FEEDS.md gives a meaning.
package enum JSONValue {
    case null
    case bool(Bool)
    /// The literal, e.g. `3.1e3`; it matches JSON's number grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order; keys are unique (a repeated key fails the parse).
    case object([(key: String, value: JSONValue)])

    /// The member named `key` (compared by bytes), if any.
    package func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { sameBytes($0.key, key) }?.value
    }

    /// A short description for messages: `a JSON number (3.0)`, `a JSON array`.
    var shown: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "JSON \(b)"
        case .number(let n): return "the JSON number \(n)"
        case .string(let s): return "'\(s)'"
        case .array: return "a JSON array"
        case .object: return "a JSON object"
        }
    }
}

/// Why a JSON text could not be parsed.
package struct JSONParseError: Error {
    package var message: String
}

/// A strict RFC 8259 parser over UTF-8 bytes (already checked to be valid UTF-8).
///
/// Iterative, so deep nesting cannot overflow the stack. Fails on a key
/// repeated inside any object (compared by code points, i.e. by bytes after
/// unescaping) and on trailing content.
///
/// An unpaired surrogate escape (`"\ud800"`) is valid JSON text (RFC 8259
/// section 8.2 leaves its meaning open); as Python's `json`, JavaScript and
/// Go read it, it is accepted. The decoded text holds U+FFFD in its place,
/// since a Swift string cannot hold a surrogate; keys keep their surrogates
/// apart for the repeated-key check (`"\ud800"` and `"\udbff"` are two keys).
/// Containers nested deeper than `keptDepth` are checked like the rest but
/// kept empty (of their kind): feeds look three levels down at most, and a
/// deeper tree would overflow the stack when it is freed.
package struct JSONParser {
    static let keptDepth = 32

    private let bytes: [UInt8]
    private var i = 0
    /// Containers open at once beyond which the text is refused (`InputLimits.jsonDepth`).
    private let maxDepth: Int

    private init(_ bytes: [UInt8], maxDepth: Int) { self.bytes = bytes; self.maxDepth = maxDepth }

    /// Parses one JSON text; more than `maxDepth` nested containers fail it.
    package static func parse(_ bytes: [UInt8], maxDepth: Int = .max) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(bytes, maxDepth: maxDepth)
        return try p.document()
    }

    /// A container starts at the `{` or `[` at `i`, inside `depth` open ones.
    private func checkDepth(_ depth: Int) throws(JSONParseError) {
        guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth) levels (the limit)") }
    }

    /// An open container: its members so far are `values[start...]`.
    private struct Frame {
        var isObject: Bool
        var start: Int
        var keys: [String] = []
        /// The keys' bytes, kept only once an object is large enough for hashing to pay.
        var seen: Set<[UInt8]>?
        /// For a key holding an unpaired surrogate: its WTF-8 bytes (the surrogate as the three
        /// bytes UTF-8 would give it), which no valid UTF-8 key can equal. By key index.
        var surrogateKeys: [Int: [UInt8]] = [:]
    }

    private mutating func document() throws(JSONParseError) -> JSONValue {
        // Completed values waiting for their container to close; kept flat so
        // that appending to a long array never copies it.
        var values: [JSONValue] = []
        var stack: [Frame] = []
        skipSpace()
        while true {
            // Read one value; a container pushes a frame and goes round for its first member.
            var value: JSONValue
            guard i < bytes.count else { throw fail("a value is missing") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                try checkDepth(stack.count)
                i += 1
                skipSpace()
                if peek(UInt8(ascii: "}")) {
                    i += 1
                    value = .object([])
                } else {
                    var frame = Frame(isObject: true, start: values.count)
                    try memberKey(into: &frame)
                    stack.append(frame)
                    continue
                }
            case UInt8(ascii: "["):
                try checkDepth(stack.count)
                i += 1
                skipSpace()
                if peek(UInt8(ascii: "]")) {
                    i += 1
                    value = .array([])
                } else {
                    stack.append(Frame(isObject: false, start: values.count))
                    continue
                }
            case UInt8(ascii: "\""): value = .string(try string())
            case UInt8(ascii: "t"): try literal("true"); value = .bool(true)
            case UInt8(ascii: "f"): try literal("false"); value = .bool(false)
            case UInt8(ascii: "n"): try literal("null"); value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try number())
            default: throw fail("unexpected character")
            }
            // Hand the value to the enclosing containers, closing those that end here.
            while true {
                skipSpace()
                // Only the flag is read here: a copy of the frame would make every
                // key appended to it copy the frame's key list.
                guard let isObject = stack.last?.isObject else {
                    guard i == bytes.count else { throw fail("text after the JSON value") }
                    return value
                }
                values.append(value)
                if peek(UInt8(ascii: ",")) {
                    i += 1
                    skipSpace()
                    if isObject { try memberKey(into: &stack[stack.count - 1]) }
                    break
                }
                guard peek(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                i += 1
                let depth = stack.count
                let top = stack.removeLast()
                let members = Array(values[top.start...])
                values.removeSubrange(top.start...)
                if depth > JSONParser.keptDepth {
                    value = isObject ? .object([]) : .array([])
                } else {
                    value = isObject
                        ? .object(zip(top.keys, members).map { (key: $0, value: $1) })
                        : .array(members)
                }
            }
        }
    }

    /// `"key" :` and the space after it; the key must be new to `frame`.
    private mutating func memberKey(into frame: inout Frame) throws(JSONParseError) {
        guard peek(UInt8(ascii: "\"")) else { throw fail("expected a key") }
        let (key, wtf8) = try stringAndSurrogates()
        let repeated: Bool
        if frame.surrogateKeys.isEmpty, wtf8 == nil, frame.keys.count < 16 {
            repeated = frame.keys.contains { sameBytes($0, key) }
        } else if frame.keys.count < 16 {
            repeated = frame.keys.indices.contains { k in
                switch (frame.surrogateKeys[k], wtf8) {
                case (nil, nil): sameBytes(frame.keys[k], key)
                case (let a?, let b?): a == b
                default: false
                }
            }
        } else {
            if frame.seen == nil {
                frame.seen = Set(frame.keys.indices.map { frame.surrogateKeys[$0] ?? Array(frame.keys[$0].utf8) })
            }
            repeated = !frame.seen!.insert(wtf8 ?? Array(key.utf8)).inserted
        }
        if repeated { throw JSONParseError(message: "key '\(FeedFileError.visible(key))' is repeated in one object") }
        if let wtf8 { frame.surrogateKeys[frame.keys.count] = wtf8 }
        frame.keys.append(key)
        skipSpace()
        guard peek(UInt8(ascii: ":")) else { throw fail("expected ':'") }
        i += 1
        skipSpace()
    }

    private func peek(_ b: UInt8) -> Bool { i < bytes.count && bytes[i] == b }

    private func fail(_ what: String) -> JSONParseError {
        JSONParseError(message: "invalid JSON at byte \(i + 1): \(what)")
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n else { throw fail("unexpected end") }
        let matches = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[i + $0] == w[$0] } }
        guard matches else { throw fail("unexpected character") }
        i += n
    }

    private func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    private mutating func number() throws(JSONParseError) -> String {
        let start = i
        if peek(UInt8(ascii: "-")) { i += 1 }
        guard isDigit(i) else { throw fail("a digit is expected") }
        if bytes[i] == 0x30 {
            i += 1
        } else {
            while isDigit(i) { i += 1 }
        }
        if peek(UInt8(ascii: ".")) {
            i += 1
            guard isDigit(i) else { throw fail("a digit is expected after '.'") }
            while isDigit(i) { i += 1 }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            i += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { throw fail("a digit is expected in the exponent") }
            while isDigit(i) { i += 1 }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - i >= 4 else { throw fail("a \\u escape needs four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw fail("a \\u escape needs four hex digits")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    /// A string starting at `"`; returns its decoded text (U+FFFD for an unpaired surrogate).
    private mutating func string() throws(JSONParseError) -> String {
        try stringAndSurrogates().text
    }

    /// A string starting at `"`: its decoded text, and when it holds an unpaired surrogate
    /// escape, its WTF-8 bytes too (each such surrogate as three bytes, `ED A0 80` for D800).
    private mutating func stringAndSurrogates() throws(JSONParseError) -> (text: String, wtf8: [UInt8]?) {
        i += 1
        // Most strings have no escape: take them straight from the input.
        var end = i
        while end < bytes.count, bytes[end] != 0x22, bytes[end] != 0x5C, bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == 0x22 {
            defer { i = end + 1 }
            return (String(decoding: bytes[i..<end], as: UTF8.self), nil)
        }
        var out = Array(bytes[i..<end])
        // Where in `out` each unpaired surrogate's three bytes start.
        var surrogates: [Int] = []
        i = end
        while true {
            guard i < bytes.count else { throw fail("a string is not closed") }
            let b = bytes[i]
            if b == 0x22 {
                i += 1
                guard !surrogates.isEmpty else { return (String(decoding: out, as: UTF8.self), nil) }
                var text = out
                for at in surrogates.reversed() { text.replaceSubrange(at..<at + 3, with: [0xEF, 0xBF, 0xBD]) }
                return (String(decoding: text, as: UTF8.self), out)
            }
            if b < 0x20 { throw fail("a control character inside a string") }
            if b != 0x5C {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw fail("a string is not closed") }
            let e = bytes[i]
            i += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar), peek(0x5C), i + 5 < bytes.count,
                   bytes[i + 1] == UInt8(ascii: "u") {
                    // A high surrogate pairs with a low one escaped right after it; any other
                    // escape there is read on its own, on the next round.
                    let mark = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = mark
                    }
                }
                if (0xD800...0xDFFF).contains(scalar) {
                    surrogates.append(out.count)
                    out += [0xE0 | UInt8(scalar >> 12), 0x80 | UInt8(scalar >> 6 & 0x3F), 0x80 | UInt8(scalar & 0x3F)]
                } else {
                    UTF8.encode(Unicode.Scalar(scalar)!) { out.append($0) }
                }
            default:
                throw fail("an invalid escape")
            }
        }
    }
}
