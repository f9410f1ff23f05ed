import Foundation

/// Canonical, unambiguous text of a record's content: the basis of the input
/// fingerprint of a run and of the change detection of the feed loader.
///
/// Each field is written as `<utf8 length>:<text>;`, an absent field as `-;`,
/// so no value can be mistaken for a separator. List items whose order
/// carries no meaning are sorted by bytes; `preferred_destinations` keeps its
/// order. Booleans are `1`/`0`, decimals their shortest text (`2.50` is `2.5`).
public protocol CanonicalEncodable {
    /// The canonical text of the record's content (the key included).
    var canonicalText: String { get }
}

/// A record whose canonical text is built by a `CanonicalWriter`.
protocol CanonicalRecord: CanonicalEncodable {
    var canonicalWriter: CanonicalWriter { get }
}

/// Builds canonical text field by field, as UTF-8 bytes, with no `String` per
/// value (the feed loader hashes a million records through it).
public struct CanonicalWriter {
    private(set) var bytes: [UInt8] = []
    /// The items of the list being written, back to back, and where each is.
    private var items: [UInt8] = []
    private var itemRanges: [Range<Int>] = []

    public init(kind: String) {
        bytes.reserveCapacity(256)
        add(kind)
    }

    /// The canonical text built so far.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    private static let colon = UInt8(ascii: ":"), semicolon = UInt8(ascii: ";")

    /// One field, `<length>:<text>;`, where `text` appends the `length` bytes of its text.
    private mutating func field(length: Int, _ text: (inout [UInt8]) -> Void) {
        CanonicalWriter.appendDigits(length, to: &bytes)
        bytes.append(CanonicalWriter.colon)
        text(&bytes)
        bytes.append(CanonicalWriter.semicolon)
    }

    mutating func add(_ value: String?) {
        guard let value else { absent(); return }
        field(length: value.utf8.count) { $0.append(contentsOf: value.utf8) }
    }
    mutating func add(_ value: Bool) { add(value ? "1" : "0") }
    /// The digits of `String(value)`, written without making it.
    mutating func add(_ value: Int?) {
        guard let value else { absent(); return }
        field(length: CanonicalWriter.digitCount(value)) { CanonicalWriter.appendDigits(value, to: &$0) }
    }
    /// The digits of a count, as `add(_: Int?)` writes them for the counts that fit an `Int`.
    mutating func add(_ value: Count?) {
        guard let value else { absent(); return }
        guard let n = value.exactInt else { add(value.description); return }
        add(n)
    }
    /// `ExactDecimal.description`'s text, written without making it.
    mutating func add(_ value: ExactDecimal?) {
        guard let value else { absent(); return }
        guard let mantissa = value.smallMantissa else { add(value.description); return }
        var length = CanonicalWriter.digitCount(Int(mantissa))
        if value.scale > 0 {
            let whole = Int(mantissa.magnitude / UInt64(ExactDecimal.pow10(value.scale)))
            length = (mantissa < 0 ? 1 : 0) + CanonicalWriter.digitCount(whole) + 1 + value.scale
        }
        field(length: length) { value.appendText(to: &$0) }
    }

    /// `Day.description` (`YYYY-MM-DD`), written without making it for the years a feed can hold.
    mutating func add(_ value: Day?) {
        guard let value else { absent(); return }
        guard (0...9999).contains(value.year) else { add(value.description); return }
        field(length: 10) { bytes in
            func two(_ v: Int) { bytes.append(UInt8(v / 10) + 0x30); bytes.append(UInt8(v % 10) + 0x30) }
            two(value.year / 100); two(value.year % 100)
            bytes.append(UInt8(ascii: "-")); two(value.month)
            bytes.append(UInt8(ascii: "-")); two(value.day)
        }
    }


    private mutating func absent() {
        bytes.append(UInt8(ascii: "-")); bytes.append(CanonicalWriter.semicolon)
    }

    /// A list of items, each already canonical; sorted by bytes unless `ordered`.
    mutating func add(list items: [String], ordered: Bool = false) {
        add(list: items, ordered: ordered) { $0.text($1) }
    }

    /// A list of items, each written as bytes by `item`; sorted by bytes unless `ordered`.
    mutating func add<T>(list values: [T], ordered: Bool = false, _ item: (inout ItemWriter, T) -> Void) {
        add(values.count)
        guard !values.isEmpty else { return }
        var writer = ItemWriter(bytes: items)
        items = []
        writer.bytes.removeAll(keepingCapacity: true)
        var ranges = itemRanges
        itemRanges = []
        ranges.removeAll(keepingCapacity: true)
        for value in values {
            let start = writer.bytes.count
            item(&writer, value)
            ranges.append(start..<writer.bytes.count)
        }
        let all = writer.bytes
        if !ordered, ranges.count > 1 {
            ranges.sort { all[$0].lexicographicallyPrecedes(all[$1]) }
        }
        for r in ranges {
            field(length: r.count) { $0.append(contentsOf: all[r]) }
        }
        items = writer.bytes
        itemRanges = ranges
    }

    static func digitCount(_ value: Int) -> Int {
        var m = value.magnitude, n = value < 0 ? 2 : 1
        while m >= 10 { m /= 10; n += 1 }
        return n
    }

    /// The decimal digits of `value` (with `-` when negative), as `String(value)` writes them.
    static func appendDigits(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = value.magnitude, divisor: UInt = 1
        while m / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: m / divisor) + UInt8(ascii: "0"))
            m %= divisor
            divisor /= 10
        }
    }

    /// Writes the bytes of one list item.
    struct ItemWriter {
        var bytes: [UInt8]

        mutating func text(_ value: String) { bytes.append(contentsOf: value.utf8) }
        mutating func int(_ value: Int) { CanonicalWriter.appendDigits(value, to: &bytes) }
        mutating func decimal(_ value: ExactDecimal) { value.appendText(to: &bytes) }
        mutating func colon() { bytes.append(CanonicalWriter.colon) }
        mutating func byte(_ value: UInt8) { bytes.append(value) }
    }
}

extension Employer: CanonicalRecord {
    public var canonicalText: String { canonicalWriter.text }
    /// The UTF-8 bytes of `canonicalText`, without making the `String` (what the loader hashes).
    public var canonicalBytes: [UInt8] { canonicalWriter.bytes }

    var canonicalWriter: CanonicalWriter {
        var w = CanonicalWriter(kind: "employer")
        w.add(id); w.add(name); w.add(country); w.add(sector); w.add(irisCertified); w.add(blocklisted)
        return w
    }
}

extension Recruiter: CanonicalRecord {
    public var canonicalText: String { canonicalWriter.text }
    /// The UTF-8 bytes of `canonicalText`, without making the `String` (what the loader hashes).
    public var canonicalBytes: [UInt8] { canonicalWriter.bytes }

    var canonicalWriter: CanonicalWriter {
        var w = CanonicalWriter(kind: "recruiter")
        w.add(id); w.add(name); w.add(licenseCountry); w.add(licenseNumber); w.add(licenseExpires)
        w.add(irisCertified); w.add(blocklisted)
        return w
    }
}

extension Vacancy: CanonicalRecord {
    public var canonicalText: String { canonicalWriter.text }
    /// The UTF-8 bytes of `canonicalText`, without making the `String` (what the loader hashes).
    public var canonicalBytes: [UInt8] { canonicalWriter.bytes }

    var canonicalWriter: CanonicalWriter {
        var w = CanonicalWriter(kind: "vacancy")
        w.add(id); w.add(employerId); w.add(recruiterId); w.add(isco); w.add(title)
        w.add(destinationCountry); w.add(openings)
        // Items `code:min_level:E|O` and `code:level`.
        w.add(list: requiredSkills) { i, s in
            i.text(s.code); i.colon(); i.int(s.minLevel); i.colon(); i.byte(UInt8(ascii: s.essential ? "E" : "O"))
        }
        w.add(list: requiredLanguages) { i, l in i.text(l.code); i.colon(); i.text(l.level.description) }
        w.add(minEducation); w.add(minExperienceYears); w.add(monthlyWage); w.add(currency)
        w.add(hoursPerWeek); w.add(contractMonths); w.add(list: contractLanguages)
        w.add(workerFee); w.add(passportRetention); w.add(g2gAgreement); w.add(startDate); w.add(expiresOn)
        return w
    }
}

extension Worker: CanonicalRecord {
    public var canonicalText: String { canonicalWriter.text }
    /// The UTF-8 bytes of `canonicalText`, without making the `String` (what the loader hashes).
    public var canonicalBytes: [UInt8] { canonicalWriter.bytes }

    var canonicalWriter: CanonicalWriter {
        var w = CanonicalWriter(kind: "worker")
        w.add(id); w.add(originCountry); w.add(birthYear); w.add(gender?.rawValue); w.add(educationLevel)
        // Items `isco:years`, `code:level`, `code:level`.
        w.add(list: occupations) { i, o in i.text(o.isco); i.colon(); i.decimal(o.years) }
        w.add(list: skills) { i, s in i.text(s.code); i.colon(); i.int(s.level) }
        w.add(list: languages) { i, l in i.text(l.code); i.colon(); i.text(l.level.description) }
        w.add(list: preferredDestinations, ordered: true)
        w.add(minMonthlyWageUSD); w.add(availableFrom); w.add(consent); w.add(recruiterId)
        return w
    }
}

extension MinimumWage: CanonicalRecord {
    public var canonicalText: String { canonicalWriter.text }
    /// The UTF-8 bytes of `canonicalText`, without making the `String` (what the loader hashes).
    public var canonicalBytes: [UInt8] { canonicalWriter.bytes }

    var canonicalWriter: CanonicalWriter {
        var w = CanonicalWriter(kind: "minimum_wage")
        w.add(country); w.add(monthlyAmount); w.add(currency)
        return w
    }
}

extension FXRate: CanonicalRecord {
    public var canonicalText: String { canonicalWriter.text }
    /// The UTF-8 bytes of `canonicalText`, without making the `String` (what the loader hashes).
    public var canonicalBytes: [UInt8] { canonicalWriter.bytes }

    var canonicalWriter: CanonicalWriter {
        var w = CanonicalWriter(kind: "fx_rate")
        w.add(currency); w.add(usdPerUnit)
        return w
    }
}

extension WHOListEntry: CanonicalRecord {
    public var canonicalText: String { canonicalWriter.text }
    /// The UTF-8 bytes of `canonicalText`, without making the `String` (what the loader hashes).
    public var canonicalBytes: [UInt8] { canonicalWriter.bytes }

    var canonicalWriter: CanonicalWriter {
        var w = CanonicalWriter(kind: "who_list")
        w.add(country); w.add(name); w.add(whoRegion)
        return w
    }
}

extension MatchingInput {
    /// The text whose SHA-256 is `input_sha256`: every accepted row of every
    /// input (taking part or not) and the WHO list with its edition, each
    /// section's records sorted by bytes so row order never matters.
    public var fingerprintText: String { String(decoding: fingerprintBytes, as: UTF8.self) }

    /// The UTF-8 bytes of `fingerprintText`, built on every core (the records'
    /// canonical texts in chunks, then each section sorted).
    public var fingerprintBytes: [UInt8] {
        func texts<R: CanonicalRecord>(_ records: [R]) -> @Sendable (Range<Int>) -> [[UInt8]] where R: Sendable {
            { range in range.map { records[$0].canonicalWriter.bytes } }
        }
        let sections: [(name: String, count: Int, texts: @Sendable (Range<Int>) -> [[UInt8]])] = [
            ("employers", employers.count, texts(employers)), ("recruiters", recruiters.count, texts(recruiters)),
            ("vacancies", vacancies.count, texts(vacancies)), ("workers", workers.count, texts(workers)),
            ("minimum_wages", minimumWages.count, texts(minimumWages)), ("fx_rates", fxRates.count, texts(fxRates)),
            ("who_list", whoList.count, texts(whoList)),
        ]
        // Canonical texts, in chunks of records across all sections.
        var owner: [(section: Int, range: Range<Int>)] = []
        for (i, section) in sections.enumerated() {
            for lower in stride(from: 0, to: section.count, by: 4096) {
                owner.append((i, lower..<min(section.count, lower + 4096)))
            }
        }
        let texts = ConcurrentSlots<[[UInt8]]>(count: owner.count)
        let pieces = owner.map { (sections[$0.section].texts, $0.range) }
        DispatchQueue.concurrentPerform(iterations: pieces.count) { k in texts.set(k, pieces[k].0(pieces[k].1)) }
        var bySection = [[[UInt8]]](repeating: [], count: sections.count)
        for k in owner.indices { bySection[owner[k].section].append(contentsOf: texts.take(k)) }
        let sorted = ConcurrentSlots<[UInt8]>(count: sections.count), names = sections.map(\.name)
        let unsorted = bySection
        DispatchQueue.concurrentPerform(iterations: names.count) { i in
            var out = Array("\(names[i]) \(unsorted[i].count)\n".utf8)
            for t in unsorted[i].sorted(by: MatchingInput.bytesPrecede) {
                out.append(contentsOf: String(t.count).utf8)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: t)
                out.append(UInt8(ascii: "\n"))
            }
            sorted.set(i, out)
        }
        var out = Array("labourmatch-input-v1\n".utf8)
        for i in 0..<6 { out.append(contentsOf: sorted.take(i)) }
        out.append(contentsOf: "who_list_edition \(whoListEdition.utf8.count):\(whoListEdition)\n".utf8)
        out.append(contentsOf: sorted.take(6))
        return out
    }

    /// Byte order of two texts (a prefix first).
    static func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let n = min(a.count, b.count)
        let c = n == 0 ? 0 : a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) }
        }
        return c != 0 ? c < 0 : a.count < b.count
    }
}
