import Foundation
@testable import Store
import Testing

/// The loader's parsing thread and its sending thread: every chunk arrives, in
/// order, and either side's failure stops both.
@Suite struct ChunkPipeTests {
    struct Boom: Error, Equatable { let side: String }

    /// State written by one thread and read by the other only after `run` returns.
    final class Log: @unchecked Sendable {
        var produced = 0
        var stoppedBy: (any Error)?
    }

    @Test func everyChunkArrivesInOrder() throws {
        let pipe = ChunkPipe<[UInt8]>(capacity: 2)
        var received: [UInt8] = []
        // More chunks than the queue holds: the producer must wait for the consumer.
        try pipe.run(produce: { for i in 0..<200 { try pipe.put([UInt8(i)]) } },
                     consume: { received.append(contentsOf: $0) })
        #expect(received == (0..<200).map { UInt8($0) })
    }

    @Test func aProducerErrorIsRethrownAfterWhatCameBefore() throws {
        let pipe = ChunkPipe<[UInt8]>(capacity: 4)
        var received = 0
        #expect(throws: Boom(side: "producer")) {
            try pipe.run(produce: {
                for _ in 0..<3 { try pipe.put([1]) }
                throw Boom(side: "producer")
            }, consume: { _ in received += 1 })
        }
        #expect(received == 3)
    }

    @Test func aConsumerErrorStopsTheProducer() throws {
        let pipe = ChunkPipe<[UInt8]>(capacity: 2)
        let log = Log()
        #expect(throws: Boom(side: "consumer")) {
            try pipe.run(produce: {
                do {
                    // Endless unless stopped: `put` must throw once the consumer has failed.
                    while true { try pipe.put([0]); log.produced += 1 }
                } catch {
                    log.stoppedBy = error
                    throw error
                }
            }, consume: { _ in throw Boom(side: "consumer") })
        }
        #expect(log.stoppedBy is PipeCancelled)
        #expect(log.produced <= 3, "at most the queue's capacity and the chunk in hand")
    }
}
