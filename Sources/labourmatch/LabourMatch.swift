import ArgumentParser
import Batch
import Foundation
import Matching
import Store

/// The `labourmatch` command tree.
@main
struct LabourMatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labourmatch",
        abstract: "Match workers' skill profiles with employers' vacancies, ethically and explainably.",
        discussion: """
        Exit statuses: 0 success, 1 run failed (or any failure; also when what \
        was printed to standard output was lost), 2 bad usage or bad input, \
        3 another run holds the lock, 128 + N stopped by signal N (143 SIGTERM, \
        130 SIGINT).
        """,
        version: "labourmatch: engine \(MatchingEngine.version), migrations up to \(Migrator.builtWith)",
        subcommands: [Match.self, LoadCommand.self, FeedsCommand.self, RunCommand.self, Runs.self, Export.self,
                      Verify.self, ReportCommand.self, ExplainCommand.self, DB.self, BenchAssign.self]
    )

    /// Parses and runs, mapping argument-parser's usage errors (64) to the
    /// project's status 2 so schedulers see one code for "bad usage or input".
    static func main() async {
        Console.openClosedStandardDescriptors()
        // A pipe whose reader went away (`run | logger` after logger died, `runs list | head`)
        // makes a write fail with EPIPE rather than kill the process with SIGPIPE (status 141,
        // a run left started with its lease held): a lost message is dropped, lost standard
        // output is status 1, as for a full disk.
        signal(SIGPIPE, SIG_IGN)
        // `help nosuch` would print the top help with status 0: a typo that looks answered.
        if let word = unknownHelpTopic(Array(CommandLine.arguments.dropFirst())) {
            Console.error("labourmatch: error: no command '\(word.word)' to help with (labourmatch \(word.parent)--help "
                          + "lists them)\n")
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            // print's buffered output lost to a full disk would otherwise pass for success.
            if let reason = Console.outputFailure() {
                Console.error("labourmatch: error: the command's work is done, but its output to standard output "
                              + "was lost (\(reason))\n")
                Foundation.exit(1)
            }
        } catch {
            let code = exitCode(for: error)
            // A command group given without its subcommand (`labourmatch runs`) prints its help,
            // and argument-parser counts that as success: a scheduler's typo would look done.
            if error is CleanExit, code == .success,
               !CommandLine.arguments.dropFirst().contains(where: { $0.hasPrefix("-") || $0 == "help" }) {
                Console.error(fullMessage(for: error) + "\n\nlabourmatch: error: a subcommand is missing (see above)\n")
                Foundation.exit(2)
            }
            // Help (and the version): argument-parser's own printing would exit 0 whatever
            // became of the text (`--help > /dev/full`).
            if code == .success {
                print(fullMessage(for: error))
                if let reason = Console.outputFailure() {
                    Console.error("labourmatch: error: the help could not be written to standard output (\(reason))\n")
                    Foundation.exit(1)
                }
                Foundation.exit(0)
            }
            if code == .validationFailure {
                Console.error(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

extension LabourMatch {
    /// The first word after `help` that names no command at its place (`help runs nosuch`), if any,
    /// with the commands before it (`runs `). Words after a command without subcommands are its
    /// arguments (`help load employers`); `help help` is argument-parser's own.
    static func unknownHelpTopic(_ arguments: [String]) -> (word: String, parent: String)? {
        guard arguments.first == "help" else { return nil }
        var level = configuration.subcommands, parent = ""
        for word in arguments.dropFirst() where !word.hasPrefix("-") {
            if level.isEmpty || (parent.isEmpty && word == "help") { return nil }
            guard let command = level.first(where: { $0._commandName == word }) else { return (word, parent) }
            level = command.configuration.subcommands
            parent += word + " "
        }
        return nil
    }
}
