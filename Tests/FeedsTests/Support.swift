import Foundation
import Matching
import Testing
@testable import Feeds

/// Small code lists, so that tests do not depend on the installed iso-codes version.
let testCodes = CodeLists(countries: ["PH", "DE", "CA", "AE", "US", "KE", "NP", "GB"],
                          currencies: ["USD", "EUR", "PHP", "CAD", "AED", "GBP"],
                          languages: ["en", "de", "ar", "fr", "tl"], version: "test")

/// What one read of a feed gave: the rows in order, the counts, or the whole-file error.
struct ReadOutcome {
    var rows: [FeedRow] = []
    var counts = FeedCounts()

    var rejections: [Rejection] {
        rows.compactMap { if case .rejected(let r) = $0 { return r } else { return nil } }
    }
    var accepted: [(line: Int, record: FeedRecord, raw: String)] {
        rows.compactMap { if case .accepted(let l, let rec, let raw) = $0 { return (l, rec, raw.text) } else { return nil } }
    }
    /// `line:REASON:field` of every rejection, for compact expectations.
    var summary: [String] { rejections.map { "\($0.line):\($0.reason.rawValue):\($0.field ?? "")" } }
}

/// A fresh directory under the system's temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("feeds-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `bytes` to a temporary file and reads it back as `kind`, from the file
/// and from memory in tiny chunks; the chunked reads must agree with the file
/// read (chunk boundaries fall inside BOMs, CRLFs and quotes).
func readFeed(_ kind: FeedKind, _ format: FeedFormat, _ bytes: [UInt8],
              employers: Set<String> = ["E1", "E2"], recruiters: Set<String> = ["R1", "R2"],
              limits: InputLimits = .standard,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> ReadOutcome {
    var reader = FeedReader(kind: kind, format: format, codes: testCodes,
                            knownEmployer: { employers.contains($0) },
                            knownRecruiter: { recruiters.contains($0) })
    reader.limits = limits
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("feed.\(format.rawValue)")
    try Data(bytes).write(to: file)
    var outcome = ReadOutcome()
    outcome.counts = try reader.read(path: file.path) { outcome.rows.append($0) }
    for size in [1, 2, 3, 7] {
        reader.chunkSize = size
        var rows: [FeedRow] = []
        let counts = try reader.read(bytes: bytes, name: "memory") { rows.append($0) }
        #expect(rows == outcome.rows, "chunk size \(size)", sourceLocation: sourceLocation)
        #expect(counts == outcome.counts, sourceLocation: sourceLocation)
    }
    // The invariant of FEEDS.md: nothing dropped, nothing counted twice.
    #expect(outcome.counts.accepted + outcome.counts.rejected == outcome.counts.dataRows, sourceLocation: sourceLocation)
    #expect(outcome.counts.dataRows == outcome.rows.count, sourceLocation: sourceLocation)
    return outcome
}

func readFeed(_ kind: FeedKind, _ format: FeedFormat, _ text: String,
              employers: Set<String> = ["E1", "E2"], recruiters: Set<String> = ["R1", "R2"],
              limits: InputLimits = .standard,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> ReadOutcome {
    try readFeed(kind, format, Array(text.utf8), employers: employers, recruiters: recruiters, limits: limits,
                 sourceLocation: sourceLocation)
}

/// The whole-file error a read throws, or nil.
func fileError(_ kind: FeedKind, _ format: FeedFormat, _ bytes: [UInt8], limits: InputLimits = .standard) -> FeedFileError? {
    var reader = FeedReader(kind: kind, format: format, codes: testCodes)
    reader.limits = limits
    do {
        _ = try reader.readAll(bytes: bytes, name: "feed")
        return nil
    } catch let error as FeedFileError {
        return error
    } catch {
        return nil
    }
}

func fileError(_ kind: FeedKind, _ format: FeedFormat, _ text: String, limits: InputLimits = .standard) -> FeedFileError? {
    fileError(kind, format, Array(text.utf8), limits: limits)
}

/// A vacancy header and a valid row to vary.
let vacancyHeader = "vacancy_id,employer_id,recruiter_id,isco_code,title,destination_country,openings,monthly_wage,currency,hours_per_week"
func vacancyRow(_ id: String = "V1", employer: String = "E1", recruiter: String = "", isco: String = "2221",
                title: String = "Nurse", openings: String = "3", wage: String = "2500") -> String {
    "\(id),\(employer),\(recruiter),\(isco),\(title),DE,\(openings),\(wage),EUR,40"
}

/// A valid NDJSON vacancy with some fields replaced (JSON fragments, written as is).
func vacancyJSON(_ changes: [(String, String?)] = []) -> String {
    var fields: [(String, String)] = [
        ("vacancy_id", "\"V1\""), ("employer_id", "\"E1\""), ("isco_code", "\"2221\""), ("title", "\"Nurse\""),
        ("destination_country", "\"DE\""), ("openings", "3"), ("monthly_wage", "2500"),
        ("currency", "\"EUR\""), ("hours_per_week", "40"),
    ]
    for (key, value) in changes {
        if let i = fields.firstIndex(where: { $0.0 == key }) {
            if let value { fields[i].1 = value } else { fields.remove(at: i) }
        } else if let value {
            fields.append((key, value))
        }
    }
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

extension FeedRecord {
    var vacancy: Vacancy? { if case .vacancy(let v) = self { return v } else { return nil } }
    var worker: Worker? { if case .worker(let w) = self { return w } else { return nil } }
}
