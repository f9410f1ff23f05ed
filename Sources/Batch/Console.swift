import Foundation

/// Standard error and standard output as the command writes them. Foundation's
/// `FileHandle.write(_:)` ends the process with a fatal error (SIGILL, status 132) when the
/// write fails, as it does to a full disk (`2>>/var/log/labourmatch.log` on a full /var): a
/// message that cannot be written is dropped here instead, and the command ends with its own
/// status. Standard output is C's buffered `stdout`, as `print` uses it; `outputFailure()`
/// says whether any of it was lost.
public enum Console {
    /// Writes `text` to standard error as it is; a failure to write is ignored.
    public static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Flushes standard output; the system's reason when some of what was printed could not
    /// be written, nil when all of it was.
    public static func outputFailure() -> String? {
        errno = 0
        guard let output = cStandardOutput else {
            return fflush(nil) == 0 ? nil : String(cString: strerror(errno))
        }
        guard fflush(output) != 0 || ferror(output) != 0 else { return nil }
        return errno == 0 ? "an error on standard output" : String(cString: strerror(errno))
    }
}

/// C's `stdout`, found by name: Swift 6 refuses to read the mutable C global itself
/// ("not concurrency-safe"), though nothing here writes it.
private var cStandardOutput: UnsafeMutablePointer<FILE>? {
    dlsym(nil, "stdout")?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
}
