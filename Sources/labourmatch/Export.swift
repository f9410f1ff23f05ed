import ArgumentParser
import Batch
import Feeds
import Foundation
import Postgres
import Store

/// `labourmatch export RUN --out DIR`: a stored run's result files.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a stored run's result files (MATCHING.md section 7) into a directory.",
        discussion: """
        Writes matches.csv, exclusions.csv and summary.json, byte for byte what \
        `labourmatch match` writes for the same data, policy, date and strategy. \
        (candidates.csv is not stored: the run keeps each worker's top five \
        candidates in run_top_candidates; rejected feed rows belong to the loads.)
        """
    )

    @Argument(help: "The run id (see `runs list`).") var runId: Int64
    @Option(help: ArgumentHelp("Directory for the files (created when missing).", valueName: "dir")) var out: String
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let stored: RunResults?
        let run: RunRecord?
        do {
            let db = try database.connect(as: .runner, logger: CommandLog.logger("export"))
            defer { db.close() }
            run = try JobRepository.run(db, runId: runId)
            stored = run == nil ? nil : try RunResults.read(db, runId: runId)
        } catch {
            throw CommandLog.fail(error)
        }
        guard let run else { throw CommandLog.fail(RunLookupError.noSuchRun(runId), status: 2) }
        guard let stored else { throw CommandLog.fail(RunLookupError.noResults(runId, run.status)) }
        do {
            let dir = try OutputDirectory(path: out)
            for file in stored.files { try dir.write(file.name, file.text) }
        } catch {
            throw CommandLog.fail(error)
        }
        print("run \(runId): wrote \(stored.files.map(\.name).joined(separator: ", ")) to \(out)")
    }
}
