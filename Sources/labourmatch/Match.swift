import ArgumentParser
import Batch
import Feeds
import Foundation
import Matching
import Postgres

/// `labourmatch match`: the whole computation of MATCHING.md on files, no database.
struct Match: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Match workers to vacancies offline, from feed files, and write the result files.",
        discussion: """
        Reads the six feeds (CSV or NDJSON, by extension), applies the \
        ethical-recruitment rules, scores and assigns, and writes into DIR: \
        matches.csv, exclusions.csv, summary.json, rejections.csv (and \
        candidates.csv with --candidates), as MATCHING.md section 7 defines \
        them. Rows that break a rule of FEEDS.md are left out of the run and \
        listed in rejections.csv; a whole-file problem (a missing, unknown or \
        repeated column, an unknown NDJSON key, an empty CSV file: no header, a \
        WHO list with a rejected row) stops with exit status 2 before \
        anything is written; an empty NDJSON file has no rows.

        Limits (README "Limits"): \(InputLimits.standard.summary). A larger \
        file, or policy file, stops the run with exit status 2; a longer record \
        is MALFORMED_ROW, a longer value or list INVALID_VALUE, deeper JSON \
        MALFORMED_ROW.

        The same input and policy always give byte-identical files.

        Example:
          labourmatch match --employers Fixtures/employers.csv \\
            --recruiters Fixtures/recruiters.csv --vacancies Fixtures/vacancies.csv \\
            --workers Fixtures/workers.csv --minimum-wages Fixtures/minimum-wages.csv \\
            --fx-rates Fixtures/fx-rates.csv --date 2026-11-29 --out out/fixtures
        """
    )

    @Option(help: ArgumentHelp("Employers feed.", valueName: "file")) var employers: String
    @Option(help: ArgumentHelp("Recruiters (licensed agencies) feed.", valueName: "file")) var recruiters: String
    @Option(help: ArgumentHelp("Vacancies feed.", valueName: "file")) var vacancies: String
    @Option(help: ArgumentHelp("Workers feed.", valueName: "file")) var workers: String
    @Option(help: ArgumentHelp("Minimum wages: country,monthly_amount,currency.", valueName: "file"))
    var minimumWages: String
    @Option(help: ArgumentHelp("Exchange rates: currency,usd_per_unit.", valueName: "file")) var fxRates: String
    @Option(help: ArgumentHelp("Policy TOML (MATCHING.md section 8); default: the built-in defaults.",
                               valueName: "file"))
    var policy: String?
    @Option(help: ArgumentHelp("WHO Health Workforce Support and Safeguards List (country,name,who_region); default: the project's copy of the 2023 edition. A list with a rejected row stops the run (exit status 2): a country left out would lose its safeguard.",
                               valueName: "file"))
    var whoList: String?
    @Option(help: ArgumentHelp("Run date D (default: today, UTC).", valueName: "YYYY-MM-DD")) var date: String?
    @Option(help: "Assignment strategy: stable (default), optimal or greedy.") var strategy: Strategy = .stable
    @Flag(help: "Also write candidates.csv (every acceptable pair).") var candidates = false
    @Option(help: ArgumentHelp("Directory for the result files (created when missing).", valueName: "dir"))
    var out: String
    @Flag(help: .hidden) var timings = false

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out needs a directory (give . for the current one)") }
        if let date, Day(date) == nil {
            throw ValidationError("--date '\(date)' is not a calendar day in the form YYYY-MM-DD")
        }
    }

    func run() async throws {
        let runDate = date.flatMap(Day.init) ?? Day.today()
        let files = RunInputFiles(
            employers: employers, recruiters: recruiters, vacancies: vacancies, workers: workers,
            minimumWages: minimumWages, fxRates: fxRates,
            whoList: whoList ?? ProjectFiles.whoList2023, policy: policy)
        // An --out no one can write into is bad usage found before the work, as for run and export.
        if let obstacle = OutputDirectory.probe(OutputDirectory.absolute(out)) {
            throw CommandLog.fail(CommandFailure("--out \(out): \(obstacle)"), status: 2)
        }
        // The project's copy of the WHO list is found from its home: a binary copied elsewhere
        // was told only that /x/Reference/... cannot be read.
        if whoList == nil, !FileManager.default.isReadableFile(atPath: files.whoList) {
            throw CommandLog.fail(CommandFailure(
                "\(files.whoList): cannot read the project's copy of the WHO list (in Reference/ of "
                + "\(ProjectHome.origin())): set LABOURMATCH_HOME to the project's directory, or give --who-list FILE"),
                status: 2)
        }
        let clock = ContinuousClock(), started = clock.now
        let inputs: RunInputs, codes: CodeLists
        do {
            codes = try CodeLists.system()
            inputs = try RunInputs.read(files, codes: codes)
        } catch let error as FeedFileError {
            throw CommandLog.fail(error, status: 2)
        } catch let error as PolicyError {
            throw CommandLog.fail(error, status: 2)
        } catch let error as CodeListError {
            throw CommandLog.fail(error, status: 1)
        }
        if inputs.input.whoList.isEmpty {
            // Allowed (a header alone is a list of no country), but it lifts every WHO safeguard.
            CommandLog.warn("the WHO list \(files.whoList) names no country: no pair can be refused "
                            + "WHO_SAFEGUARD_LIST in this run")
        }
        let parsed = clock.now
        let result = await MatchingEngine.run(input: inputs.input, policy: inputs.policy, date: runDate,
                                              strategy: strategy)
        let matched = clock.now
        let policySHA256 = inputs.policySHA256, inputSHA256 = inputs.inputSHA256
        let hashed = clock.now
        do {
            let dir = try OutputDirectory(path: out)
            try dir.writeRun(result, policySHA256: policySHA256, inputSHA256: inputSHA256, candidates: candidates,
                             also: [("rejections.csv", Array(RunInputs.rejectionsCSV(inputs.rejections).utf8))],
                             // Raw rows of the workers file among them: whatever it held about a person.
                             personal: ["rejections.csv"])
        } catch {
            // --out names a file, or a place this process may not write: bad usage (2); the
            // system failed (a full disk): 1.
            throw CommandLog.failWriting(error)
        }
        let written = clock.now
        print(Match.summary(result, inputs: inputs, isoCodesVersion: codes.version, out: out))
        if timings {
            let t = result.timings
            let steps: [(String, Duration)] = [
                ("parse", parsed - started), ("rules", t.rules), ("candidates", t.candidates),
                ("assign", t.assign), ("engine", matched - parsed), ("hash", hashed - matched),
                ("write", written - hashed),
                ("total", written - started),
            ]
            let eligiblePairs = result.counts.eligibleWorkers * result.counts.eligibleVacancies
            let line = steps.map { "\($0.0)=\(Match.seconds($0.1))" }
                + ["scored_pairs=\(t.scoredPairs)", "eligible_pairs=\(eligiblePairs)",
                   "all_pairs=\(result.counts.workers * result.counts.vacancies)",
                   "workers_count=\(result.counts.workers)", "vacancies_count=\(result.counts.vacancies)",
                   "candidates_count=\(result.counts.candidates)"]
            Console.error("timings " + line.joined(separator: " ") + "\n")
        }
    }

    /// A duration in seconds with three decimals, for `--timings`.
    static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    /// A few lines for the operator: what was read, rejected, excluded and matched.
    /// `isoCodesVersion`: the iso-codes the codes were checked against, which FEEDS.md records
    /// with every run (here, not in the result files: those depend on nothing of the host).
    static func summary(_ result: MatchingResult, inputs: RunInputs, isoCodesVersion: String, out: String) -> String {
        let c = result.counts
        let read = FeedKind.allCases.compactMap { kind in
            inputs.dataRows[kind].map { rows in
                let rejected = inputs.rejected(kind)
                return "  \(kind.rawValue): \(rows) rows, \(rows - rejected) accepted, \(rejected) rejected"
            }
        }
        return """
        run date \(result.runDate), strategy \(result.strategy.rawValue), WHO list \(result.whoListEdition), \
        iso-codes \(isoCodesVersion)
        \(read.joined(separator: "\n"))
        taking part: \(c.workers) workers, \(c.vacancies) vacancies (\(c.openings) openings); \
        eligible: \(c.eligibleWorkers) workers, \(c.eligibleVacancies) vacancies
        candidates: \(c.candidates); matched: \(c.matched); unmatched workers: \(c.unmatchedWorkers); \
        unfilled openings: \(c.unfilledOpenings); exclusions: \(result.exclusions.count)
        written to \(out)
        """
    }
}

extension Strategy: ExpressibleByArgument {}

extension Day {
    /// Today in UTC.
    static func today() -> Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return Day(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}

/// Files the project ships, found from its home directory.
enum ProjectFiles {
    /// The project's copy of the WHO safeguards list, 2023 edition.
    static var whoList2023: String {
        ProjectHome.directory().appendingPathComponent("Reference/who-safeguards-2023.csv").path
    }
}
