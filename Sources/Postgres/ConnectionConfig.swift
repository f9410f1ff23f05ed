import CLibPQ
import Foundation

/// Where and how to connect: a libpq connection string or `postgres://` URL, and where it came from.
///
/// Resolution order (`resolve`): an explicit `--database-url`, then
/// `DATABASE_URL`, then libpq's own environment (`PGHOST`, `PGPORT`, ...),
/// else the project's dev cluster of `Scripts/dev-db`.
public struct ConnectionConfig: Sendable, CustomStringConvertible {
    /// Where a configuration came from, for messages.
    public enum Source: String, Sendable {
        /// Given on the command line (`--database-url`) or by a caller.
        case explicit
        /// The `DATABASE_URL` environment variable.
        case databaseURLVariable = "DATABASE_URL"
        /// libpq's environment variables (`PGHOST`, `PGPORT`, `PGDATABASE`, ...); the conninfo is empty.
        case libpqEnvironment = "libpq environment"
        /// The local cluster of `Scripts/dev-db`.
        case devCluster = "dev cluster"

        /// How a user names this source: the option or variable that gave the string.
        public var optionName: String {
            switch self {
            case .explicit: return "--database-url"
            default: return rawValue
            }
        }
    }

    /// The connection string or URL handed to libpq (may hold a password: never print it; use `redacted`).
    public let conninfo: String
    public let source: Source
    /// Seconds libpq waits for a connection unless the conninfo (or `PGCONNECT_TIMEOUT`) says otherwise.
    public let defaultConnectTimeout: Int?

    /// For `.libpqEnvironment`: the location variables that were set, e.g. `PGHOST=db PGPORT=5433`.
    public let environmentSummary: String?

    /// A role every connection switches to right after connecting (`SET ROLE`), or nil to act as the login.
    public private(set) var role: String?

    /// The schema that holds the project's tables, named by the operator (`LABOURMATCH_SCHEMA`):
    /// every connection then sets its search_path to it (then `pg_catalog`, `pg_temp`), after
    /// `SET ROLE`, whatever the login's or database's settings say. Nil: the search_path as set.
    public var schema: String?

    public init(conninfo: String, source: Source = .explicit, defaultConnectTimeout: Int? = 5,
                environmentSummary: String? = nil) {
        self.conninfo = conninfo
        self.source = source
        self.defaultConnectTimeout = defaultConnectTimeout
        self.environmentSummary = environmentSummary
    }

    /// The libpq variables that choose a server or database; any of them set means "use libpq's environment".
    public static let libpqLocationVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"]

    /// The default port of the dev cluster, when `LABOURMATCH_PGPORT` is not set.
    public static let defaultDevClusterPort = 54329

    /// The database `Scripts/dev-db` creates.
    public static let devClusterDatabase = "labourmatch"

    /// The same configuration, its connections acting as `role` (nil: as the login itself).
    public func acting(as role: String?) -> ConnectionConfig {
        var copy = self
        copy.role = role
        return copy
    }

    /// Picks the configuration as described on the type.
    public static func resolve(
        databaseURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConnectionConfig {
        var config = resolveServer(databaseURL: databaseURL, environment: environment)
        config.schema = environment["LABOURMATCH_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 }
        return config
    }

    private static func resolveServer(databaseURL: String?, environment: [String: String]) -> ConnectionConfig {
        let timeout = defaultTimeout(environment)
        if let url = databaseURL, !url.isEmpty {
            return ConnectionConfig(conninfo: url, source: .explicit, defaultConnectTimeout: timeout)
        }
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            return ConnectionConfig(conninfo: url, source: .databaseURLVariable, defaultConnectTimeout: timeout)
        }
        let locations = libpqLocationVariables.compactMap { name in
            environment[name].flatMap { $0.isEmpty ? nil : "\(name)=\($0)" }
        }
        if !locations.isEmpty {
            return ConnectionConfig(conninfo: "", source: .libpqEnvironment, defaultConnectTimeout: timeout,
                                    environmentSummary: locations.joined(separator: " "))
        }
        return devCluster(environment: environment)
    }

    /// The dev cluster of `Scripts/dev-db`: its socket directory, port and a database (default `labourmatch`).
    public static func devCluster(
        database: String = devClusterDatabase,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConnectionConfig {
        let info = "host=\(quote(devClusterSocketDirectory(environment: environment)))"
            + " port=\(devClusterPort(environment: environment)) dbname=\(quote(database)) user=postgres"
        return ConnectionConfig(conninfo: info, source: .devCluster, defaultConnectTimeout: defaultTimeout(environment))
    }

    /// 5 s, unless `PGCONNECT_TIMEOUT` is set: our keyword would override it (a keyword beats the
    /// environment), so then libpq applies the variable, unless the string gives connect_timeout.
    static func defaultTimeout(_ environment: [String: String]) -> Int? {
        (environment["PGCONNECT_TIMEOUT"] ?? "").isEmpty ? 5 : nil
    }

    /// `LABOURMATCH_PGPORT` when it is a port number, else `defaultDevClusterPort`.
    public static func devClusterPort(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Int {
        if let text = environment["LABOURMATCH_PGPORT"], let port = Int(text), (1...65535).contains(port) {
            return port
        }
        return defaultDevClusterPort
    }

    /// `.pgdata/run` inside the project; `/tmp/labourmatch-pg-PORT` when that path would make the
    /// socket's path longer than a Unix socket allows (107 bytes), or when the cluster's socket is
    /// there and not inside (`Scripts/dev-db` puts it there when the `postgres` user cannot reach
    /// the project, e.g. a clone inside `mktemp -d`). `Scripts/dev-db` applies the same rules.
    public static func devClusterSocketDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let port = devClusterPort(environment: environment)
        let inside = ProjectHome.directory(environment: environment).appendingPathComponent(".pgdata/run").path
        let outside = "/tmp/labourmatch-pg-\(port)"
        let socket = "/.s.PGSQL.\(port)"
        guard inside.utf8.count + socket.utf8.count <= 107 else { return outside }
        let files = FileManager.default
        if !files.fileExists(atPath: inside + socket) && files.fileExists(atPath: outside + socket) { return outside }
        return inside
    }

    /// The connection string with any password replaced by `***`: safe for logs and errors.
    public var redacted: String { ConnectionConfig.redact(conninfo) }

    /// `redacted`, or a note that libpq's environment decides. A string libpq cannot parse is
    /// not shown at all (the debug log's "connecting" line printed it whole): its password
    /// cannot be located.
    public var description: String {
        switch source {
        case .libpqEnvironment: return environmentSummary ?? "(libpq environment variables)"
        default:
            if ConnectionConfig.unparsableReason(conninfo) != nil {
                return "(the \(source.optionName) value, not shown: libpq cannot parse it, so a password in it could not be located)"
            }
            return redacted.isEmpty ? "(libpq defaults)" : redacted
        }
    }

    /// A keyword value quoted for a libpq connection string when it needs it.
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "=" })
        if plain { return value }
        var out = "'"
        for ch in value {
            if ch == "'" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out + "'"
    }
}

// MARK: - Redaction

extension ConnectionConfig {
    /// Replaces the password of a `postgres://` URL (user info and `password=` query parameter)
    /// or of a `key=value` connection string with `***`, and `sslpassword` likewise. Anything else is returned unchanged.
    public static func redact(_ conninfo: String) -> String {
        let lower = conninfo.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            return redactURL(conninfo)
        }
        return redactKeywords(conninfo)
    }

    private static func redactURL(_ url: String) -> String {
        var chars = Array(url)
        let schemeEnd = chars.firstIndex(of: ":")! + 3
        // libpq ends the user info at the first '@' before any '/' (a '?' may be in the password).
        // Wider, for safety: from the first ':' to the last '@' of the string, which also hides a
        // password holding '/' or '@' that libpq itself would misread as host and path.
        var queryFrom = schemeEnd
        if let at = chars[schemeEnd...].lastIndex(of: "@"), let colon = chars[schemeEnd..<at].firstIndex(of: ":") {
            chars.replaceSubrange((colon + 1)..<at, with: Array("***"))
            queryFrom = colon + 4
        }
        guard let question = chars[queryFrom...].firstIndex(of: "?") else { return String(chars) }
        let query = String(chars[(question + 1)...]).split(separator: "&", omittingEmptySubsequences: false)
            .map { pair -> String in
                let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                return isSecret(key.removingPercentEncoding ?? key) ? "\(key)=***" : String(pair)
            }
        return String(chars[...question]) + query.joined(separator: "&")
    }

    /// libpq's keywords whose values are secrets: the password, and the client key's passphrase.
    private static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return k == "password" || k == "sslpassword"
    }

    /// Walks `key = value` pairs (values bare or single-quoted with backslash escapes).
    private static func redactKeywords(_ info: String) -> String {
        let chars = Array(info)
        var out = ""
        var i = 0
        // C's isspace, as libpq splits: also form feed and vertical tab.
        func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" || c == "\u{0B}" }
        while i < chars.count {
            // Copy whitespace, read the key.
            while i < chars.count, isSpace(chars[i]) { out.append(chars[i]); i += 1 }
            let keyStart = i
            while i < chars.count, chars[i] != "=", !isSpace(chars[i]) { i += 1 }
            let key = String(chars[keyStart..<i])
            out += key
            while i < chars.count, isSpace(chars[i]) { out.append(chars[i]); i += 1 }
            guard i < chars.count, chars[i] == "=" else {
                // Not a key=value string after all: keep the rest, minus anything after "password".
                if isSecret(key) { return out + "***" }
                out += String(chars[i...]); return out
            }
            out.append("="); i += 1
            while i < chars.count, isSpace(chars[i]) { out.append(chars[i]); i += 1 }
            let valueStart = i
            if i < chars.count, chars[i] == "'" {
                i += 1
                while i < chars.count, chars[i] != "'" {
                    if chars[i] == "\\" { i += 1 }
                    i += 1
                }
                i = min(i + 1, chars.count)
            } else {
                while i < chars.count, !isSpace(chars[i]) {
                    if chars[i] == "\\" { i += 1 }
                    i += 1
                }
                i = min(i, chars.count)
            }
            out += isSecret(key) ? "***" : String(chars[valueStart..<i])
        }
        return out
    }
}
