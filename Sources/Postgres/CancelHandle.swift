import CLibPQ

/// Cancels the statement a connection is running, from any thread (libpq's `PQcancel`, which
/// is thread-safe and opens a short connection of its own). A statement cancelled this way
/// fails with SQLSTATE 57014; a connection with nothing running is not affected.
///
/// `@unchecked Sendable`: the `PGcancel` is immutable once made, and `PQcancel` may be called
/// on it from any thread; it is freed when the last reference goes.
public final class CancelHandle: @unchecked Sendable {
    private let pointer: OpaquePointer

    init?(_ connection: OpaquePointer) {
        guard let pointer = PQgetCancel(connection) else { return nil }
        self.pointer = pointer
    }

    deinit { PQfreeCancel(pointer) }

    /// Asks the server to cancel the running statement; false when the request could not be sent.
    @discardableResult
    public func cancel() -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(pointer, &buffer, Int32(buffer.count)) == 1
    }
}

extension Connection {
    /// A handle that cancels this connection's running statement from another thread; nil
    /// when the connection is closed.
    public func cancelHandle() -> CancelHandle? {
        rawHandle.flatMap(CancelHandle.init)
    }
}
