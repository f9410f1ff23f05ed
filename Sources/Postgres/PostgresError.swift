import CLibPQ

/// An error from PostgreSQL or from libpq, with the server's SQLSTATE and the statement that failed.
///
/// It never carries parameter values (they may be personal data) nor a
/// password: connection strings appear only in their redacted form.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in broad strokes.
    public enum Kind: String, Sendable {
        /// The connection could not be opened.
        case connectionFailed = "connection failed"
        /// An open connection broke (network, server shutdown, backend terminated).
        case connectionLost = "connection lost"
        /// The server rejected a statement; `sqlState` says why.
        case server = "server error"
        /// A value in a result could not be decoded as the requested Swift type.
        case decoding = "decoding error"
        /// The caller misused the API (a NUL byte in a parameter, a COPY through `execute`, a closed connection).
        case misuse = "misuse"
        /// A schema the connection will not work in (`Connection.homeSchema`): its message says
        /// why and what mends it, with no "PostgreSQL" kind before it.
        case schemaRefused = "schema refused"
    }

    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one (`23505` is a unique violation).
    public var sqlState: String?
    /// The primary message.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The statement that failed, never its parameter values.
    public var statement: String?
    /// 1-based character offset of the error in `statement`, when the server gave one.
    public var position: Int?
    /// The redacted connection string, for connection errors.
    public var connection: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil,
                hint: String? = nil, statement: String? = nil, position: Int? = nil,
                connection: String? = nil) {
        self.kind = kind; self.sqlState = sqlState; self.message = message; self.detail = detail
        self.hint = hint; self.statement = statement; self.position = position
        self.connection = connection
    }

    /// `23505`: a unique or primary key constraint was violated.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// `40001`: a serializable transaction must be retried.
    public var isSerializationFailure: Bool { sqlState == "40001" }
    /// The connection is unusable: SQLSTATE class 08, `57P01` (admin shutdown) or a broken socket.
    public var isConnectionLost: Bool {
        if kind == .connectionLost { return true }
        guard let s = sqlState else { return false }
        return s.hasPrefix("08") || s == "57P01"
    }
    /// A connection that cannot be opened, and will not be by trying again: a bad connection
    /// string, a database or role that does not exist, a refused login (libpq gives no
    /// SQLSTATE before a session exists, so its message says which). A server that is down
    /// or restarting is not permanent.
    public var isPermanentConnectionFailure: Bool {
        guard kind == .connectionFailed else { return false }
        // Only "password authentication failed": LDAP, RADIUS or PAM report "... authentication
        // failed" too when their server is merely down.
        let permanent = ["does not exist", "password authentication failed", "no pg_hba.conf entry", "no password supplied",
                         "invalid URI", "invalid connection option", "invalid integer value", "invalid port number",
                         "missing \"=\"", "invalid percent-encoded", "invalid sslmode", "permission denied"]
        return message.hasPrefix(Connection.invalidConnectionString) || permanent.contains { message.contains($0) }
    }
    /// `42P01`: a table the statement names does not exist (for this project: not migrated).
    public var isUndefinedTable: Bool { sqlState == "42P01" }
    /// `23514`: a CHECK constraint (or a domain's) rejected a value.
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// `23503`: a foreign key names a missing row, or a referenced row is still in use.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }

    /// The line of `statement` that `position` points into (1-based), for multi-line scripts.
    public var line: Int? {
        guard let statement, let position, position >= 1 else { return nil }
        var line = 1
        for (i, ch) in statement.enumerated() {
            if i >= position - 1 { break }
            if ch == "\n" { line += 1 }
        }
        return line
    }

    /// One line: kind, SQLSTATE, message, detail, hint and the start of the statement.
    public var description: String {
        var parts: [String] = []
        var head = "PostgreSQL \(kind.rawValue)"
        if let sqlState { head += " \(sqlState)" }
        parts.append(kind == .schemaRefused ? PostgresError.oneLine(message) : "\(head): \(PostgresError.oneLine(message))")
        if let detail { parts.append("detail: \(PostgresError.oneLine(detail))") }
        if let hint { parts.append("hint: \(PostgresError.oneLine(hint))") }
        if let line, statement?.contains("\n") == true { parts.append("at line \(line)") }
        if let statement {
            let flat = PostgresError.oneLine(statement)
            let cut = flat.count > 160 ? String(flat.prefix(157)) + "..." : flat
            parts.append("statement: \(cut)")
        }
        if let connection { parts.append("connection: \(connection)") }
        return parts.joined(separator: "; ")
    }

    /// Whitespace runs (line breaks included) collapsed to one space, trimmed.
    public static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
    }

    /// The error fields of a failed `PGresult`.
    init(result: OpaquePointer, statement: String?, connectionBroken: Bool) {
        func field(_ code: Character) -> String? {
            guard let p = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: p)
        }
        let state = field("C")
        var message = field("M")
            ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines()
        if message.isEmpty { message = "unknown error" }
        let lost = connectionBroken || state.map { $0.hasPrefix("08") || $0 == "57P01" } == true
        self.init(kind: lost ? .connectionLost : .server, sqlState: state, message: message,
                  detail: field("D"), hint: field("H"), statement: statement,
                  position: field("P").flatMap { Int($0) })
    }
}

extension String {
    /// Without the line breaks libpq appends to its messages.
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
