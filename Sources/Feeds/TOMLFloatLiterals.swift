import Matching

/// The float literals of a policy file as written, for MATCHING.md section 8's "numbers are
/// taken as the decimal written": TOMLKit hands over a `Double`, which holds 15 to 17
/// significant digits, so `0.350000000000000000001` would read as 0.35.
///
/// A line scan, not a TOML parser: it finds `key = literal` lines at the top level and in a
/// `[weights]` table (bare and dotted keys, a trailing comment), and skips lines inside
/// multi-line strings. A key it finds twice, or not at all (an inline table, a quoted key),
/// gets no literal, and the reader falls back to the shortest decimal of the `Double`, which
/// is the same value for any literal of up to 15 significant digits. TOMLKit has read and
/// validated the file first; a literal is used only when its own nearest `Double` is the
/// value TOMLKit gave (`PolicyReader`).
struct TOMLFloatLiterals {
    private var literals: [String: Substring] = [:]
    private var ambiguous: Set<String> = []

    init(_ text: String) {
        var table: String? = ""              // nil: inside a table the scan does not follow
        var inMultiline = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let quotes = TOMLFloatLiterals.count(#"""""#, in: line) + TOMLFloatLiterals.count("'''", in: line)
            if inMultiline || quotes > 0 {
                if quotes % 2 == 1 { inMultiline.toggle() }
                continue
            }
            let body = line.drop { $0 == " " || $0 == "\t" }
            if body.hasPrefix("[") {
                table = TOMLFloatLiterals.header(body)
                continue
            }
            guard let table, let (key, literal) = TOMLFloatLiterals.assignment(body) else { continue }
            let full = table + key
            if literals[full] != nil { ambiguous.insert(full) }
            literals[full] = literal
        }
    }

    /// The literal written for `key` (`min_fit`, `weights.skills`) as a decimal, when the scan
    /// found exactly one, it is a finite float, and its nearest `Double` is `parsed` (the value
    /// TOMLKit read for the key); nil otherwise.
    func decimal(_ key: String, parsed: Double) -> ExactDecimal? {
        guard !ambiguous.contains(key), var literal = literals[key] else { return nil }
        if literal.hasPrefix("+") { literal = literal.dropFirst() }
        let text = String(literal.filter { $0 != "_" })
        guard Double(text) == parsed else { return nil }
        return ExactDecimal(jsonNumber: Substring(text))
    }

    /// `weights.` for `[weights]`, nil for any other table header.
    private static func header(_ body: Substring) -> String? {
        guard !body.hasPrefix("[["), let close = body.firstIndex(of: "]") else { return nil }
        let name = body[body.index(after: body.startIndex)..<close].filter { $0 != " " && $0 != "\t" }
        let rest = body[body.index(after: close)...].drop { $0 == " " || $0 == "\t" }
        guard rest.isEmpty || rest.hasPrefix("#") else { return nil }
        return name == "weights" ? "weights." : nil
    }

    /// `key = literal` with a bare or dotted key and a number-shaped literal, then only a comment.
    private static func assignment(_ body: Substring) -> (String, Substring)? {
        guard let eq = body.firstIndex(of: "=") else { return nil }
        let parts = body[..<eq].split(separator: ".", omittingEmptySubsequences: false)
            .map { $0.filter { $0 != " " && $0 != "\t" } }
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isBareKeyCharacter) }) else { return nil }
        let value = body[body.index(after: eq)...].drop { $0 == " " || $0 == "\t" }
        let literal = value.prefix { $0.isASCII && ($0.isNumber || "+-._eE".contains($0)) }
        let rest = value[literal.endIndex...].drop { $0 == " " || $0 == "\t" }
        guard !literal.isEmpty, rest.isEmpty || rest.hasPrefix("#") else { return nil }
        return (parts.joined(separator: "."), literal)
    }

    private static func isBareKeyCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-")
    }

    private static func count(_ needle: String, in line: Substring) -> Int {
        var n = 0
        var rest = line[...]
        while let r = rest.range(of: needle) {
            n += 1
            rest = rest[r.upperBound...]
        }
        return n
    }
}
