import Feeds
import Foundation
import Store

/// The report formats of `labourmatch report` and the file each is written to by the run.
public enum ReportOutput: String, Sendable, CaseIterable {
    case html, md, csv, json

    /// The bytes of `report` in this format.
    public func render(_ report: AuditReport) -> [UInt8] {
        switch self {
        case .html: return ReportHTML.render(report)
        case .md: return ReportMarkdown.render(report)
        case .csv: return ReportCSV.render(report)
        case .json: return ReportJSON.render(report)
        }
    }

    /// `report.html`, `report.md`, ...
    public var fileName: String { "report.\(rawValue)" }
}

/// The report step's files: the section 7 files of a stored run and its audit
/// report as `report.html` and `report.md`.
public enum RunReport {
    /// The audit report formats the run writes beside its result files.
    public static let formats: [ReportOutput] = [.html, .md]

    /// The file written last: the SHA-256 of every other file, in `sha256sum`'s format.
    public static let checksumsFile = "SHA256SUMS"

    /// The stored run's files and its audit report, rendered (all the work: at 200,000
    /// workers, seconds), without `SHA256SUMS`.
    public static func render(_ data: RunData) -> [(name: String, bytes: [UInt8])] {
        var files: [(name: String, bytes: [UInt8])] = data.results.files.map { ($0.name, Array($0.text.utf8)) }
        let report = AuditReport(current: data)
        for format in formats { files.append((format.fileName, format.render(report))) }
        return files
    }

    /// Writes rendered `files` into `dir` (created when missing), each file atomically, then
    /// `SHA256SUMS`, which was removed first: while it is missing the set is incomplete (being
    /// written, or the step was interrupted); when it is there, every file it lists is complete
    /// (`sha256sum -c SHA256SUMS` checks them). Milliseconds; returns the number of files written.
    @discardableResult
    public static func write(_ files: [(name: String, bytes: [UInt8])], to dir: String) throws -> Int {
        let out = try OutputDirectory(path: dir)
        // Only the lease's holder writes here: another's temporary files are a dead runner's.
        out.removeStaleTemporaries(of: files.map(\.name) + [checksumsFile])
        try out.remove(checksumsFile)
        for file in files { try out.write(file.name, bytes: file.bytes) }
        try out.write(checksumsFile, checksums(files))
        return files.count + 1
    }

    /// `sha256sum` lines (`<hex>  <name>`) of `files`, sorted by the bytes of the name.
    static func checksums(_ files: [(name: String, bytes: [UInt8])]) -> String {
        files.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            .map { "\(RunInputs.sha256Hex(bytes: $0.bytes))  \($0.name)\n" }.joined()
    }
}
