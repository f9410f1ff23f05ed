import ArgumentParser

/// The `labourmatch` command tree.
@main
struct LabourMatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labourmatch",
        abstract: "Match workers' skill profiles with employers' vacancies, ethically and explainably.",
        subcommands: [DB.self]
    )
}
