import Feeds
import Matching

/// Runs one fuzz input through the reader it names and checks what must hold
/// for any input: shared by the libFuzzer entry (Fuzz/) and the corpus tests,
/// so that the checked-in corpus replays exactly what the fuzzer ran.
///
/// Input layout: byte 0 picks the target (`targets`, modulo their number, or
/// of a family's), byte 1 the settings (bits 0-2: chunk size from
/// `chunkSizes`; bit 3: `smallLimits` instead of `InputLimits.standard`, so
/// that short inputs reach every limit), the rest is the file.
public enum FuzzHarness {
    /// One reader under test: a feed kind in a format, or the policy reader (`feed == nil`).
    public struct Target: Sendable, Hashable {
        public let feed: (kind: FeedKind, format: FeedFormat)?
        /// `csv-vacancies`, `ndjson-who_list`, `policy`: the prefix of corpus file names.
        public let name: String

        public static func == (a: Target, b: Target) -> Bool { a.name == b.name }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    /// Which targets byte 0 chooses from.
    public enum Family: String, Sendable, CaseIterable {
        case all, csv, ndjson, policy
    }

    /// CSV of every kind, then NDJSON of every kind, then the policy: byte 0 indexes this.
    public static let targets: [Target] =
        FeedFormat.allCases.flatMap { format in
            FeedKind.allCases.map { Target(feed: ($0, format), name: "\(format.rawValue)-\($0.rawValue)") }
        } + [Target(feed: nil, name: "policy")]

    /// Chunk sizes byte 1 chooses from: tiny ones put chunk ends inside BOMs, CRLFs, quotes and escapes.
    public static let chunkSizes = [1, 2, 3, 5, 8, 64, 4096, 1 << 16]

    /// Limits small enough for inputs of a few KiB to pass every one of them.
    public static let smallLimits = InputLimits(fileBytes: 3000, recordBytes: 200, fieldBytes: 24, listItems: 3,
                                                jsonDepth: 3, policyBytes: 300)

    /// What one input gave; `problems` lists every broken invariant (none expected).
    public struct Report: Sendable {
        public var target: Target
        public var chunkSize: Int
        public var limits: InputLimits
        /// Data rows read (0 for the policy or a file-level error).
        public var rows = 0
        /// The file-level error or policy error, if any.
        public var error: String?
        public var problems: [String] = []
    }

    /// The target byte 0 selects within `family`.
    public static func target(byte: UInt8, family: Family) -> Target {
        let pool: [Target]
        switch family {
        case .all: pool = targets
        case .csv: pool = targets.filter { $0.feed?.format == .csv }
        case .ndjson: pool = targets.filter { $0.feed?.format == .ndjson }
        case .policy: pool = targets.filter { $0.feed == nil }
        }
        return pool[Int(byte) % pool.count]
    }

    /// Runs `data` (layout above) and checks it.
    public static func run(_ data: [UInt8], family: Family = .all, codes: CodeLists = FuzzHarness.codes) -> Report {
        let target = target(byte: data.first ?? 0, family: family)
        let settings = data.count > 1 ? data[1] : 0
        let limits = settings & 0x08 != 0 ? smallLimits : .standard
        var report = Report(target: target, chunkSize: chunkSizes[Int(settings & 0x07)], limits: limits)
        let body = Array(data.dropFirst(2))
        guard let feed = target.feed else {
            checkPolicy(body, &report)
            return report
        }
        var reader = FeedReader(kind: feed.kind, format: feed.format, codes: codes,
                                knownEmployer: { $0.utf8.first == UInt8(ascii: "E") },
                                knownRecruiter: { $0.utf8.first == UInt8(ascii: "R") })
        reader.limits = limits
        reader.chunkSize = report.chunkSize
        let chunked = read(reader, body)
        reader.chunkSize = 1 << 16
        let whole = read(reader, body)
        // The chunking of the input must not change anything the reader says.
        if chunked != whole { report.problems.append("chunk size \(report.chunkSize) changed the result") }
        report.rows = whole.rows.count
        report.error = whole.error
        if whole.error == nil {
            let c = whole.counts
            if c.accepted + c.rejected != c.dataRows || c.dataRows != whole.rows.count {
                report.problems.append("counts \(c) do not add up to \(whole.rows.count) rows")
            }
        }
        for row in whole.rows { check(row, limits, &report) }
        return report
    }

    /// The code lists fuzzing uses: the system's when installed, else the fixtures' few codes.
    public static let codes: CodeLists = (try? CodeLists.system()) ?? CodeLists(
        countries: ["AE", "CA", "DE", "GB", "KE", "NP", "PH", "QA", "SA", "US"],
        currencies: ["AED", "CAD", "EUR", "GBP", "KES", "NPR", "PHP", "QAR", "SAR", "USD"],
        languages: ["ar", "de", "en", "fr", "ne", "sw", "tl"], version: "fuzz")

    private struct Outcome: Equatable {
        var rows: [FeedRow] = []
        var counts = FeedCounts()
        var error: String?
    }

    private static func read(_ reader: FeedReader, _ body: [UInt8]) -> Outcome {
        var out = Outcome()
        do {
            out.counts = try reader.read(bytes: body, name: "fuzz") { out.rows.append($0) }
        } catch {
            out.error = "\(error)"
        }
        return out
    }

    /// A row's text stays within the record limit (U+FFFD may stand for one invalid byte: 3 bytes).
    private static func check(_ row: FeedRow, _ limits: InputLimits, _ report: inout Report) {
        switch row {
        case .accepted(let line, _, let raw):
            if raw.bytes.count > limits.recordBytes { report.problems.append("line \(line): accepted raw over the limit") }
        case .rejected(let r):
            if r.raw.utf8.count > 3 * limits.recordBytes { report.problems.append("line \(r.line): rejected raw over the limit") }
            if (r.reason == .malformedRow) != (r.field == nil) {
                report.problems.append("line \(r.line): \(r.reason.rawValue) with field \(r.field ?? "nil")")
            }
        }
    }

    /// The policy reader must answer (a policy or an error), and the same twice.
    private static func checkPolicy(_ body: [UInt8], _ report: inout Report) {
        let text = String(decoding: body, as: UTF8.self)
        func once() -> String {
            do {
                return "\(try PolicyReader.read(text: text, limits: report.limits))"
            } catch {
                report.error = error.description
                return error.description
            }
        }
        if once() != once() { report.problems.append("the policy reader answered two ways") }
    }
}
