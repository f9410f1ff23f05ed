import CLibPQ

/// Owns one `PGresult` and frees it with the last row that refers to it.
///
/// `@unchecked Sendable`: libpq documents a `PGresult` as read-only once
/// created, safe to read from any thread; nothing here mutates it.
final class ResultStorage: @unchecked Sendable {
    let result: OpaquePointer
    let columns: [String]
    let types: [PostgresType]
    let rowCount: Int

    init(_ result: OpaquePointer) {
        self.result = result
        let n = Int(PQnfields(result))
        columns = (0..<n).map { String(cString: PQfname(result, Int32($0))) }
        types = (0..<n).map { PostgresType(rawValue: PQftype(result, Int32($0))) }
        rowCount = Int(PQntuples(result))
    }

    deinit { PQclear(result) }
}

/// The rows of a query, decoded lazily from libpq's result.
public struct PostgresRows: RandomAccessCollection, Sendable {
    let storage: ResultStorage

    /// The result columns' names, in order.
    public var columns: [String] { storage.columns }
    /// The result columns' types, in order.
    public var columnTypes: [PostgresType] { storage.types }
    /// Rows inserted, updated, deleted or copied by the statement (`PQcmdTuples`), else nil.
    public var affectedRows: Int? { Int(String(cString: PQcmdTuples(storage.result))) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }
    public subscript(position: Int) -> PostgresRow { PostgresRow(storage: storage, index: position) }
}

/// One row of a result; cells decode to Swift types through `PostgresDecodable`.
public struct PostgresRow: Sendable {
    let storage: ResultStorage
    /// The row's position in its result.
    public let index: Int

    /// Number of columns.
    public var count: Int { storage.columns.count }

    /// Whether the cell is SQL NULL.
    public func isNull(_ column: Int) -> Bool {
        PQgetisnull(storage.result, Int32(index), Int32(column)) != 0
    }

    /// The cell decoded as `T`; a NULL or undecodable cell throws a `.decoding` error.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw decodingError(column, "is NULL, expected \(T.self)")
        }
        return value
    }

    /// The cell decoded as `T`, nil when NULL; undecodable text throws a `.decoding` error.
    public func decodeIfPresent<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T? {
        guard column >= 0, column < count else {
            throw PostgresError(kind: .misuse, message: "column \(column) out of range (result has \(count))")
        }
        if isNull(column) { return nil }
        let r = Int32(index), c = Int32(column)
        let bytes = UnsafeRawBufferPointer(start: PQgetvalue(storage.result, r, c),
                                           count: Int(PQgetlength(storage.result, r, c)))
        guard let value = T.decode(postgresText: bytes, type: storage.types[column]) else {
            throw decodingError(column, "holds \(bytes.count) bytes of text that are not a valid \(T.self)")
        }
        return value
    }

    /// The cell of the column called `name`, decoded as `T`.
    public func decode<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try decode(columnIndex(name), as: type)
    }

    /// The cell of the column called `name`, decoded as `T`, nil when NULL.
    public func decodeIfPresent<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(columnIndex(name), as: type)
    }

    private func columnIndex(_ name: String) throws -> Int {
        guard let i = storage.columns.firstIndex(of: name) else {
            throw PostgresError(kind: .misuse, message: "no column named '\(name)' in result")
        }
        return i
    }

    private func decodingError(_ column: Int, _ what: String) -> PostgresError {
        PostgresError(kind: .decoding,
                      message: "column '\(storage.columns[column])' (\(storage.types[column])) of row \(index) \(what)")
    }
}
