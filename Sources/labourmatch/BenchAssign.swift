import ArgumentParser
import Foundation
import Matching

/// `labourmatch bench-assign` (hidden): times one assignment strategy alone on
/// a candidate graph written by `match --candidates`, for `Scripts/bench compare`.
///
/// Reading the files and building the `AssignmentProblem` are not timed; the
/// time is that of `AssignmentProblem.solve` (which builds the strategy's own
/// structures: preference lists, the flow network), best of `--runs`; for
/// `stable` also that of the proposals alone, after the preference lists.
struct BenchAssign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-assign",
        abstract: "Time one assignment strategy on a candidates.csv (for Scripts/bench compare).",
        shouldDisplay: false
    )

    @Option(help: ArgumentHelp("candidates.csv written by `match --candidates`.", valueName: "file"))
    var candidates: String
    @Option(help: ArgumentHelp("vacancy_id,openings with a header line.", valueName: "file"))
    var capacities: String
    @Option(help: "Assignment strategy.") var strategy: Strategy = .stable
    @Option(help: "Timed runs; the best is reported.") var runs = 5
    @Option(help: ArgumentHelp("Write the matched pairs here (worker_id,vacancy_id, by worker).", valueName: "file"))
    var matches: String?

    func run() throws {
        let graph: CandidateGraph
        do {
            graph = try CandidateGraph(candidates: candidates, capacities: capacities)
        } catch {
            throw CommandLog.fail(error, status: 2)
        }
        let clock = ContinuousClock()
        var best = Duration.seconds(Int64.max / 2), bestProposals = best, matched: [Int] = []
        for _ in 0..<max(1, runs) {
            let start = clock.now
            if strategy == .stable {
                // Also the proposals alone: the part the `matching` package's solve() does.
                let (m, setup, proposals) = graph.problem.stableTimed()
                matched = m
                best = min(best, setup + proposals)
                bestProposals = min(bestProposals, proposals)
            } else {
                matched = graph.problem.solve(strategy)
                best = min(best, clock.now - start)
            }
        }
        let pairs = matched.map { graph.problem.candidates[$0] }
        if let matches {
            var text = "worker_id,vacancy_id\n"
            for c in pairs { text += "\(graph.workerIds[c.worker]),\(graph.vacancyIds[c.vacancy])\n" }
            try Data(text.utf8).write(to: URL(fileURLWithPath: matches))
        }
        func seconds(_ d: Duration) -> String {
            String(format: "%.7f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        let proposals = strategy == .stable ? " proposals_seconds=\(seconds(bestProposals))" : ""
        print("strategy=\(strategy.rawValue) seconds=\(seconds(best))\(proposals) runs=\(max(1, runs))",
              "workers=\(graph.workerIds.count) vacancies=\(graph.vacancyIds.count)",
              "candidates=\(graph.problem.candidates.count) matched=\(pairs.count)",
              "fit_sum_micro=\(pairs.reduce(0) { $0 + $1.fitMicro }) rank_sum=\(pairs.reduce(0) { $0 + $1.workerRank })")
    }
}

/// A candidate graph read back from `candidates.csv` and a capacities file,
/// with ids numbered in byte order (as the engine numbers them, so ties break alike).
struct CandidateGraph {
    let workerIds: [String]
    let vacancyIds: [String]
    let problem: AssignmentProblem

    init(candidates: String, capacities: String) throws {
        let rows = try CandidateGraph.lines(candidates, columns: 4)
        let openings = try CandidateGraph.lines(capacities, columns: 2)
        func byteSorted(_ ids: Set<Substring>) -> [String] {
            ids.map(String.init).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        workerIds = byteSorted(Set(rows.map { $0[0] }))
        vacancyIds = byteSorted(Set(rows.map { $0[1] }))
        let workerIndex = Dictionary(uniqueKeysWithValues: workerIds.enumerated().map { ($1, $0) })
        let vacancyIndex = Dictionary(uniqueKeysWithValues: vacancyIds.enumerated().map { ($1, $0) })
        var capacity = [Int](repeating: 0, count: vacancyIds.count)
        for row in openings {
            guard let v = vacancyIndex[String(row[0])] else { continue }
            guard let n = Int(row[1]) else { throw CommandFailure("\(capacities): '\(row[1])' is not an integer") }
            capacity[v] = n
        }
        let list = try rows.map { row -> Candidate in
            guard let fit = CandidateGraph.micro(row[2]), let rank = Int(row[3]) else {
                throw CommandFailure("\(candidates): bad fit or rank in '\(row.joined(separator: ","))'")
            }
            return Candidate(worker: workerIndex[String(row[0])]!, vacancy: vacancyIndex[String(row[1])]!,
                             fitMicro: fit, workerRank: rank)
        }
        problem = AssignmentProblem(workerCount: workerIds.count, capacities: capacity, candidates: list)
    }

    /// The data lines of a headed CSV without quoting, each cut into `columns` fields.
    static func lines(_ path: String, columns: Int) throws -> [[Substring]] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        return try text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns else { throw CommandFailure("\(path): expected \(columns) fields in '\(line)'") }
            return fields
        }
    }

    /// `0.565000` as 565000.
    static func micro(_ text: Substring) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 6, let whole = Int(parts[0]), let frac = Int(parts[1]) else { return nil }
        return whole * 1_000_000 + frac
    }
}
