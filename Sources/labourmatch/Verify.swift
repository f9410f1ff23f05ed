import ArgumentParser
import Batch
import Foundation
import Postgres
import Store

/// `labourmatch verify RUN`: recompute a stored run and compare; check its link in the hash chain.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute a stored run from its snapshot, confirm its stored results are identical, check its hash chain link.",
        discussion: """
        Reads exactly the row versions the run's snapshot recorded (not the \
        current ones), runs the engine with the run's stored policy, date and \
        strategy, and compares every stored table with the recomputation: \
        matches.csv, exclusions.csv, summary.json, the per-criterion breakdowns, \
        the top candidates and the participants, and the input_sha256 of the \
        run record with the snapshot's (a difference there means a row version \
        the run read was changed after it; the output says how to find it), and \
        names snapshot rows whose version no longer exists. Then checks the run's link in \
        the hash chain: the SHA-256 of its stored rows against the one recorded \
        when it succeeded, and the link to the run that succeeded before it. \
        --chain checks every link (the hashes only, no recomputation) and names \
        each one that breaks, a linked run whose job instance is gone, and every \
        succeeded run without a link that finished after the chain began. --chain \
        --from-link N reads the stored rows again from link N on only: the links \
        before it are checked by their recorded hashes alone (each chain_sha256 \
        follows from them, each link holds its predecessor's, none is missing), \
        which takes seconds however long the chain; give the head you noted at \
        your last full check. Exit status 0 when all holds, 1 with a summary of \
        the differences when not (or a failure), 2 bad usage (no such run).
        """
    )

    @Argument(help: "The run id (see `runs list`).") var runId: Int64?
    @Flag(help: "Check every link of the hash chain instead of one run.") var chain = false
    @Option(name: .customLong("from-link"), help: ArgumentHelp(
        "With --chain: read the stored rows again from this link on only; earlier links by their recorded hashes.",
        valueName: "seq")) var fromLink: Int64?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if runId == nil, !chain { throw ValidationError("give a run id, or --chain") }
        if runId != nil, chain { throw ValidationError("give a run id or --chain, not both") }
        if fromLink != nil, !chain { throw ValidationError("--from-link goes with --chain") }
        if let fromLink, fromLink < 1 { throw ValidationError("--from-link must be 1 or more (links are numbered from 1)") }
    }

    func run() async throws {
        guard let runId else { return try verifyChain() }
        let verification: Verification
        do {
            let db = try database.connect(as: .auditor, logger: CommandLog.logger("verify"))
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
        } else {
            print("run \(runId) does NOT match its recomputation:")
            print(verification.diffSummary())
        }
        Verify.printChain(verification.chain)
        if !verification.holds { throw ExitCode(1) }
    }

    /// One line for a link that holds; the problems, each on a line, for one that does not.
    static func printChain(_ check: ChainCheck) {
        if let note = check.note, check.holds {
            print("chain: \(note)")
        } else if let link = check.link, check.holds {
            let previous = link.previousRunId.map { "run \($0)" } ?? "the start of the chain"
            print("chain: link \(link.seq) holds: run \(check.runId)'s stored rows hash to its outputs_sha256 "
                  + "\(link.outputsSHA256.prefix(16))..., linked to \(previous); chain_sha256 \(link.chainSHA256)")
        } else {
            print("chain: run \(check.runId) FAILS:")
            for p in check.problems { print("  \(p)") }
        }
    }

    private func verifyChain() throws {
        let checks: [ChainCheck]
        do {
            let db = try database.connect(as: .auditor, logger: CommandLog.logger("verify"))
            defer { db.close() }
            checks = try RunChain.checkAll(db, rowsFrom: fromLink ?? 1)
        } catch {
            throw CommandLog.fail(error)
        }
        let broken = checks.filter { !$0.holds }
        for check in broken { Verify.printChain(check) }
        let links = checks.filter { $0.link != nil }
        if let fromLink, fromLink > 1, let last = links.last?.link?.seq {
            // Said before the verdict, so that "all N links hold" is never read as every row reread.
            print(fromLink > last
                  ? "chain: --from-link \(fromLink): the chain ends at link \(last), so no stored rows were read again; "
                    + "every link was checked by its recorded hashes alone"
                  : "chain: the stored rows of links \(fromLink) to \(last) were read again; links 1 to \(fromLink - 1) "
                    + "were checked by their recorded hashes alone (verify --chain without --from-link reads them all)")
        }
        let strays = checks.count - links.count
        if !broken.isEmpty {
            let failing = broken.count - strays
            let outside = "\(strays) succeeded run(s) outside the chain that should be in it"
            print("chain: " + (failing == 0 ? "FAILS: all \(links.count) links hold, but \(outside)"
                                : "\(failing) of \(links.count) links FAIL" + (strays > 0 ? "; \(outside)" : "")))
            throw ExitCode(1)
        }
        guard let head = links.last?.link else {
            print("chain: no run has succeeded since the hash chain began")
            return
        }
        print("chain: all \(links.count) links hold; head: link \(head.seq), run \(head.runId), chain_sha256 \(head.chainSHA256)")
    }
}
