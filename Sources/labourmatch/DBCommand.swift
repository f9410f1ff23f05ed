import ArgumentParser
import Batch
import Feeds
import Foundation
import Logging
import Postgres

/// `labourmatch db`: the database's schema and tools.
struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the PostgreSQL database: migrations, their status, the roles.",
        subcommands: [DBMigrate.self, DBStatus.self, DBRoles.self, DBBenchCopy.self, DBBenchRead.self]
    )
}

/// Logging to stderr, set up once per process, and the CLI's one-line failure messages.
enum CommandLog {
    private static let bootstrapped: Void = {
        let text = ProcessInfo.processInfo.environment["LABOURMATCH_LOG_LEVEL"] ?? ""
        let level = Logger.Level(rawValue: text)
        if !text.isEmpty, level == nil {
            Console.error("labourmatch: warning: LABOURMATCH_LOG_LEVEL=\(text) is not a level ("
                + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ") + "); logging at info\n")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level ?? .info
            return handler
        }
    }()

    /// A logger writing one line per event to stderr (level from `LABOURMATCH_LOG_LEVEL`, default info).
    static func logger(_ label: String) -> Logger {
        _ = bootstrapped
        return Logger(label: label)
    }

    /// Prints `labourmatch: error: ...` on stderr and ends the command with `status`
    /// (1 a failure, 2 bad usage or bad input). A connection that can never be opened (a
    /// connection string libpq cannot parse, a missing database or role, a refused login) is
    /// bad usage whatever the command: 2, as `run` says before its first step.
    static func fail(_ error: any Error, status: Int32 = 1) -> ExitCode {
        let status = (error as? PostgresError)?.isPermanentConnectionFailure == true ? 2 : status
        // A table of the project missing: the database was not migrated (or is another one); a
        // column, type or function missing, or a table its role may not touch: its migrations
        // may be behind this labourmatch (an upgrade without `db migrate`).
        let postgres = error as? PostgresError
        let behind: Set<String> = ["42703", "42704", "42883"]
        let hint = postgres?.isUndefinedTable == true ? " (has this database been migrated? labourmatch db migrate)"
            : postgres.map { behind.contains($0.sqlState ?? "") } == true
                ? " (is this database's schema behind this labourmatch? labourmatch db status says; labourmatch db migrate applies what is pending)"
            // A table or function of the project the role may not use: a login without the
            // role's rights, or grants of migrations not applied yet.
            : postgres.map { $0.sqlState == "42501" && ($0.message.contains("permission denied for table")
                                                       || $0.message.contains("permission denied for function")) } == true
                ? " (labourmatch db roles says what this login may act as; labourmatch db status says whether migrations are pending)"
            : ""
        Console.error("labourmatch: error: \(TerminalText.message("\(error)\(hint)"))\n")
        return ExitCode(status)
    }

    /// `fail` for an error writing output files: status 2 when the path names a file, or a place
    /// this process may not write (bad usage), else 1 (a full disk).
    static func failWriting(_ error: any Error) -> ExitCode {
        fail(error, status: (error as? OutputDirectory.Failure)?.isBadPath == true ? 2 : 1)
    }

    /// `fail` for a write to standard output that failed (a closed pipe, a full disk): status 1.
    /// `what` names what was lost ("the report").
    static func failWritingStandardOutput(_ what: String, _ error: any Error) -> ExitCode {
        let reason = OutputDirectory.posixCode(error) == EBADF ? Console.closedStandardOutput : OutputDirectory.systemReason(error)
        return fail(CommandFailure("cannot write \(what) to standard output (\(reason))"), status: 1)
    }

    /// A warning for a run whose results are stored but which has not succeeded (it is still
    /// running, or stopped in its report step): what is shown of it is not sealed yet.
    static func warnUnfinished(_ run: RunRecord) {
        guard run.status != .succeeded else { return }
        warn("run \(run.runId) has not finished (status \(run.status.rawValue)): its results are stored, but it is "
             + "still running or stopped before its last step, and its hash chain link is not written yet "
             + "(labourmatch runs show \(run.runId) says which)")
    }

    /// Prints `labourmatch: warning: ...` on stderr.
    static func warn(_ text: String) {
        Console.error("labourmatch: warning: \(TerminalText.message(text))\n")
    }
}

/// A failure described by a sentence, for errors the CLI finds itself.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
