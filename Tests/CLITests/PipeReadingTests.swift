import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The tests read their children's output with `PipeReading`, because Foundation's
/// `availableData` ends the process with a fatal error on `EINTR` (CI met it once). A signal
/// caught by a handler without `SA_RESTART` interrupts a blocked `read`; the reader must go on.
@Suite(.serialized) struct PipeReadingTests {
    /// Runs `body` on a thread of its own, sending it SIGUSR1 (caught, without SA_RESTART) every
    /// 5 ms for `signalling` seconds, and then writes `text` into the pipe it reads and closes it.
    private func readWhileSignalled(_ text: String, signalling: Double = 0.3,
                                    _ body: @escaping @Sendable (FileHandle) -> Data) throws -> Data {
        var action = sigaction(), previous = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        #expect(sigaction(SIGUSR1, &action, &previous) == 0)
        defer { sigaction(SIGUSR1, &previous, nil) }
        let pipe = Pipe()
        let box = ReaderBox()
        let thread = Thread {
            var usr1 = sigset_t()   // threads here start with it blocked (inherited masks)
            sigemptyset(&usr1)
            sigaddset(&usr1, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &usr1, nil)
            box.start(pthread_self())
            box.finish(body(pipe.fileHandleForReading))
            box.waitForRelease()   // alive until the last signal: pthread_kill on an ended thread is undefined
        }
        thread.start()
        let reader = box.waitForStart()
        let until = Date().addingTimeInterval(signalling)
        while Date() < until {
            pthread_kill(reader, SIGUSR1)
            usleep(5_000)
        }
        try pipe.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try pipe.fileHandleForWriting.close()
        defer { box.release() }
        return box.waitForResult()
    }

    @Test func aRawReadIsInterruptedSoTheSetUpProvesSomething() throws {
        let got = try readWhileSignalled("late") { handle in
            var buffer = [UInt8](repeating: 0, count: 16)
            let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            return Data("\(n) \(n < 0 ? errno : 0)".utf8)
        }
        #expect(String(decoding: got, as: UTF8.self) == "-1 \(EINTR)")
    }

    @Test func pipeReadingGoesOnThroughInterruptions() throws {
        let text = String(repeating: "line of output\n", count: 2_000)   // 30 kB: fits the pipe, the write never waits
        let got = try readWhileSignalled(text) { PipeReading.all(of: $0) }
        #expect(String(decoding: got, as: UTF8.self) == text)
    }
}

/// The reader thread's id and result, handed to the test under a condition lock.
private final class ReaderBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var thread: pthread_t?
    private var result: Data?
    private var released = false

    func start(_ id: pthread_t) { condition.lock(); thread = id; condition.broadcast(); condition.unlock() }
    func finish(_ data: Data) { condition.lock(); result = data; condition.broadcast(); condition.unlock() }
    func waitForStart() -> pthread_t {
        condition.lock(); defer { condition.unlock() }
        while thread == nil { condition.wait() }
        return thread!
    }
    func release() { condition.lock(); released = true; condition.broadcast(); condition.unlock() }
    func waitForRelease() {
        condition.lock(); defer { condition.unlock() }
        while !released { condition.wait() }
    }
    func waitForResult() -> Data {
        condition.lock(); defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}
