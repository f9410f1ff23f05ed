import ArgumentParser
import Batch
import Feeds
import Foundation
import Postgres

extension ReportOutput: ExpressibleByArgument {}

/// `labourmatch report RUN --format html|md|csv|json --out PATH [--compare OTHER_RUN]`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the audit report of a stored run: HTML, Markdown, CSV or JSON.",
        discussion: """
        Everything comes from the stored run (its rows, summary and snapshot), so the \
        same run gives byte-identical reports. Formats:
          html  one self-contained page (inline CSS and SVG charts, no script, prints on A4): \
        header and step timings, headline figures, charts (fit distribution, matches by \
        destination and ISCO major group, exclusions by reason, corridors), every exclusion \
        reason with its rule and source, match rates and impact ratios by gender and by \
        origin country, each match with its five criteria, weights, the worker's rank and \
        the essential skills it lacks and its wage, the exchange rates and minimum wages read, \
        the loads its rows came from (file SHA-256, iso-codes version), unmatched workers and \
        unfilled openings with their main reason, and with --compare what changed since the \
        other run
          md    the same content as Markdown tables, without the charts
          csv   the match table with the breakdown columns
          json  the HTML content with every match, keys in a fixed order (README, "Reports"); \
        exclusions are counted and sampled: `export` writes every row (exclusions.csv)
        Exit statuses: 0 written; 1 a failure (a run without stored results, the database); \
        2 bad usage (no such run, an --out that cannot be written).
        Examples:
          labourmatch report 3 --out runs/3/audit.html
          labourmatch report 4 --format md --out audit.md --compare 3
        """
    )

    @Argument(help: "The run id (see `runs list`).") var runId: Int64
    @Option(help: ArgumentHelp("The report format (default: from --out's extension, .html, .md, .csv or .json; else html).",
                               valueName: "format")) var format: ReportOutput?
    @Option(help: ArgumentHelp("The file to write (`-` for standard output).", valueName: "path")) var out: String
    @Option(help: ArgumentHelp("Another run to compare with: new, lost and changed matches, and why.",
                               valueName: "other-run")) var compare: Int64?
    @OptionGroup var database: DatabaseOptions

    /// The format of a path's extension (`audit.md`), or nil.
    static func format(ofPath path: String) -> ReportOutput? {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm": return .html
        case "md", "markdown": return .md
        case "csv": return .csv
        case "json": return .json
        default: return nil
        }
    }

    func validate() throws {
        // The csv report is the match table alone: a --compare would be dropped without a word.
        if compare != nil, (format ?? Self.format(ofPath: out) ?? .html) == .csv {
            throw ValidationError("--compare is not part of the csv report (the match table): give --format html, md or json")
        }
    }

    func run() throws {
        let named = Self.format(ofPath: out)
        let format = self.format ?? named ?? .html
        if let named, named != format {
            CommandLog.warn("--out \(out) names a .\((out as NSString).pathExtension) file, but --format \(format.rawValue) "
                            + "writes \(format.rawValue)")
        }
        // Before the database's work: a path that cannot be written is bad usage.
        // The file is renamed into place: a symbolic link is refused rather than replaced
        // (`--out -` writes to standard output).
        if out != "-", let why = OutputDirectory.fileObstacle(out) {
            throw CommandLog.fail(CommandFailure("--out \(out.isEmpty ? "''" : out): \(why)"), status: 2)
        }
        let (current, other) = try database.readingRuns("report") { db in
            (try RunData.load(db, runId: runId), try compare.map { try RunData.load(db, runId: $0) })
        }
        CommandLog.warnUnfinished(current.run)
        if let other, other.run.runId != current.run.runId { CommandLog.warnUnfinished(other.run) }
        let report = AuditReport(current: current, other: other)
        let bytes = format.render(report)
        if out == "-" {
            do {
                try FileHandle.standardOutput.write(contentsOf: Data(bytes))
            } catch {
                throw CommandLog.failWritingStandardOutput("the report", error)
            }
            return
        }
        do {
            try OutputDirectory.writeFile(out, bytes: bytes)
        } catch {
            throw CommandLog.failWriting(error)
        }
        print("run \(runId): wrote the \(format.rawValue) report to \(TerminalText.path(out))")
    }

}

/// `labourmatch explain RUN --worker W [--vacancy V]`.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain in the terminal why a worker got its match in a stored run, and why not a vacancy; or a vacancy's matches.",
        discussion: """
        Prints the worker's status (eligible, excluded and why, with each rule's source and \
        the values it read: wages and minimum in USD, birth year, licence expiry, hours), \
        its match with the five criteria, their weights and weighted shares, the worker's \
        rank of the vacancy and the essential skills it lacks, its best candidates by fit \
        and why each other one was not matched, and the pairs the pair rules refused. \
        With --vacancy, why that pair was not matched: not taking part, an exclusion \
        (worker, vacancy or pair), a fit below min_fit, the worker's own conditions, or \
        outranked, with the pair's fit and criteria. Outranked says which holds: the worker \
        got a vacancy it ranks higher (stable, optimal), or was matched earlier in the greedy \
        order (greedy); the vacancy's openings went to workers it ranks higher (higher fit, or \
        the same fit and a smaller id); under optimal, that the matching of the largest fit \
        sum placed them otherwise (MATCHING.md section 6).
        With --vacancy alone, the vacancy: its exclusions with what each rule read, its \
        matches by fit with each worker's rank of it, its unfilled openings with the \
        report's reasons (excluded, too few candidates, outranked), and the workers the \
        pair rules refused, by rule.
        Exit statuses: 0 explained; 2 no such run, or a worker or vacancy not in its \
        snapshot; 1 a row version it read removed since (what can be said is printed \
        first), or any other failure.
        Examples: labourmatch explain 3 --worker W0007 --vacancy V012
                  labourmatch explain 3 --vacancy V012
        """
    )

    @Argument(help: "The run id (see `runs list`).") var runId: Int64
    // An id may begin with `-` (FEEDS.md allows it): it is then given as --worker=-x, since
    // `--worker -x` reads -x as an option (and `--worker --vacancy V` must not take --vacancy).
    @Option(help: ArgumentHelp("The worker id (one beginning with '-' as --worker=-x).", valueName: "id"))
    var worker: String?
    @Option(help: ArgumentHelp("A vacancy id: why the worker was not matched with it; alone, the vacancy's matches and "
                               + "unfilled openings (one beginning with '-' as --vacancy=-x).", valueName: "id"))
    var vacancy: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        // An unset shell variable: "worker  is not in run 3's snapshot" read as a typo of the run.
        if worker?.isEmpty == true { throw ValidationError("--worker is empty") }
        if vacancy?.isEmpty == true { throw ValidationError("--vacancy is empty") }
        if worker == nil && vacancy == nil { throw ValidationError("give --worker W, --vacancy V, or both") }
    }

    func run() throws {
        guard let worker else { return try explainVacancy(vacancy!) }
        let data = try database.readingRuns("explain") {
            try RunData.load($0, runId: runId, worker: worker, vacancy: vacancy)
        }
        CommandLog.warnUnfinished(data.run)
        do {
            let (text, gone, evidenceGone) = try Explanation.explain(data, worker: worker, vacancy: vacancy)
            print(text, terminator: "")
            // Every part of the explanation that a removed row left incomplete, named together
            // (only the first was named, a review, session 21).
            let vacancies = gone.map { "vacancy \($0)" }
            let money = Explanation.moneyRowsGone(data, worker: worker)
            try failIncomplete([
                vacancies.isEmpty ? nil : "\(Self.rows(vacancies)), which run \(runId) read, \(vacancies.count == 1 ? "is" : "are") no "
                    + "longer in the database (removed after the run): what is said of \(vacancies.count == 1 ? "it" : "them") "
                    + "above is incomplete",
                incompleteEvidence(evidenceGone),
                money.isEmpty ? nil : "\(Self.rows(money)), which run \(runId) read, \(money.count == 1 ? "is" : "are") no longer "
                    + "in the database (removed after the run): what is said above of wages (the worker's minimum, its "
                    + "preferences between vacancies, why a vacancy is not a candidate) is read without "
                    + "\(money.count == 1 ? "it" : "them") and may be wrong",
            ].compactMap { $0 })
        } catch let failure as Explanation.Failure {
            // An unknown id is bad input; a version removed after the run is not the caller's fault.
            throw CommandLog.fail(failure, status: failure.isBadInput ? 2 : 1)
        }
    }

    /// `--vacancy` alone: the vacancy's matches and unfilled openings, from its rows only.
    private func explainVacancy(_ vacancy: String) throws {
        let data = try database.readingRuns("explain") { try RunData.load($0, runId: runId, vacancy: vacancy) }
        CommandLog.warnUnfinished(data.run)
        do {
            let (text, evidenceGone) = try Explanation.explainVacancyTold(data, vacancy: vacancy)
            print(text, terminator: "")
            try failIncomplete([incompleteEvidence(evidenceGone)].compactMap { $0 })
        } catch let failure as Explanation.Failure {
            throw CommandLog.fail(failure, status: failure.isBadInput ? 2 : 1)
        }
    }

    /// `the version row of X` / `the version rows of X, Y`.
    private static func rows(_ named: [String]) -> String {
        "the version row\(named.count == 1 ? "" : "s") of \(named.joined(separator: ", "))"
    }

    /// The sentence for a rule's evidence that could not be told (`Explanation.EvidenceLines.gone`).
    private func incompleteEvidence(_ evidenceGone: [String]?) -> String? {
        guard let evidenceGone else { return nil }
        let named = evidenceGone.filter { !$0.isEmpty }
        return (named.isEmpty ? "a row version" : Self.rows(named)) + " that run \(runId)'s rules read "
            + "\(named.count > 1 ? "are" : "is") no longer in the database (removed after the run): what the rules read, "
            + "above, is incomplete"
    }

    /// Status 1 naming every problem, when there is one.
    private func failIncomplete(_ problems: [String]) throws {
        guard !problems.isEmpty else { return }
        throw CommandLog.fail(CommandFailure(problems.joined(separator: "; and ") + "; labourmatch verify \(runId) names "
                                             + "what changed"), status: 1)
    }
}

extension DatabaseOptions {
    /// Runs `body` on a new connection; a run that does not exist ends the command with
    /// status 2 (bad input), any other failure with status 1.
    func readingRuns<T>(_ label: String, _ body: (Connection) throws -> T) throws -> T {
        do {
            let db = try connect(as: .auditor, logger: CommandLog.logger(label))
            defer { db.close() }
            return try body(db)
        } catch let error as RunLookupError {
            if case .noSuchRun = error { throw CommandLog.fail(error, status: 2) }
            throw CommandLog.fail(error)
        } catch {
            throw CommandLog.fail(error)
        }
    }
}
