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

    /// Writes `bytes` to `name` in the directory, atomically.
    public func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name), options: .atomic)
    }

    /// The section 7 files of `result`; `candidates.csv` only when asked.
    /// Returns the names written, in order. The files are rendered side by
    /// side (on every core), then written one after the other.
    @discardableResult
    public func writeRun(_ result: MatchingResult, policySHA256: String, inputSHA256: String,
                         candidates: Bool) throws -> [String] {
        let summary = OutputFiles.summaryJSON(result, policySHA256: policySHA256, inputSHA256: inputSHA256)
        var files: [(name: String, render: @Sendable () -> [UInt8])] = [
            ("matches.csv", { OutputFiles.matchesCSVBytes(result) }),
            ("exclusions.csv", { OutputFiles.exclusionsCSVBytes(result) }),
            ("summary.json", { Array(summary.utf8) }),
        ]
        if candidates { files.insert(("candidates.csv", { OutputFiles.candidatesCSVBytes(result) }), at: 1) }
        let rendered = ConcurrentSlots<[UInt8]>(count: files.count), renderers = files.map(\.render)
        DispatchQueue.concurrentPerform(iterations: renderers.count) { rendered.set($0, renderers[$0]()) }
        for (i, file) in files.enumerated() { try write(file.name, bytes: rendered.take(i)) }
        return files.map(\.name)
    }
}
