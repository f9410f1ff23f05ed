import ArgumentParser
import Batch
import Foundation
import Postgres

/// `labourmatch verify RUN`: recompute a stored run and compare.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute a stored run from its snapshot and confirm its stored results are identical.",
        discussion: """
        Reads exactly the row versions the run's snapshot recorded (not the \
        current ones), runs the engine with the run's stored policy, date and \
        strategy, and compares every stored table with the recomputation: \
        matches.csv, exclusions.csv, summary.json, the per-criterion breakdowns, \
        the top candidates and the participants. Exit status 0 when all are \
        identical, 1 with a summary of the differences when not.
        """
    )

    @Argument(help: "The run id (see `runs list`).") var runId: Int64
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let verification: Verification
        do {
            let db = try database.connect(logger: CommandLog.logger("verify"))
            defer { db.close() }
            verification = try await RunVerifier.verify(db, runId: runId)
        } catch let error as RunLookupError {
            if case .noSuchRun = error { throw CommandLog.fail(error, status: 2) }
            throw CommandLog.fail(error)
        } catch {
            throw CommandLog.fail(error)
        }
        if verification.isIdentical {
            print("run \(runId) verified: \(verification.tables.count) tables recomputed from its snapshot are identical "
                  + "(\(verification.tables.map(\.name).joined(separator: ", ")))")
            return
        }
        print("run \(runId) does NOT match its recomputation:")
        print(verification.diffSummary())
        throw ExitCode(1)
    }
}
