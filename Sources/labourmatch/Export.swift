import ArgumentParser
import Batch
import Feeds
import Foundation
import Matching
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

        With --inputs, also writes DIR/inputs/: the rows the run read (the \
        versions its snapshot recorded) as the seven feed files of FEEDS.md, \
        and its policy as policy.toml, and prints the `labourmatch match` \
        command that reproduces the run from them: the same input_sha256, \
        policy_sha256 and result files.

        Example:
          labourmatch export 3 --out audit/run-3 --inputs
        """
    )

    @Argument(help: "The run id (see `runs list`).") var runId: Int64
    @Option(help: ArgumentHelp("Directory for the files (created when missing).", valueName: "dir")) var out: String
    @Flag(help: "Also write the run's input rows and policy into DIR/inputs/ (feed files that reproduce the run).")
    var inputs = false
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        // Before the database's work: a directory that cannot be written is bad usage.
        if let why = OutputDirectory.obstacle(out) {
            throw CommandLog.fail(CommandFailure("--out \(out): \(why)"), status: 2)
        }
        let stored: RunResults?
        let run: RunRecord?
        var input: MatchingInput?
        do {
            let db = try database.connect(as: .runner, logger: CommandLog.logger("export"))
            defer { db.close() }
            run = try JobRepository.run(db, runId: runId)
            stored = run == nil ? nil : try RunResults.read(db, runId: runId)
            if inputs, stored != nil { input = try RunSnapshot.input(db, runId: runId) }
        } catch {
            throw CommandLog.fail(error)
        }
        guard let run else { throw CommandLog.fail(RunLookupError.noSuchRun(runId), status: 2) }
        guard let stored else { throw CommandLog.fail(RunLookupError.noResults(runId, run.status)) }
        var policy: Policy?
        if inputs {
            guard RunInputs.sha256Hex(run.policyText) == run.key.policySHA256,
                  let read = Policy(canonicalText: run.policyText) else {
                throw CommandLog.fail(RunLookupError.badPolicy(runId))
            }
            policy = read
        }
        do {
            let dir = try OutputDirectory(path: out)
            for file in stored.files { try dir.write(file.name, file.text) }
            print("run \(runId): wrote \(stored.files.map(\.name).joined(separator: ", ")) to \(out)")
            if let input, let policy {
                // Absolute, so that the printed command works from anywhere (and a path
                // beginning with `-` is not taken for an option).
                let inputsPath = OutputDirectory.absolute(out) + "/inputs"
                let inputsDir = try OutputDirectory(path: inputsPath)
                let files = FeedWriter.files(input)
                // Another run's WHO list, of another edition, must not lie beside this one's.
                for name in (try? FileManager.default.contentsOfDirectory(atPath: inputsPath)) ?? []
                where name.hasPrefix("who-list") && name.hasSuffix(".csv") && !files.contains(where: { $0.name == name }) {
                    try inputsDir.remove(name)
                }
                for file in files { try inputsDir.write(file.name, file.text) }
                try inputsDir.write("policy.toml", FeedWriter.policyTOML(policy))
                print("inputs: wrote \(files.map(\.name).joined(separator: ", ")), policy.toml to \(inputsPath)")
                print("reproduce: " + Export.matchCommand(inputs: inputsPath, run: run, whoListEdition: input.whoListEdition).joined(separator: " "))
            }
        } catch {
            throw CommandLog.failWriting(error)
        }
    }

    /// The `labourmatch match` command that reproduces `run` from the files in `inputs`
    /// (shell-quoted where a path needs it), writing into `<inputs>/../reproduced`.
    static func matchCommand(inputs: String, run: RunRecord, whoListEdition: String) -> [String] {
        func file(_ kind: FeedKind) -> String {
            shellQuoted((inputs as NSString).appendingPathComponent(
                FeedWriter.fileName(kind, whoListEdition: whoListEdition)))
        }
        let out = ((inputs as NSString).deletingLastPathComponent as NSString).appendingPathComponent("reproduced")
        return ["labourmatch", "match", "--employers", file(.employers), "--recruiters", file(.recruiters),
                "--vacancies", file(.vacancies), "--workers", file(.workers), "--minimum-wages", file(.minimumWages),
                "--fx-rates", file(.fxRates), "--who-list", file(.whoList),
                "--policy", shellQuoted((inputs as NSString).appendingPathComponent("policy.toml")),
                "--date", run.key.runDate.description, "--strategy", run.key.strategy.rawValue,
                "--out", shellQuoted(out)]
    }

    /// `text` as one shell word: as it is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = !text.isEmpty && text.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || "/._-+:,=@%".utf8.contains(b)
        }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
