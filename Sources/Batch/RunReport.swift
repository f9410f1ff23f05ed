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

    /// Writes the stored run's files and its audit report into `dir` (created when
    /// missing), each file atomically; returns the number of files written.
    @discardableResult
    public static func write(_ data: RunData, to dir: String) throws -> Int {
        let out = try OutputDirectory(path: dir)
        for file in data.results.files { try out.write(file.name, file.text) }
        let report = AuditReport(current: data)
        for format in formats {
            try out.write(format.fileName, bytes: format.render(report))
        }
        return data.results.files.count + formats.count
    }
}
