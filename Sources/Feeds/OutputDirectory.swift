import Foundation
import Matching

/// Writes the files of MATCHING.md section 7 (and `rejections.csv`) into a
/// directory, each through a temporary file renamed into place, so a reader
/// never sees half a file.
public struct OutputDirectory: Sendable {
    public let url: URL

    /// Creates the directory (and its parents) when missing.
    public init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the directory, atomically.
    public func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name), options: .atomic)
    }

    /// The section 7 files of `result`; `candidates.csv` only when asked.
    /// Returns the names written, in order.
    @discardableResult
    public func writeRun(_ result: MatchingResult, policySHA256: String, inputSHA256: String,
                         candidates: Bool) throws -> [String] {
        var names: [String] = []
        func put(_ name: String, _ text: String) throws { try write(name, text); names.append(name) }
        try put("matches.csv", OutputFiles.matchesCSV(result))
        if candidates { try put("candidates.csv", OutputFiles.candidatesCSV(result)) }
        try put("exclusions.csv", OutputFiles.exclusionsCSV(result))
        try put("summary.json", OutputFiles.summaryJSON(result, policySHA256: policySHA256, inputSHA256: inputSHA256))
        return names
    }
}
