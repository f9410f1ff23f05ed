import Foundation

/// The project's root: this file is `Tests/TestSupport/LabourmatchProcess.swift` in it.
public let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The `labourmatch` executable that `swift test` built beside the test bundle.
public let labourmatchBinary: URL = {
    let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      projectRoot.appendingPathComponent(".build/debug")]
        .map { $0.appendingPathComponent("labourmatch") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
}()

/// A running `labourmatch` child process, run in the project's root, whose
/// output is collected as it comes, so a test can wait for a line on stderr,
/// kill it, or wait for its end. Every end-to-end test target uses this one.
///
/// `@unchecked Sendable`: the output buffers are only touched under `lock`,
/// from the reader threads and the test.
public final class LabourmatchProcess: @unchecked Sendable {
    /// How a finished process ended.
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal when a signal ended it (the shell's convention).
        public var status: Int32
        /// True when a signal ended the process.
        public var signaled: Bool
        public var stdout: String
        public var stderr: String
    }

    private let process = Process()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()
    private let readers = DispatchGroup()

    /// Starts `labourmatch arguments`; `environment` is laid over this process's environment.
    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let (out, err) = (PipeReading.pipe(), PipeReading.pipe())
        process.executableURL = labourmatchBinary
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.currentDirectoryURL = projectRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
        collect(out.fileHandleForReading, stderr: false)
        collect(err.fileHandleForReading, stderr: true)
    }

    /// Runs `labourmatch arguments` to its end.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try LabourmatchProcess(arguments, environment: environment).finish()
    }

    private func collect(_ handle: FileHandle, stderr: Bool) {
        readers.enter()
        DispatchQueue.global().async {
            while true {
                let chunk = PipeReading.chunk(of: handle)
                if chunk.isEmpty { break }
                self.lock.lock()
                if stderr { self.stderrData.append(chunk) } else { self.stdoutData.append(chunk) }
                self.lock.unlock()
            }
            self.readers.leave()
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: stderrData, as: UTF8.self) }
    public var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: stdoutData, as: UTF8.self) }

    /// Waits until stderr holds `text` (true), or the process ended or `timeout` passed (false).
    public func waitForStderr(containing text: String, timeout: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// SIGKILL: no chance to roll back or say goodbye.
    public func kill() { Foundation.kill(process.processIdentifier, SIGKILL) }

    /// Waits for the end and returns how it ended with all the output.
    public func finish() -> Outcome {
        process.waitUntilExit()
        readers.wait()
        let signaled = process.terminationReason == .uncaughtSignal
        return Outcome(status: signaled ? 128 + process.terminationStatus : process.terminationStatus,
                       signaled: signaled, stdout: stdout, stderr: stderr)
    }
}

/// Pipes to a child, and reading them when a signal may interrupt. Foundation's `availableData` and
/// `readDataToEndOfFile()` end the process with a fatal error when `read` fails with
/// `EINTR` (swift-corelibs-foundation retries only its writes); CI met it once, in the
/// test process, while a child ran. These retry.
public enum PipeReading {
    /// A pipe whose two ends are closed on exec (Foundation's are not): another test's child
    /// must not inherit them, or this test would wait for that child's end to read to the end
    /// of its own child's output. The child's copies, on its fds 1 and 2, are made by dup2,
    /// which clears the flag.
    public static func pipe() -> Pipe {
        let pipe = Pipe()
        for handle in [pipe.fileHandleForReading, pipe.fileHandleForWriting] {
            _ = fcntl(handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        return pipe
    }

    /// The next bytes of `handle` (at most 64 kB), or nothing at its end or on an error other than EINTR.
    public static func chunk(of handle: FileHandle) -> Data {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            return n <= 0 ? Data() : Data(buffer[0..<n])
        }
    }

    /// Everything `handle` gives until its end.
    public static func all(of handle: FileHandle) -> Data {
        var all = Data()
        while true {
            let next = chunk(of: handle)
            if next.isEmpty { return all }
            all.append(next)
        }
    }
}
