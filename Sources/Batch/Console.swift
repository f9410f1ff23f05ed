import Foundation

/// Standard error and standard output as the command writes them. Foundation's
/// `FileHandle.write(_:)` ends the process with a fatal error (SIGILL, status 132) when the
/// write fails, as it does to a full disk (`2>>/var/log/labourmatch.log` on a full /var): a
/// message that cannot be written is dropped here instead, and the command ends with its own
/// status. Standard output is C's buffered `stdout`, as `print` uses it; `outputFailure()`
/// says whether any of it was lost.
public enum Console {
    /// Opens /dev/null on whichever of the standard descriptors (0, 1, 2) is closed
    /// (`labourmatch ... 2>&-`). Else the first file or socket the command opens would take
    /// that number, and its messages would be written into it (a libpq socket, a pipe of the
    /// runtime's: the process died of SIGPIPE). Call it first thing. Standard output is opened
    /// for reading only, so that what the command prints fails to be written (EBADF) and is
    /// reported lost (`>&-` exited 0 with its output gone); standard error for writing, so that
    /// messages are dropped and the status stays the command's own.
    public static func openClosedStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY)
            if opened >= 0 && opened != fd {   // a lower one was closed too, and is taken first
                dup2(opened, fd)
                close(opened)
            }
        }
    }

    /// Writes `text` to standard error as it is; a failure to write is ignored.
    public static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// Writes `text` to standard error, waiting at most `seconds` for the write: a stop
    /// signal's message must not keep the process from ending when standard error is a full
    /// pipe (a stalled log reader, a terminal paused with Ctrl-S).
    public static func errorWithin(_ text: String, seconds: Double = 2) {
        let written = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            error(text)
            written.signal()
        }
        _ = written.wait(timeout: .now() + seconds)
    }

    /// Why a write to standard output failed with EBADF: it was closed at start, and is open
    /// for reading only (`openClosedStandardDescriptors`), or was given so (`1</dev/null`).
    public static let closedStandardOutput = "standard output is closed or not open for writing"

    /// Flushes standard output; the system's reason when some of what was printed could not
    /// be written, nil when all of it was.
    public static func outputFailure() -> String? {
        errno = 0
        guard let output = cStandardOutput else {
            return fflush(nil) == 0 ? nil : String(cString: strerror(errno))
        }
        guard fflush(output) != 0 || ferror(output) != 0 else { return nil }
        if errno == EBADF { return closedStandardOutput }
        return errno == 0 ? "an error on standard output" : String(cString: strerror(errno))
    }
}

/// C's `stdout`, found by name: Swift 6 refuses to read the mutable C global itself
/// ("not concurrency-safe"), though nothing here writes it.
private var cStandardOutput: UnsafeMutablePointer<FILE>? {
    dlsym(nil, "stdout")?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
}
