import CLibPQ

/// Collects bytes for `COPY ... FROM STDIN` and sends them to the server in chunks.
///
/// Only valid inside the `copyIn` closure that received it.
public final class CopyWriter {
    private let connection: Connection
    private let handle: OpaquePointer
    private let statement: String
    private var buffer: [UInt8]
    /// Bytes are sent once this many are buffered.
    public let chunkSize: Int
    /// Bytes handed to the writer so far.
    public private(set) var bytesWritten = 0

    init(connection: Connection, handle: OpaquePointer, statement: String, chunkSize: Int) {
        self.connection = connection
        self.handle = handle
        self.statement = statement
        self.chunkSize = max(1, chunkSize)
        buffer = []
        buffer.reserveCapacity(self.chunkSize)
    }

    /// Appends raw bytes in the COPY's format (text, CSV or binary).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        bytesWritten += bytes.count
        if buffer.count + bytes.count < chunkSize {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count >= chunkSize {
            try send(bytes)   // large blocks go straight through, no copy
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends the UTF-8 of `text`.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
    public func writeTextRow(_ fields: [String?]) throws {
        if buffer.count >= chunkSize { try flush() }
        let start = buffer.count
        for (i, field) in fields.enumerated() {
            if i > 0 { buffer.append(0x09) }
            guard let field else { buffer.append(contentsOf: [0x5C, 0x4E]); continue }   // \N
            for b in field.utf8 {
                switch b {
                case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                default: buffer.append(b)
                }
            }
        }
        buffer.append(0x0A)
        bytesWritten += buffer.count - start
    }

    /// Sends what is buffered.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try send($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func send(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        while offset < bytes.count {
            // PQputCopyData takes an Int32 length; send huge blocks in pieces.
            let n = min(bytes.count - offset, 1 << 30)
            let ok = PQputCopyData(handle, base.advanced(by: offset).assumingMemoryBound(to: CChar.self), Int32(n))
            if ok != 1 { throw connection.lastError(statement) }
            offset += n
        }
    }
}

extension Connection {
    /// Runs `COPY ... FROM STDIN`, letting `body` push the data; returns the number of rows copied.
    ///
    /// Data is sent in chunks of `chunkSize` bytes. When `body` throws, the
    /// COPY is aborted (nothing is inserted) and the error is rethrown; when
    /// the server rejects the data, its error (with SQLSTATE) is thrown.
    @discardableResult
    public func copyIn(_ sql: String, chunkSize: Int = 256 * 1024, _ body: (CopyWriter) throws -> Void) throws -> Int {
        let conn = try liveHandle(sql)
        try startCopy(conn, sql, expecting: PGRES_COPY_IN)
        let writer = CopyWriter(connection: self, handle: conn, statement: sql, chunkSize: chunkSize)
        do {
            try body(writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(conn, "aborted by the client")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(conn, nil) == 1 else {
            let error = lastError(sql)
            drainResults()
            throw error
        }
        return try finishCopy(sql)
    }

    /// Runs `COPY ... TO STDOUT`, handing each piece of data (one row per call in text and CSV formats)
    /// to `onData`; returns the number of rows. When `onData` throws, the COPY is cancelled and the
    /// error rethrown.
    @discardableResult
    public func copyOut(_ sql: String, _ onData: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let conn = try liveHandle(sql)
        try startCopy(conn, sql, expecting: PGRES_COPY_OUT)
        while true {
            var data: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(conn, &data, 0)
            if n > 0, let data {
                defer { PQfreemem(data) }
                do {
                    try onData(UnsafeRawBufferPointer(start: data, count: Int(n)))
                } catch {
                    cancelRunningStatement(conn)
                    drainResults()
                    throw error
                }
            } else if n == -1 {
                return try finishCopy(sql)   // done; the final result says whether it succeeded
            } else {
                let error = lastError(sql)
                drainResults()
                throw error
            }
        }
    }

    private func startCopy(_ conn: OpaquePointer, _ sql: String, expecting: ExecStatusType) throws {
        guard let result = PQexec(conn, sql) else { throw lastError(sql) }
        let status = PQresultStatus(result)
        if status == expecting {
            PQclear(result)
            return
        }
        if status == PGRES_COPY_IN || status == PGRES_COPY_OUT {
            PQclear(result)
            if status == PGRES_COPY_IN { _ = PQputCopyEnd(conn, "wrong COPY direction") }
            drainResults()
            throw PostgresError(kind: .misuse, message: expecting == PGRES_COPY_IN
                ? "copyIn needs COPY ... FROM STDIN" : "copyOut needs COPY ... TO STDOUT", statement: sql)
        }
        // An error, or a statement that is not a COPY at all.
        if status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR {
            _ = try check(result, sql)   // throws the server's error
        }
        PQclear(result)
        throw PostgresError(kind: .misuse, message: "not a COPY statement", statement: sql)
    }

    /// Reads the COPY's final result: its row count, or the server's error.
    private func finishCopy(_ sql: String) throws -> Int {
        guard let handle = try? liveHandle(sql), let result = PQgetResult(handle) else { throw lastError(sql) }
        let rows: PostgresRows
        do {
            rows = PostgresRows(storage: try check(result, sql))
        } catch {
            drainResults()
            throw error
        }
        drainResults()
        return rows.affectedRows ?? 0
    }

    /// Asks the server to stop the statement in progress (used to abandon a COPY TO STDOUT).
    private func cancelRunningStatement(_ conn: OpaquePointer) {
        guard let cancel = PQgetCancel(conn) else { return }
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &message, Int32(message.count))
        PQfreeCancel(cancel)
    }
}
