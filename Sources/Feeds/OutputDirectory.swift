import Foundation
import Matching

/// Writes the files of MATCHING.md section 7 (and `rejections.csv`) into a
/// directory, each through a temporary file renamed into place, so a reader
/// never sees half a file.
public struct OutputDirectory: Sendable {
    public let url: URL

    /// Why a file or the directory could not be written, in words (Foundation's errors read
    /// `NSCocoaErrorDomain Code=512 "(null)"` on Linux). `isBadPath`: the path names a file, or
    /// a place this process may not write (bad usage); else the system failed (a full disk).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        public let isBadPath: Bool
    }

    /// Creates the directory (and its parents) when missing.
    public init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw Failure(description: "\(path) exists and is not a directory", isBadPath: true)
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            let (why, bad) = OutputDirectory.reason(url, error)
            throw Failure(description: "cannot create the directory \(path) (\(why))", isBadPath: bad)
        }
    }

    /// Writes `text` to `name` in the directory, atomically.
    public func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Array(text.utf8))
    }

    /// Removes `name` from the directory when it is there.
    public func remove(_ name: String) throws {
        let file = url.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        do {
            try FileManager.default.removeItem(at: file)
        } catch {
            let (why, bad) = OutputDirectory.reason(url, error)
            throw Failure(description: "cannot remove \(file.path) (\(why))", isBadPath: bad)
        }
    }

    /// Writes `bytes` to `name` in the directory, atomically.
    public func write(_ name: String, bytes: [UInt8]) throws {
        let file = url.appendingPathComponent(name)
        do {
            try Data(bytes).write(to: file, options: .atomic)
        } catch {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw Failure(description: "cannot write \(file.path) (a directory has that name)", isBadPath: true)
            }
            let (why, bad) = OutputDirectory.reason(url, error)
            throw Failure(description: "cannot write \(file.path) (\(why))", isBadPath: bad)
        }
    }

    /// Why `path` cannot be (or become) a directory this process writes into, without creating
    /// anything: the path or an ancestor is a file, or the nearest existing ancestor is not
    /// writable; nil when nothing stands in the way that can be seen beforehand.
    public static func obstacle(_ path: String) -> String? {
        let dir = URL(fileURLWithPath: path)
        var ancestor = dir
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            ancestor.deleteLastPathComponent()
        }
        if !isDirectory.boolValue {
            return ancestor.path == dir.path ? "\(path) exists and is not a directory"
                : "\(ancestor.path) is a file, not a directory"
        }
        return access(ancestor.path, W_OK | X_OK) == 0 ? nil : "no permission to write into \(ancestor.path)"
    }

    /// Why `path` cannot be a file this process writes whole by renaming a temporary file onto
    /// it (`report --out`, `load --rejections-out`), seen beforehand: no file name, a directory,
    /// a symbolic link or another file that is not regular (the rename would replace the link,
    /// `/dev/stdout` as root, or the device rather than write through it), or a directory this
    /// process cannot write into (`obstacle`); nil when none.
    public static func fileObstacle(_ path: String) -> String? {
        guard !path.isEmpty, !path.hasSuffix("/") else { return "give a file name" }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "is a directory; give a file name"
        }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            return "is a symbolic link or not a regular file; give the path of a regular file to create or replace"
        }
        return obstacle(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// `obstacle`, then a real try, leaving nothing behind and touching no name but its own:
    /// a file of a random name created and removed in the directory, or, when the directory does
    /// not exist yet, a directory of a random name created and removed in its nearest existing
    /// ancestor. Catches what a look cannot (root may "write" into `/proc`, a read-only mount,
    /// a full inode table); nil when it worked.
    public static func probe(_ path: String) -> String? {
        if let seen = obstacle(path) { return seen }
        var ancestor = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            ancestor.deleteLastPathComponent()
        }
        let trial = ancestor.appendingPathComponent(".labourmatch-probe-\(UUID().uuidString)").path
        if ancestor.path != URL(fileURLWithPath: path).path {
            guard mkdir(trial, 0o700) == 0 else {
                return "cannot create a directory in \(ancestor.path) (\(String(cString: strerror(errno))))"
            }
            rmdir(trial)
            return nil
        }
        let fd = createNew(trial, mode: 0o600)
        guard fd >= 0 else { return "cannot write into \(path) (\(String(cString: strerror(errno))))" }
        close(fd)
        unlink(trial)
        return nil
    }

    /// Opens a file for writing that did not exist (never an existing one, never through a
    /// symbolic link someone planted under its name); -1 with `errno` otherwise.
    public static func createNew(_ path: String, mode: mode_t = 0o666) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    }

    /// What stands in the way of writing into `dir`: `obstacle`, else what the system said
    /// (`error`'s POSIX cause: a full disk, a read-only file system).
    private static func reason(_ dir: URL, _ error: any Error) -> (String, badPath: Bool) {
        if let seen = obstacle(dir.path) { return (seen, true) }
        if let code = posixCode(error) { return (String(cString: strerror(code)), code == EACCES || code == EPERM) }
        return ("\(error)", false)
    }

    /// The POSIX error under a Foundation file error (ENOSPC under `NSCocoaErrorDomain Code=640`).
    public static func posixCode(_ error: any Error) -> Int32? {
        guard let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
              posix.domain == NSPOSIXErrorDomain else { return nil }
        return Int32(posix.code)
    }

    /// The section 7 files of `result`; `candidates.csv` only when asked, and otherwise removed
    /// first (an earlier run's would not belong to these results).
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
        if candidates {
            files.insert(("candidates.csv", { OutputFiles.candidatesCSVBytes(result) }), at: 1)
        } else {
            try remove("candidates.csv")
        }
        let rendered = ConcurrentSlots<[UInt8]>(count: files.count), renderers = files.map(\.render)
        DispatchQueue.concurrentPerform(iterations: renderers.count) { rendered.set($0, renderers[$0]()) }
        for (i, file) in files.enumerated() { try write(file.name, bytes: rendered.take(i)) }
        return files.map(\.name)
    }
}
