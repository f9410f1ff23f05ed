import Foundation

/// Where the LabourMatch project lives: `LABOURMATCH_HOME`, else the clone this binary was built from.
///
/// The dev cluster (`.pgdata/`), the migrations (`Schema/`) and the shipped
/// reference data (`Reference/`) are found relative to it.
public enum ProjectHome {
    /// `LABOURMATCH_HOME` when set and not empty, else `builtFrom`.
    public static func directory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let home = environment["LABOURMATCH_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home, isDirectory: true).standardizedFileURL
        }
        return builtFrom
    }

    /// Where the home came from, for messages about a file missing there: `LABOURMATCH_HOME=/srv/lm`,
    /// or the clone this binary was built from when the variable is not set.
    public static func origin(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["LABOURMATCH_HOME"], !home.isEmpty {
            return "the project's home, LABOURMATCH_HOME=\(home)"
        }
        return "the project's home, the clone this labourmatch was built from (\(builtFrom.path)), since "
            + "LABOURMATCH_HOME is not set"
    }

    /// The clone whose sources were compiled: this file is `Sources/Postgres/ProjectHome.swift` in it.
    public static let builtFrom: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Sources/Postgres
        .deletingLastPathComponent()   // Sources
        .deletingLastPathComponent()   // the clone
}
