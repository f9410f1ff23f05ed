import Foundation

/// Results of work spread over threads (`DispatchQueue.concurrentPerform`),
/// one slot per piece, each written once and taken once.
public final class ConcurrentSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()

    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Stores the result of piece `i`.
    public func set(_ i: Int, _ value: T) { lock.withLock { slots[i] = value } }

    /// The result of piece `i` (set before), leaving the slot empty.
    public func take(_ i: Int) -> T {
        lock.withLock {
            defer { slots[i] = nil }
            return slots[i]!
        }
    }
}
