import Foundation
import Matching

/// Writes the files of MATCHING.md section 7 (and `rejections.csv`) into a
/// directory, each through a temporary file renamed into place, so a reader
/// never sees half a file.
public struct OutputDirectory: Sendable {
    public let url: URL

    /// Why a file or the directory could not be written, in words (Foundation's errors read
    /// `NSCocoaErrorDomain Code=512 "(null)"` on Linux).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Creates the directory (and its parents) when missing.
    public init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Failure(description: "\(path) exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create the directory \(path) (\(OutputDirectory.reason(url)))")
        }
    }

    /// Writes `text` to `name` in the directory, atomically.
    public func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes `bytes` to `name` in the directory, atomically.
    public func write(_ name: String, bytes: [UInt8]) throws {
        let file = url.appendingPathComponent(name)
        do {
            try Data(bytes).write(to: file, options: .atomic)
        } catch {
            var isDirectory: ObjCBool = false
            let why = FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) && isDirectory.boolValue
                ? "a directory has that name" : OutputDirectory.reason(url)
            throw Failure(description: "cannot write \(file.path) (\(why))")
        }
    }

    /// What stands in the way of writing into `dir`: a file on its path, or the permissions.
    private static func reason(_ dir: URL) -> String {
        var ancestor = dir
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            ancestor.deleteLastPathComponent()
        }
        if !isDirectory.boolValue { return "\(ancestor.path) is a file, not a directory" }
        return access(ancestor.path, W_OK | X_OK) == 0 ? "the file system refused it" : "no permission to write into \(ancestor.path)"
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
