/// Refuses the TOML texts on which toml++ 3.4 (the parser inside TOMLKit)
/// breaks its own assertions, before it sees them: it would abort the process,
/// or, built with NDEBUG, go on with undefined behaviour. Each rule was found
/// by fuzzing (README "Fuzzing"; reproducers in Fuzz/crashes) and is invalid
/// TOML anyway, so no valid policy is refused:
/// - a table header whose `[` or `[[` is followed by something that cannot
///   start a key (`[(`, `[[=`, `[` at the end of a line; fixed upstream in
///   toml++ pull request 301);
/// - `}` right after an array's `[` or a `,` (`a = [}`, `a = [1, }`);
/// - a date followed by a space, one digit and a value's end (`1979-05-27 0]`),
///   which toml++ scans as the start of a date-time;
/// - a date and `T` followed by something other than a digit (`2029-05-31t\u{14}4:`);
/// - U+0085, U+2028 or U+2029 outside a string and a comment (toml++ takes
///   them for line breaks in some places and not in others: `a = [\u{85}1]`).
///
/// And it prepares the text for toml++ (`prepared`): in a comment, where TOML
/// allows them, those three are replaced by spaces, since toml++ could end the
/// comment there and read the rest of the line as TOML (they were refused there
/// until a review, session 21, found valid policies refused); a NUL, which TOML
/// allows nowhere, is refused, since TOMLKit hands toml++ a C string, which
/// ends at the first NUL: the rest of the file was silently ignored (the same
/// review: `# note<NUL>` then `min_fit = 0.9` ran with the default min_fit).
///
/// A small lexer: strings (basic, literal, multi-line) and comments are
/// skipped, and `[`/`{` nesting is counted so that only a `[` at the start of
/// a line outside any value is taken for a table header, as toml++ does.
enum TOMLGuard {
    /// toml++'s value terminators, in ASCII: white space, `]`, `}`, `,`, `#`.
    static func isValueEnd(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || (0x0A...0x0D).contains(c) || c == UInt8(ascii: "]") || c == UInt8(ascii: "}")
            || c == UInt8(ascii: ",") || c == UInt8(ascii: "#")
    }

    /// Whether the value starting at `start` is 10 characters (underscores aside) with `-` as
    /// the 5th and 8th, then a space, one digit, and a character no time can go on with.
    static func isDateThenOneDigit(_ b: [UInt8], _ start: Int) -> Bool {
        // toml++ looks at most 127 characters ahead: a longer value (over 4 x 127 bytes) cannot
        // end in its date-time path. Stopping there also keeps this guard linear in the text.
        let limit = min(b.count, start + 4 * 128)
        var end = start
        while end < limit && !isValueEnd(b[end]) { end += 1 }
        guard end < limit || end == b.count else { return false }
        // Characters as toml++ counts them: code points, underscores left out.
        let chars = b[start..<end].filter { ($0 & 0xC0) != 0x80 && $0 != UInt8(ascii: "_") }
        guard chars.count == 10, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              end + 2 < b.count, b[end] == ASCII.space, Syntax.isDigit(b[end + 1]) else { return false }
        let next = b[end + 2]
        let timeGoesOn = Syntax.isDigit(next) || Syntax.isUpper(next) || Syntax.isLower(next)
            || [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "_")].contains(next)
        return !timeGoesOn
    }

    /// Whether U+0085 (C2 85), U+2028 or U+2029 (E2 80 A8/A9) starts at `i`.
    static func isOddLineBreak(_ b: [UInt8], _ i: Int) -> Bool {
        (b[i] == 0xC2 && i + 1 < b.count && b[i + 1] == 0x85)
            || (b[i] == 0xE2 && i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9))
    }

    /// Whether `YYYY-MM-DD` at `start` is followed by `T` or `t` and a character that is not a digit.
    static func isDateThenTWithoutTime(_ b: [UInt8], _ start: Int) -> Bool {
        guard start + 11 < b.count else { return false }
        for k in 0..<10 where !(k == 4 || k == 7 ? b[start + k] == UInt8(ascii: "-") : Syntax.isDigit(b[start + k])) {
            return false
        }
        return (b[start + 10] == UInt8(ascii: "T") || b[start + 10] == UInt8(ascii: "t")) && !Syntax.isDigit(b[start + 11])
    }

    /// `text` as toml++ is to read it: checked (`check`), U+0085, U+2028 and U+2029 in comments
    /// replaced by spaces (as many as their bytes, so lines, columns and the values' offsets
    /// stay), and long float literals shortened (`literals.shortened`, `literals` read from `text`).
    static func prepared(_ text: String, _ literals: TOMLFloatLiterals) throws(PolicyError) -> String {
        let breaks = try scan(text)
        var b = Array(text.utf8)
        for i in breaks {
            for k in i..<(i + (b[i] == 0xC2 ? 2 : 3)) { b[k] = ASCII.space }
        }
        return literals.shortened(b)
    }

    static func check(_ text: String) throws(PolicyError) {
        _ = try scan(text)
    }

    /// Refuses the shapes above; returns where U+0085, U+2028 and U+2029 start in comments
    /// (byte offsets into the UTF-8).
    private static func scan(_ text: String) throws(PolicyError) -> [Int] {
        let b = Array(text.utf8)
        var inComments: [Int] = []
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var depth = 0
        var lineStart = true
        /// The last byte outside strings, comments and white space.
        var previous: UInt8 = 0
        func fail(_ what: String) -> PolicyError {
            PolicyError(key: nil, message: "not valid TOML: line \(line): \(what)")
        }
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func isKeyStart(_ c: UInt8) -> Bool {
            Syntax.isDigit(c) || Syntax.isUpper(c) || Syntax.isLower(c)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")
        }
        /// Skips a string opened at `i` by `quote`; escapes only in basic strings.
        func skipString(_ quote: UInt8) {
            let multi = i + 2 < b.count && b[i + 1] == quote && b[i + 2] == quote
            i += multi ? 3 : 1
            while i < b.count {
                let c = b[i]
                if c == ASCII.lf {
                    // An unterminated one-line string ends at its line's end, which the caller counts
                    // (it was counted twice).
                    if !multi { return }
                    line += 1
                }
                if c == UInt8(ascii: "\\") && quote == ASCII.quote {
                    // A line-ending backslash: in a multi-line string the line it ends counts (error
                    // lines were one short); a one-line string ends there.
                    if i + 1 < b.count && b[i + 1] == ASCII.lf {
                        if !multi { i += 1; return }
                        line += 1
                    }
                    i += 2
                    continue
                }
                if c == quote && (!multi || (i + 2 < b.count && b[i + 1] == quote && b[i + 2] == quote)) {
                    i += multi ? 3 : 1
                    // Up to two more quotes belong to a multi-line string's content: '''a'''' is "a'"
                    // (the last quote opened a string that swallowed a comment, a review, session 21).
                    if multi {
                        var extra = 0
                        while extra < 2 && i < b.count && b[i] == quote { i += 1; extra += 1 }
                    }
                    return
                }
                i += 1
            }
        }
        while i < b.count {
            let c = b[i]
            if c == ASCII.lf { line += 1; lineStart = true; i += 1; continue }
            if isBlank(c) || c == ASCII.cr { i += 1; continue }
            if c == UInt8(ascii: "#") {
                while i < b.count && b[i] != ASCII.lf {
                    if isOddLineBreak(b, i) { inComments.append(i) }
                    i += 1
                }
                continue
            }
            if isOddLineBreak(b, i) { throw fail("U+0085, U+2028 or U+2029 outside a string and a comment") }
            defer { lineStart = false }
            if c == ASCII.quote || c == UInt8(ascii: "'") {
                skipString(c)
                previous = c
                continue
            }
            if c == UInt8(ascii: "[") && lineStart && depth == 0 {
                // A table header: `[` or `[[` (contiguous), blanks, then a key, `]`, or the end of the text.
                var k = i + 1
                if k < b.count && b[k] == UInt8(ascii: "[") { k += 1 }
                while k < b.count && isBlank(b[k]) { k += 1 }
                if k < b.count && b[k] != UInt8(ascii: "]") && !isKeyStart(b[k]) {
                    throw fail("a table header has no key after '['")
                }
                // The header's own brackets do not nest: skip to its key.
                i = k
                previous = UInt8(ascii: "[")
                continue
            }
            if Syntax.isDigit(c), i == 0 || isValueEnd(b[i - 1]) || b[i - 1] == UInt8(ascii: "=")
                || b[i - 1] == UInt8(ascii: "[") || b[i - 1] == UInt8(ascii: "{") {
                if isDateThenOneDigit(b, i) { throw fail("a date followed by a one-digit time") }
                if isDateThenTWithoutTime(b, i) { throw fail("a date and 'T' with no time after them") }
            }
            switch c {
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"): depth = max(0, depth - 1)
            case UInt8(ascii: "}"):
                if previous == UInt8(ascii: "[") || previous == UInt8(ascii: ",") {
                    throw fail("'}' where a value is expected")
                }
                depth = max(0, depth - 1)
            default: break
            }
            previous = c
            i += 1
        }
        // Last, so that a shape toml++ breaks on before it is named first (a fuzzer's reproducer
        // of `[[[}` has NULs after it).
        if let nul = b.firstIndex(of: 0) {
            line = 1 + b[..<nul].count(where: { $0 == ASCII.lf })
            throw fail("a NUL character (U+0000), which TOML allows nowhere")
        }
        return inComments
    }
}
