/// Connection strings for another login or database, for tests that connect as someone else or elsewhere.
public enum LoginURL {
    /// `conninfo` connecting as `user`: the URL's user info replaced, or a later `user=` (libpq takes the last).
    public static func replacingUser(_ conninfo: String, with user: String) -> String {
        let lower = conninfo.lowercased()
        guard lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") else { return conninfo + " user=\(user)" }
        let chars = Array(conninfo)
        let authorityStart = chars.firstIndex(of: ":")! + 3
        let authorityEnd = chars[authorityStart...].firstIndex { $0 == "/" || $0 == "?" } ?? chars.count
        let hostStart = chars[authorityStart..<authorityEnd].lastIndex(of: "@").map { $0 + 1 } ?? authorityStart
        return String(chars[..<authorityStart]) + user + "@" + String(chars[hostStart...])
    }

    /// `conninfo` naming database `name`: the URL's path replaced, or a later `dbname=` (libpq takes the last).
    public static func replacingDatabase(_ conninfo: String, with name: String) -> String {
        let lower = conninfo.lowercased()
        guard lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") else {
            return conninfo + " dbname=\(name)"
        }
        let chars = Array(conninfo)
        let authorityStart = chars.firstIndex(of: ":")! + 3
        let pathStart = chars[authorityStart...].firstIndex { $0 == "/" || $0 == "?" } ?? chars.count
        let queryStart = chars[pathStart...].firstIndex(of: "?") ?? chars.count
        return String(chars[..<pathStart]) + "/" + name + String(chars[queryStart...])
    }
}
