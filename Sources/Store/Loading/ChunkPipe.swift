import Foundation

/// Runs `produce` on a thread of its own, which hands elements (chunks of COPY
/// bytes, batches of rows) through a bounded queue to the calling thread, where
/// `consume` takes them: the loader parses the next rows while it encodes the
/// previous ones and while their COPY is on its way to the server (client and
/// server use both cores, instead of taking turns through the socket's small
/// buffer). At most `capacity` elements wait, so memory stays flat.
///
/// Either side's error stops both: a producer error is rethrown here after the
/// queue is drained of nothing more; a consumer error cancels the producer
/// (its next `put` throws) and is rethrown once the producer has stopped.
/// The producer's state must be touched by the producer only until `run` returns.
final class ChunkPipe<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [Element?] = []
    private var head = 0
    private var finished = false
    private var cancelled = false
    private var failure: (any Error)?
    private let capacity: Int


    init(capacity: Int = 16) { self.capacity = max(1, capacity) }

    /// Producer side: queues `chunk`, waiting while the queue is full.
    func put(_ chunk: Element) throws {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { throw PipeCancelled() }
        chunks.append(chunk)
        condition.broadcast()
    }

    /// Consumer side: the next chunk, waiting for one; nil once the producer is done.
    private func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == chunks.count && !finished { condition.wait() }
        guard head < chunks.count else { return nil }
        let chunk = chunks[head]
        chunks[head] = nil
        head += 1
        if head == chunks.count { chunks.removeAll(keepingCapacity: true); head = 0 }
        condition.broadcast()
        return chunk
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    private func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `produce` (which calls `put`) on a new thread and `consume` on this one for each chunk.
    func run(produce: @escaping () throws -> Void, consume: (Element) throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let work = UncheckedSendable(produce)
        let thread = Thread { [self] in
            do { try work.value(); finish(nil) } catch { finish(error) }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        do {
            while let chunk = take() { try consume(chunk) }
        } catch {
            cancel()
            done.wait()
            throw error
        }
        done.wait()
        if let failure { throw failure }
    }
}

/// Thrown by `ChunkPipe.put` once the consumer has failed.
struct PipeCancelled: Error {}

/// A value handed to another thread whose use the code keeps to one thread at a time.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
