import Matching

/// One field's value as a row gives it, before it is checked.
enum Cell {
    /// An empty CSV cell; NDJSON `null`, `""`, `[]` or a missing key.
    case absent
    /// A CSV cell or a part of a CSV list item, as written.
    case text(String)
    /// An NDJSON value (strings included), as written.
    case json(JSONValue)

    /// An NDJSON value, with `null`, `""` and `[]` read as absent.
    init(json value: JSONValue?) {
        switch value {
        case nil, .null?: self = .absent
        case .string(let s)? where s.utf8.isEmpty: self = .absent
        case .array(let items)? where items.isEmpty: self = .absent
        case let v?: self = .json(v)
        }
    }

    /// For messages.
    var shown: String {
        switch self {
        case .absent: return "an empty value"
        case .text(let s): return "'\(Cell.cut(s))'"
        case .json(.string(let s)): return "'\(Cell.cut(s))'"
        case .json(.number(let n)): return "the JSON number \(Cell.cut(n))"
        case .json(let v): return v.shown
        }
    }

    /// A long value cut for a message (the raw row keeps it whole): its first 60 characters
    /// and how many there are.
    static func cut(_ s: String) -> String {
        let n = s.count
        return n <= 100 ? s : "\(s.prefix(60))... (\(n) characters)"
    }

    /// A number written within the formats (CSV `-?[0-9]+(\.[0-9]+)?`, any JSON number) that
    /// is past what a decimal or count holds: 1,000 digits each side of the point.
    var isNumberPastDigitLimits: Bool {
        switch self {
        case .text(let s):
            return Syntax.isDecimal(s) && ExactDecimal(exactly: s) == nil
        case .json(.number(let s)):
            return ExactDecimal(jsonNumber: Substring(s)) == nil
        default:
            return false
        }
    }

    /// The size of a scalar value as written (a CSV cell, a JSON string or number); nil for others.
    var valueBytes: Int? {
        switch self {
        case .text(let s), .json(.string(let s)), .json(.number(let s)): return s.utf8.count
        default: return nil
        }
    }

    /// The items a list field would have: `;`-separated in CSV, array elements in NDJSON.
    var listItems: Int? {
        switch self {
        case .text(let s): return s.utf8.reduce(1) { $1 == 0x3B ? $0 + 1 : $0 }
        case .json(.array(let items)): return items.count
        default: return nil
        }
    }

    /// Whether this NDJSON scalar, refused by `type`, would pass as the same text in a CSV
    /// cell (`"3"` for an integer, `1` or `"true"` for a boolean, `true` for text): its JSON
    /// type is what is wrong, which the usual "'true' is not a boolean" does not say.
    func hasOnlyTheWrongJSONType<T>(for type: ValueType<T>) -> Bool {
        guard !type.isList else { return false }   // a list's right JSON type is an array, not said below
        switch self {
        case .json(.string(let s)), .json(.number(let s)): return type.parse(.text(s)) != nil
        case .json(.bool(let b)): return type.parse(.text(b ? "true" : "false")) != nil
        default: return false
        }
    }

    /// The text of a CSV cell or of a JSON string; nil for other JSON types.
    var string: String? {
        switch self {
        case .text(let s), .json(.string(let s)): return s
        default: return nil
        }
    }
}

/// A kind of field value: how to read it from a cell, and what it should look like.
struct ValueType<T>: Sendable {
    /// Completes "... is not ___" in a rejection's detail.
    let expected: String
    /// Whether values are lists (`InputLimits.listItems` applies).
    var isList = false
    let parse: @Sendable (Cell) -> T?
    /// For a list that `parse` refused: which item, which part and why, or which code repeats
    /// (a list's detail named none, so an operator could not tell which of five items failed).
    var explain: (@Sendable (Cell) -> String?)?

    init(expected: String, isList: Bool = false, parse: @escaping @Sendable (Cell) -> T?) {
        self.expected = expected
        self.isList = isList
        self.parse = parse
    }

    /// `expected` for this cell: a JSON array has no `;` between its items.
    func expected(for cell: Cell) -> String {
        guard isList, case .json = cell else { return expected }
        return expected.replacingOccurrences(of: ", separated by ';'", with: "")
    }

    /// The same cells, with a further condition on the value.
    func `where`(_ expected: String, _ ok: @escaping @Sendable (T) -> Bool) -> ValueType<T> {
        let parse = self.parse
        return ValueType(expected: expected, isList: isList) { cell in parse(cell).flatMap { ok($0) ? $0 : nil } }
    }
}

/// Byte-level checks of the formats of FEEDS.md; no locale, no Unicode equivalence.
enum Syntax {
    /// `-?[0-9]+(\.[0-9]+)?`.
    static func isDecimal(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        if u.first == 0x2D { u = u.dropFirst() }
        let whole = u.prefix(while: isDigit)
        guard !whole.isEmpty else { return false }
        u = u.dropFirst(whole.count)
        if u.isEmpty { return true }
        guard u.first == 0x2E else { return false }
        u = u.dropFirst()
        return !u.isEmpty && u.allSatisfy(isDigit)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }

    /// `[A-Za-z0-9._-]{1,64}`.
    static func isIdentifier(_ s: String) -> Bool {
        let u = s.utf8
        return (1...64).contains(u.count) && u.allSatisfy { isDigit($0) || isUpper($0) || isLower($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// `[a-z0-9][a-z0-9._-]{0,63}`.
    static func isSkillCode(_ s: String) -> Bool {
        let u = s.utf8
        guard (1...64).contains(u.count), let first = u.first, isLower(first) || isDigit(first) else { return false }
        return u.allSatisfy { isDigit($0) || isLower($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// Exactly `count` bytes, each passing `ok`.
    static func all(_ s: String, count: Int, _ ok: (UInt8) -> Bool) -> Bool {
        s.utf8.count == count && s.utf8.allSatisfy(ok)
    }

    /// `-?[0-9]+` as an `Int`; nil when the text does not match or overflows.
    static func integer(_ s: String) -> Int? {
        var u = s.utf8[...]
        let negative = u.first == 0x2D
        if negative { u = u.dropFirst() }
        guard !u.isEmpty else { return nil }
        var value = 0
        for b in u {
            guard isDigit(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int(b - 0x30)) : m.addingReportingOverflow(Int(b - 0x30))
            guard !o1, !o2 else { return nil }
            value = a
        }
        return value
    }
}

/// The value types of FEEDS.md, bound to the ISO code lists in use.
struct Values: Sendable {
    let country: ValueType<String>
    let currency: ValueType<String>
    let language: ValueType<String>
    /// `DE;CA`, `en;ar`, `code:level` (CEFR) lists.
    let countries: ValueType<[String]>
    let languages: ValueType<[String]>
    let languageLevels: ValueType<[LanguageLevel]>

    init(codes: CodeLists) {
        country = Values.code(codes.countries, count: 2, Syntax.isUpper, "an ISO 3166-1 alpha-2 country code")
        currency = Values.code(codes.currencies, count: 3, Syntax.isUpper, "an ISO 4217 currency code")
        language = Values.code(codes.languages, count: 2, Syntax.isLower, "an ISO 639-1 language code")
        countries = Values.list(of: country)
        languages = Values.list(of: language)
        languageLevels = Values.languageLevels(language)
    }

    /// A code of `count` ASCII letters passing `letter`, found in `set` (byte-exact: no
    /// Unicode equivalence can sneak a KELVIN SIGN in as `K`).
    private static func code(_ set: Set<String>, count: Int, _ letter: @escaping @Sendable (UInt8) -> Bool,
                             _ expected: String) -> ValueType<String> {
        guard let table = LetterCodeTable(set, count: count, letter) else {
            return ValueType(expected: expected) {
                $0.string.flatMap { Syntax.all($0, count: count, letter) && set.contains($0) ? $0 : nil }
            }
        }
        return ValueType(expected: expected) { $0.string.flatMap { table.contains($0) ? $0 : nil } }
    }

    static let identifier = ValueType<String>(expected: "an identifier ([A-Za-z0-9._-], 1 to 64 characters)") {
        $0.string.flatMap { Syntax.isIdentifier($0) ? $0 : nil }
    }
    /// Free text: anything not empty, as written.
    static let text = ValueType<String>(expected: "text") { $0.string }
    static let isco = ValueType<String>(expected: "an ISCO-08 unit group (4 digits)") {
        $0.string.flatMap { Syntax.all($0, count: 4, Syntax.isDigit) ? $0 : nil }
    }
    static let skillCode = ValueType<String>(expected: "a skill code ([a-z0-9][a-z0-9._-]{0,63})") {
        $0.string.flatMap { Syntax.isSkillCode($0) ? $0 : nil }
    }
    static let date = ValueType<Day>(expected: "a calendar day (YYYY-MM-DD)") { $0.string.flatMap { Day($0) } }
    static let gender = ValueType<Gender>(expected: "a gender (F, M or X)") {
        $0.string.flatMap { Syntax.all($0, count: 1, Syntax.isUpper) ? Gender(rawValue: $0) : nil }
    }
    static let cefr = ValueType<CEFR>(expected: "a CEFR level (A1 to C2)") {
        $0.string.flatMap { Syntax.all($0, count: 2) { $0 < 0x80 } ? CEFR(code: Substring($0)) : nil }
    }

    /// A CSV integer `-?[0-9]+`, or a JSON number with no fraction or exponent.
    static let integer = ValueType<Int>(expected: "an integer") { cell in
        switch cell {
        case .text(let s), .json(.number(let s)): return Syntax.integer(s)
        default: return nil
        }
    }

    /// `openings`, `contract_months`: an integer >= 1 of any size (FEEDS.md sets no upper
    /// bound): `-?[0-9]+` as for `integer`, then the range.
    static let positiveCount = ValueType<Count>(expected: "an integer >= 1") { cell in
        switch cell {
        case .text(let s), .json(.number(let s)):
            // A sign is valid syntax but never >= 1 (`-0` neither).
            return Count(s).flatMap { $0 >= 1 ? $0 : nil }
        default: return nil
        }
    }

    /// `birth_year`: four digits, the first not 0 (so 1000...9999, written plainly).
    static let birthYear = ValueType<Int>(expected: "a year of 4 digits") { cell in
        switch cell {
        case .text(let s), .json(.number(let s)):
            let u = Array(s.utf8)
            return u.count == 4 && u.allSatisfy(Syntax.isDigit) && u[0] != 0x30 ? Syntax.integer(s) : nil
        default: return nil
        }
    }

    /// A CSV decimal `-?[0-9]+(\.[0-9]+)?`, or any JSON number, exactly.
    static let decimal = ValueType<ExactDecimal>(expected: "a decimal number") { cell in
        switch cell {
        case .text(let s): return ExactDecimal(exactly: s)
        case .json(.number(let s)): return ExactDecimal(jsonNumber: Substring(s))
        default: return nil
        }
    }

    /// CSV `true`/`false` (ASCII case ignored) or `1`/`0`; JSON `true`/`false`.
    static let boolean = ValueType<Bool>(expected: "a boolean (true, false, 1 or 0)") { cell in
        switch cell {
        case .text(let s):
            // ASCII case ignored: compare with the lower-case words byte by byte.
            func isWord(_ word: StaticString) -> Bool {
                s.utf8.count == word.utf8CodeUnitCount
                    && zip(s.utf8, UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
                        .allSatisfy { (Syntax.isUpper($0) ? $0 + 32 : $0) == $1 }
            }
            if isWord("true") || isWord("1") { return true }
            if isWord("false") || isWord("0") { return false }
            return nil
        case .json(.bool(let b)): return b
        default: return nil
        }
    }

    /// The essential flag of a required skill: CSV `E`/`O`; NDJSON `"essential": true/false`.
    static let essential = ValueType<Bool>(expected: "E or O (JSON true or false)") { cell in
        switch cell {
        case .text(let s) where sameBytes(s, "E"): return true
        case .text(let s) where sameBytes(s, "O"): return false
        case .json(.bool(let b)): return b
        default: return nil
        }
    }

    static let skillLevel = integer.where("a level from 1 to 4") { (1...4).contains($0) }
    static let education = integer.where("an ISCED level from 0 to 8") { (0...8).contains($0) }
    static let positiveDecimal = decimal.where("a decimal > 0") { $0.isPositive }
    static let nonNegativeDecimal = decimal.where("a decimal >= 0") { !$0.isNegative }
    static let wholeCents = nonNegativeDecimal.where("a decimal >= 0 in whole cents") { $0.scale <= 2 }
    /// USD is 1 by definition; a rates file may repeat that but not contradict it.
    static let usdRate = positiveDecimal.where("1 (the rate of USD)") { $0 == .one }

    /// A list whose items are single values (`DE;CA`; NDJSON `["DE","CA"]`), each at most once.
    static func list(of item: ValueType<String>) -> ValueType<[String]> {
        var list = ValueType<[String]>(expected: "a list of \(item.expected.dropArticle)s, separated by ';', each once",
                                       isList: true) { cell in
            listItems(cell, parts: nil).flatMap { items in
                unique(items.cells.compactMap(item.parse), count: items.count) { $0 }
            }
        }
        list.explain = { listProblem($0, parts: nil, checks: [PartCheck(item)]) }
        return list
    }

    /// One part of a list item: what it must be, and whether a cell is that.
    struct PartCheck: Sendable {
        let expected: String
        let accepts: @Sendable (Cell) -> Bool
        init<T>(_ type: ValueType<T>) {
            expected = type.expected
            let parse = type.parse
            accepts = { parse($0) != nil }
        }
    }

    /// Why a list cell is not a list of items with `parts` (nil: single values), each part
    /// passing its check and no code (the first part) twice: the first item that fails and
    /// how, or the two items with the same code; nil when no reason is found.
    static func listProblem(_ cell: Cell, parts: [String]?, checks: [PartCheck]) -> String? {
        guard let items = listItems(cell, parts: parts) else {
            guard case .text(let s) = cell else {
                return parts.map { "each item is a JSON object with the keys \($0.joined(separator: ", "))" }
            }
            for (i, item) in s.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
                let n = item.split(separator: ":", omittingEmptySubsequences: false).count
                guard let parts else {
                    if n > 1 { return "item \(i + 1) ('\(Cell.cut(String(item)))') holds a ':', which this list's items have not" }
                    continue
                }
                if n != parts.count {
                    return "item \(i + 1) ('\(Cell.cut(String(item)))') has \(n) part\(n == 1 ? "" : "s"), not the "
                        + "\(parts.count) of \(parts.joined(separator: ":"))"
                }
            }
            return nil
        }
        for i in 0..<items.count {
            for (j, check) in checks.enumerated() where !check.accepts(items.cells[i * items.width + j]) {
                let c = items.cells[i * items.width + j]
                let part = parts.map { "its \($0[j]) " } ?? ""
                if case .absent = c { return "item \(i + 1): " + (part.isEmpty ? "it is empty" : "\(part)is missing") }
                return "item \(i + 1): \(part)\(c.shown) is not \(check.expected)"
            }
        }
        var seen: [String: Int] = [:]
        for i in 0..<items.count {
            let code = items.cells[i * items.width].shown
            if let first = seen[code] { return "items \(first + 1) and \(i + 1) have the same code \(code)" }
            seen[code] = i
        }
        return nil
    }

    /// A list whose items have named parts (`code:level`; NDJSON `[{"code":..,"level":..}]`),
    /// each code at most once.
    static func list<Item>(_ expected: String, parts: [String], checks: [PartCheck], code: @escaping @Sendable (Item) -> String,
                           item: @escaping @Sendable (ItemParts) -> Item?) -> ValueType<[Item]> {
        var list = ValueType<[Item]>(expected: "a list of \(expected) items, separated by ';', each code once", isList: true) { cell in
            listItems(cell, parts: parts).flatMap { items in
                var parsed: [Item] = []
                parsed.reserveCapacity(items.count)
                for i in 0..<items.count {
                    guard let one = item(items.item(i)) else { return nil }
                    parsed.append(one)
                }
                return unique(parsed, count: items.count, code)
            }
        }
        list.explain = { listProblem($0, parts: parts, checks: checks) }
        return list
    }

    /// The part cells of every item of a list, back to back, `width` per item: one array for
    /// the whole list (a list is read for every row of a feed).
    struct ListCells {
        let cells: [Cell]
        let width: Int
        var count: Int { cells.count / width }
        func item(_ i: Int) -> ItemParts { ItemParts(cells: cells[(i * width)..<((i + 1) * width)]) }
    }

    /// The part cells of one list item, in `parts` order: `p[0]`, `p[1]`, ...
    struct ItemParts {
        let cells: ArraySlice<Cell>
        subscript(_ i: Int) -> Cell { cells[cells.startIndex + i] }
    }

    /// The items of a list cell, each as its part cells in `parts` order; nil
    /// when an item has the wrong shape. `parts == nil`: single-value items.
    static func listItems(_ cell: Cell, parts: [String]?) -> ListCells? {
        let width = parts?.count ?? 1
        switch cell {
        case .text(var s):
            // `;` between items, `:` between parts, U+0020 around either ignored.
            return s.withUTF8 { u -> ListCells? in
                var out: [Cell] = []
                out.reserveCapacity(4 * width)   // most lists are short; the limit was checked already
                var partsOfItem = 0
                var start = 0
                for i in 0...u.count where i == u.count || u[i] == 0x3B || u[i] == 0x3A {
                    var a = start, b = i
                    while a < b && u[a] == ASCII.space { a += 1 }
                    while b > a && u[b - 1] == ASCII.space { b -= 1 }
                    out.append(a == b ? .absent : .text(String(decoding: UnsafeBufferPointer(rebasing: u[a..<b]), as: UTF8.self)))
                    partsOfItem += 1
                    start = i + 1
                    if i == u.count || u[i] == 0x3B {
                        guard partsOfItem == width else { return nil }
                        partsOfItem = 0
                    }
                }
                return ListCells(cells: out, width: width)
            }
        case .json(.array(let elements)):
            guard let parts else { return ListCells(cells: elements.map { Cell(json: $0) }, width: 1) }
            var out: [Cell] = []
            out.reserveCapacity(elements.count * width)
            for element in elements {
                guard case .object = element else { return nil }
                for part in parts { out.append(Cell(json: element.member(part))) }
            }
            return ListCells(cells: out, width: width)
        default:
            return nil
        }
    }

    /// `items` when every item parsed (`count` of them) and no code repeats.
    private static func unique<Item>(_ items: [Item], count: Int, _ code: (Item) -> String) -> [Item]? {
        guard items.count == count else { return nil }
        if items.count <= 16 {
            // Lists are short: comparing pairs is cheaper than hashing.
            for i in items.indices {
                let c = code(items[i])
                for j in 0..<i where code(items[j]) == c { return nil }
            }
        } else if Set(items.map(code)).count != items.count {
            return nil
        }
        return items
    }
}

extension String {
    /// "an ISO 4217 currency code" -> "ISO 4217 currency code".
    fileprivate var dropArticle: Substring {
        if hasPrefix("an ") { return dropFirst(3) }
        if hasPrefix("a ") { return dropFirst(2) }
        return Substring(self)
    }
}

/// The codes of a set that are `count` ASCII letters passing `letter`, as a table indexed by
/// the letters (base 26): a lookup without hashing, for the codes every row names.
/// Only for sets of ASCII codes, where it answers exactly as `Set.contains` does.
private struct LetterCodeTable: Sendable {
    let count: Int
    let letter: @Sendable (UInt8) -> Bool
    let base: UInt8
    let present: [Bool]

    init?(_ set: Set<String>, count: Int, _ letter: @escaping @Sendable (UInt8) -> Bool) {
        guard (1...3).contains(count), set.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return nil }
        // The class is upper- or lower-case letters: its first letter is the base.
        guard let base = (0x41...0x7A).first(where: { letter(UInt8($0)) }).map(UInt8.init),
              (0..<26).allSatisfy({ letter(base + UInt8($0)) }),
              (0...0xFF).filter({ letter(UInt8($0)) }).count == 26 else { return nil }
        self.count = count; self.letter = letter; self.base = base
        var present = [Bool](repeating: false, count: (0..<count).reduce(1) { size, _ in size * 26 })
        for code in set where Syntax.all(code, count: count, letter) {
            present[code.utf8.reduce(0) { $0 * 26 + Int($1 - base) }] = true
        }
        self.present = present
    }

    func contains(_ s: String) -> Bool {
        guard s.utf8.count == count else { return false }
        var index = 0
        for b in s.utf8 {
            guard letter(b) else { return false }
            index = index * 26 + Int(b - base)
        }
        return present[index]
    }
}
