import ArgumentParser
import Batch
import Foundation
import Postgres
import Store

/// `labourmatch runs`: the job repository, for operators and auditors.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List stored runs, or show one run's executions and steps.",
        discussion: "Exit statuses: 0 shown; 1 a failure (the database); 2 bad usage (no such run).",
        subcommands: [RunsList.self, RunsShow.self]
    )
}

/// `labourmatch runs list`: the most recent runs.
struct RunsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the most recent runs.",
        discussion: """
        Newest first. Columns: run id; run date; scope; strategy; the first 12 hex digits of \
        policy_sha256; # (the run's number within its job instance: 2, 3, ... after --rerun); \
        status (started, failed, succeeded); executions (processes that worked on it: more \
        than 1 after a restart); matched (matches stored, - before the persist step); \
        finished (UTC). `labourmatch runs show RUN` gives one run in full.
        """)

    @Option(parsing: .unconditional, help: "How many runs to list (1 or more).") var limit = 20
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be 1 or more") }
    }

    func run() throws {
        let listing: [RunListing]
        do {
            let db = try database.connect(as: .auditor, logger: CommandLog.logger("runs"))
            defer { db.close() }
            listing = try JobRepository.listing(db, limit: limit)
        } catch {
            throw CommandLog.fail(error)
        }
        if listing.isEmpty { print("no runs"); return }
        var rows = [["run", "date", "scope", "strategy", "policy", "#", "status", "executions", "matched", "finished"]]
        for l in listing {
            let r = l.run
            rows.append([String(r.runId), r.key.runDate.description, r.key.scope, r.key.strategy.rawValue,
                         String(r.key.policySHA256.prefix(12)), String(r.number), r.status.rawValue,
                         String(l.executions), l.matched.map(String.init) ?? "-", timestamp(r.finishedAt)])
        }
        print(table(rows))
    }
}

/// `labourmatch runs show RUN`: a run's identity, fingerprints, executions and steps.
struct RunsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show",
                                                    abstract: "Show a run: its executions and their steps with timings.")

    @Argument(help: "The run id (see `runs list`).") var runId: Int64
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let run: RunRecord?
        let executions: [ExecutionRecord]
        let link: ChainLink?
        let loads: [RunSnapshot.LoadRead]
        do {
            let db = try database.connect(as: .auditor, logger: CommandLog.logger("runs"))
            defer { db.close() }
            run = try JobRepository.run(db, runId: runId)
            executions = run == nil ? [] : try JobRepository.executions(db, runId: runId)
            link = run == nil ? nil : try RunChain.link(db, runId: runId)
            loads = run == nil ? [] : try RunSnapshot.loads(db, runId: runId)
        } catch {
            throw CommandLog.fail(error)
        }
        guard let run else { throw CommandLog.fail(RunLookupError.noSuchRun(runId), status: 2) }
        print("""
            run \(run.runId): \(run.status.rawValue)
              instance  \(run.key.jobName) \(run.key.runDate), scope \(run.key.scope), strategy \(run.key.strategy.rawValue), run \(run.number) of it
              policy    sha256 \(run.key.policySHA256)
              input     sha256 \(run.inputSHA256 ?? "-")
              WHO list  \(run.whoListEdition ?? "-")
              iso-codes \(Runs.isoCodesLine(loads))
              engine    \(TerminalText.message(run.engineVersion))
              created   \(timestamp(run.createdAt)), finished \(timestamp(run.finishedAt))
              report    \(TerminalText.message(run.reportDir ?? "-"))
              chain     \(link.map { "link \($0.seq), outputs sha256 \($0.outputsSHA256), chain sha256 \($0.chainSHA256)" } ?? "-")
            """)
        print("  effective policy:")
        print(run.policyText.split(separator: "\n").map { "    \(TerminalText.message(String($0)))" }.joined(separator: "\n"))
        for e in executions {
            print("execution \(e.executionId): \(e.status.rawValue), host \(TerminalText.message(e.host)), pid \(e.pid), "
                  + "started \(timestamp(e.startedAt)), ended \(timestamp(e.endedAt)), "
                  + (e.resumedAt == .snapshot ? "from the first step" : "resumed at step \(e.resumedAt.rawValue)"))
            if let message = e.message { print("  \(TerminalText.message(message))") }
            var rows = [["step", "status", "started", "ended", "ms", "read", "written", "attempts"]]
            for s in e.steps {
                rows.append([s.step.rawValue, s.status.rawValue, timestamp(s.startedAt), timestamp(s.endedAt),
                             s.durationMs.map(String.init) ?? "-", s.rowsRead.map(String.init) ?? "-",
                             s.rowsWritten.map(String.init) ?? "-", String(s.attempts)])
            }
            print(table(rows, indent: "  "))
            for s in e.steps { if let m = s.message { print("  \(s.step.rawValue): \(TerminalText.message(m))") } }
        }
    }
}

/// ISO 8601 in UTC, or `-`.
func timestamp(_ date: Date?) -> String {
    date.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
}

/// Rows as left-aligned columns separated by two spaces.
func table(_ rows: [[String]], indent: String = "") -> String {
    let widths = rows.reduce(into: [Int]()) { w, row in
        for (i, cell) in row.enumerated() {
            if i < w.count { w[i] = max(w[i], cell.count) } else { w.append(cell.count) }
        }
    }
    return rows.map { row in
        indent + row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

extension Runs {
    /// `4.15.0 (of the 6 loads its snapshot read; report lists them)`, or `-` before the snapshot.
    static func isoCodesLine(_ loads: [RunSnapshot.LoadRead]) -> String {
        let checked = loads.filter { $0.isoCodesVersion != nil }
        guard !checked.isEmpty else { return "-" }
        let n = checked.count
        return RunSnapshot.isoCodesVersions(loads).joined(separator: ", ")
            + " (of the \(n) load\(n == 1 ? "" : "s") its rows came from; `report` lists them)"
    }
}
