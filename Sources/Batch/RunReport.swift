import Feeds
import Foundation
import Store

/// The report step's files: the section 7 files of a stored run and a short
/// `report.md` (what ran, with which inputs, how each step went). The HTML audit
/// report is a later piece of work.
public enum RunReport {
    /// Writes the stored run's files and `report.md` into `dir` (created when
    /// missing), each file atomically; returns the number of files written.
    @discardableResult
    public static func write(run: RunRecord, executions: [ExecutionRecord], results: RunResults,
                             to dir: String) throws -> Int {
        let out = try OutputDirectory(path: dir)
        for file in results.files { try out.write(file.name, file.text) }
        try out.write("report.md", markdown(run: run, executions: executions, results: results))
        return results.files.count + 1
    }

    /// `report.md`: the run's identity, fingerprints, summary and step timings.
    public static func markdown(run: RunRecord, executions: [ExecutionRecord], results: RunResults) -> String {
        let stamp = ISO8601DateFormatter()
        func time(_ d: Date?) -> String { d.map { stamp.string(from: $0) } ?? "" }
        func cell(_ v: Int?) -> String { v.map(String.init) ?? "" }
        var md = """
            # LabourMatch run \(run.runId)

            | | |
            |---|---|
            | job | \(run.key.jobName) |
            | run date | \(run.key.runDate) |
            | scope | \(run.key.scope) |
            | strategy | \(run.key.strategy.rawValue) |
            | run of this instance | \(run.number) |
            | policy_sha256 | `\(run.key.policySHA256)` |
            | input_sha256 | `\(run.inputSHA256 ?? "")` |
            | WHO list edition | \(run.whoListEdition ?? "") |
            | engine | \(run.engineVersion) |

            Files here (MATCHING.md section 7): `matches.csv`, `exclusions.csv`, `summary.json`.
            Recompute and compare them with `labourmatch verify \(run.runId)`; export them
            again with `labourmatch export \(run.runId) --out DIR`. Per-criterion breakdowns,
            each worker's top five candidates and candidate counts are in the tables
            `run_matches`, `run_top_candidates` and `run_participants`.

            ## Effective policy (canonical text; its SHA-256 is policy_sha256)

            ```
            \(run.policyText.trimmingCharacters(in: .newlines))
            ```

            ## Summary

            ```json
            \(results.summaryJSON.trimmingCharacters(in: .newlines))
            ```

            ## Executions and steps

            """
        for e in executions {
            md += "\n### Execution \(e.executionId): \(e.status.rawValue)\n\n"
            md += "Host \(e.host), pid \(e.pid), started \(time(e.startedAt)), resumed at step `\(e.resumedAt.rawValue)`"
            md += e.endedAt.map { ", ended \(time($0))" } ?? ""
            md += e.message.map { ". \($0)" } ?? ""
            md += ".\n\n| step | status | started | ms | rows read | rows written | attempts |\n"
            md += "|---|---|---|---:|---:|---:|---:|\n"
            for s in e.steps {
                md += "| \(s.step.rawValue) | \(s.status.rawValue) | \(time(s.startedAt)) | \(cell(s.durationMs)) "
                md += "| \(cell(s.rowsRead)) | \(cell(s.rowsWritten)) | \(s.attempts) |\n"
            }
        }
        return md
    }
}
