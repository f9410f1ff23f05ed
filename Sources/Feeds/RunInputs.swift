import Crypto
import Foundation
import Matching

/// The files one offline run reads (the six feeds, the WHO list, the policy).
public struct RunInputFiles: Sendable {
    public var employers: String
    public var recruiters: String
    public var vacancies: String
    public var workers: String
    public var minimumWages: String
    public var fxRates: String
    /// The WHO safeguards list; its edition is the first 4-digit year in its file name.
    public var whoList: String
    /// The policy TOML; nil for the defaults of MATCHING.md section 8.
    public var policy: String?

    public init(employers: String, recruiters: String, vacancies: String, workers: String,
                minimumWages: String, fxRates: String, whoList: String, policy: String? = nil) {
        self.employers = employers; self.recruiters = recruiters; self.vacancies = vacancies
        self.workers = workers; self.minimumWages = minimumWages; self.fxRates = fxRates
        self.whoList = whoList; self.policy = policy
    }
}

/// A rejected row of one of a run's input files, for `rejections.csv`.
public struct FileRejection: Sendable, Hashable {
    public var kind: FeedKind
    public var rejection: Rejection

    public init(kind: FeedKind, rejection: Rejection) {
        self.kind = kind; self.rejection = rejection
    }
}

/// Everything an offline run needs, parsed and validated.
public struct RunInputs: Sendable {
    public var input: MatchingInput
    public var policy: Policy
    public var rejections: [FileRejection]
    /// Data rows read per feed kind (`accepted + rejected`).
    public var dataRows: [FeedKind: Int]

    /// Rows of `kind` rejected.
    public func rejected(_ kind: FeedKind) -> Int { rejections.lazy.filter { $0.kind == kind }.count }

    /// Hex SHA-256 of the canonical policy text (`policy_sha256`).
    public var policySHA256: String { RunInputs.sha256Hex(policy.canonicalText) }
    /// Hex SHA-256 of the canonical input text (`input_sha256`, see README).
    public var inputSHA256: String { RunInputs.hex(SHA256.hash(data: input.fingerprintBytes)) }

    /// Lower-case hex SHA-256 of the UTF-8 bytes of `text`.
    public static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func sha256Hex(bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex of `bytes` (a digest): the project's one text form of a SHA-256.
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The WHO list edition a file name gives: its first four consecutive
    /// ASCII digits (as `[0-9]{4}` finds them), else `unknown` (MATCHING.md section 2).
    public static func whoListEdition(fileName path: String) -> String {
        let name = Array((path as NSString).lastPathComponent.utf8)
        var run = 0
        for (i, b) in name.enumerated() {
            run = (b >= 48 && b <= 57) ? run + 1 : 0
            if run == 4 { return String(decoding: name[(i - 3)...i], as: UTF8.self) }
        }
        return "unknown"
    }

    /// Reads every file; rows that break a rule are left out and listed in
    /// `rejections`. Throws `FeedFileError` or `PolicyError` for whole-file
    /// problems (the run must not go on).
    public static func read(_ files: RunInputFiles, codes: CodeLists) throws -> RunInputs {
        let policy = try files.policy.map { try PolicyReader.read(file: $0) } ?? .default
        var input = MatchingInput()
        var rejections: [FileRejection] = []
        var dataRows: [FeedKind: Int] = [:]

        func read(_ kind: FeedKind, _ path: String, employers: Set<String> = [], recruiters: Set<String> = [],
                  _ take: (FeedRecord) -> Void) throws {
            guard let format = FeedFormat(path: path) else {
                throw FeedFileError(file: path, problem: .unreadable(
                    "cannot tell the format from the file name (expected .csv, .ndjson or .jsonl)"))
            }
            let reader = FeedReader(kind: kind, format: format, codes: codes,
                                    knownEmployer: { employers.contains($0) },
                                    knownRecruiter: { recruiters.contains($0) })
            let counts = try reader.read(path: path) { row in
                switch row {
                case .accepted(_, let record, _): take(record)
                case .rejected(let r): rejections.append(FileRejection(kind: kind, rejection: r))
                }
            }
            dataRows[kind] = counts.dataRows
        }

        try read(.employers, files.employers) { if case .employer(let e) = $0 { input.employers.append(e) } }
        try read(.recruiters, files.recruiters) { if case .recruiter(let r) = $0 { input.recruiters.append(r) } }
        let employerIds = Set(input.employers.map(\.id))
        let recruiterIds = Set(input.recruiters.map(\.id))
        try read(.vacancies, files.vacancies, employers: employerIds, recruiters: recruiterIds) {
            if case .vacancy(let v) = $0 { input.vacancies.append(v) }
        }
        try read(.workers, files.workers, recruiters: recruiterIds) {
            if case .worker(let w) = $0 { input.workers.append(w) }
        }
        try read(.minimumWages, files.minimumWages) { if case .minimumWage(let m) = $0 { input.minimumWages.append(m) } }
        try read(.fxRates, files.fxRates) { if case .fxRate(let f) = $0 { input.fxRates.append(f) } }
        try read(.whoList, files.whoList) { if case .whoEntry(let w) = $0 { input.whoList.append(w) } }
        // As `load who-list` does: a country whose row was rejected would be left out of the
        // list, and its safeguard lifted without a word (FEEDS.md's rejections.csv has no
        // `file` value for the list).
        let whoRejected = rejections.filter { $0.kind == .whoList }.map(\.rejection).sorted { $0.line < $1.line }
        if !whoRejected.isEmpty {
            throw FeedFileError(file: files.whoList, problem: .whoRowsRejected(
                rejected: whoRejected.count, first: whoRejected.prefix(5).map {
                    FeedFileError.rejectedRow(line: $0.line, field: $0.field, reason: $0.reason.rawValue, detail: $0.detail)
                }))
        }
        input.whoListEdition = whoListEdition(fileName: files.whoList)
        return RunInputs(input: input, policy: policy, rejections: rejections, dataRows: dataRows)
    }

    /// `rejections.csv`: `file,line,field,reason,raw`, sorted by the bytes of
    /// `file`, then by `line`; a header alone when nothing was rejected.
    public static func rejectionsCSV(_ rejections: [FileRejection]) -> String {
        let sorted = rejections.sorted { a, b in
            if a.kind.rawValue != b.kind.rawValue {
                return a.kind.rawValue.utf8.lexicographicallyPrecedes(b.kind.rawValue.utf8)
            }
            return a.rejection.line < b.rejection.line
        }
        var out = "file,line,field,reason,raw\n"
        for r in sorted {
            let field = r.rejection.reason == .malformedRow ? "" : (r.rejection.field ?? "")
            out += "\(r.kind.rawValue),\(r.rejection.line),\(csvField(field)),\(r.rejection.reason.rawValue),"
            out += csvField(r.rejection.raw) + "\n"
        }
        return out
    }

    /// RFC 4180 quoting, only when the text needs it (comma, quote, CR or LF).
    public static func csvField(_ text: String) -> String {
        let needs = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needs else { return text }
        return "\"" + text.replacingScalar("\"", with: "\"\"") + "\""
    }
}
