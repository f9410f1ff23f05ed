import Feeds
import Foundation
import Matching
import Postgres
import Store

/// How one table of a stored run compares with its recomputation.
public struct TableComparison: Sendable, Hashable {
    public var name: String
    /// Lines (rows) of the stored table that the recomputation lacks, and the reverse.
    public var onlyStored: [String]
    public var onlyRecomputed: [String]
    /// The same lines in another order.
    public var reordered: Bool

    public var isIdentical: Bool { onlyStored.isEmpty && onlyRecomputed.isEmpty && !reordered }
}

/// The outcome of `verify`: each table compared, and the engines involved.
public struct Verification: Sendable {
    public var run: RunRecord
    public var tables: [TableComparison]
    /// The engine that stored the run and the one that recomputed it.
    public var storedEngine: String
    public var recomputingEngine: String

    /// The run's link in the hash chain: its outputs hash as stored now, and the link to the previous run.
    public var chain: ChainCheck
    /// Snapshot rows naming a version that no longer exists (`RunSnapshot.missingVersions`).
    public var missingVersions: [String] = []

    public var isIdentical: Bool { tables.allSatisfy(\.isIdentical) && missingVersions.isEmpty }
    /// The name of the comparison of the run record's `input_sha256` with the snapshot's.
    public static let inputTable = "input_sha256 of the run record"
    /// The tables are identical and the chain holds.
    public var holds: Bool { isIdentical && chain.holds }

    /// A few lines per differing table: counts and the first differing rows.
    public func diffSummary(examples: Int = 5) -> String {
        var lines: [String] = []
        if !missingVersions.isEmpty {
            lines.append("the snapshot names row versions that no versions table holds (removed after the run, or "
                         + "the snapshot edited); the recomputation lacks them: "
                         + missingVersions.prefix(RunSnapshot.missingVersionsShown).joined(separator: ", ")
                         + (missingVersions.count > RunSnapshot.missingVersionsShown ? ", and more" : ""))
        }
        func rows(_ n: Int) -> String { n == 1 ? "1 row" : "\(n) rows" }
        for t in tables where !t.isIdentical {
            if t.onlyStored.isEmpty && t.onlyRecomputed.isEmpty {
                lines.append("\(t.name): the same rows in another order")
                continue
            }
            lines.append("\(t.name): \(rows(t.onlyStored.count)) only in the stored run, "
                         + "\(t.onlyRecomputed.count) only in the recomputation")
            lines += t.onlyStored.prefix(examples).map { "  - stored:     \($0)" }
            lines += t.onlyRecomputed.prefix(examples).map { "  + recomputed: \($0)" }
        }
        if tables.contains(where: { $0.name == Self.inputTable && !$0.isIdentical }) {
            lines.append("what this means: the row versions the run read no longer hash to its input_sha256, so one "
                         + "was changed or removed after the run (the versions tables are guarded by triggers only), "
                         + "or the run record was edited"
                         + (tables.allSatisfy { t in
                                t.isIdentical || t.name == Self.inputTable
                                    || (t.name == "summary.json" && (t.onlyStored + t.onlyRecomputed).allSatisfy {
                                        $0.contains("\"input_sha256\":") })
                            }
                            ? "; the results do not depend on what changed" : "; the results changed with it")
                         + ". To find the row: `labourmatch export \(run.runId) --out DIR --inputs` writes the rows as they "
                         + "are now; compare them with the feed files the loads read (`labourmatch feeds list`).")
        }
        if storedEngine != recomputingEngine {
            lines.append("note: stored by \(storedEngine), recomputed by \(recomputingEngine)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Why a run cannot be verified or exported.
public enum RunLookupError: Error, Sendable, CustomStringConvertible {
    case noSuchRun(Int64)
    case noResults(Int64, RunRecord.Status)
    case badPolicy(Int64)

    public var description: String {
        switch self {
        case .noSuchRun(let id): return "no run \(id) (see `labourmatch runs list`)"
        case .noResults(let id, let status) where status == .succeeded:
            return "run \(id) is marked succeeded but has no stored results: they were removed, or the run was written by hand"
        case .noResults(let id, let status) where status == .started:
            return "run \(id) has no stored results yet (status started): it is still running, or it stopped before "
                + "storing them (`labourmatch runs show \(id)` says which); a stopped run is resumed by `labourmatch run` "
                + "with its date and options"
        case .noResults(let id, let status):
            return "run \(id) has no stored results (status \(status.rawValue)); `labourmatch run` with its date and "
                + "options runs it again"
        case .badPolicy(let id): return "run \(id): the stored policy text does not match its policy_sha256"
        }
    }
}

/// `verify`: recomputes a stored run from exactly the row versions its snapshot
/// recorded, with its stored policy, date and strategy, and compares every table.
public enum RunVerifier {
    public static func verify(_ db: Connection, runId: Int64,
                              parallelism: Int = MatchingEngine.defaultParallelism) async throws -> Verification {
        guard let run = try JobRepository.run(db, runId: runId) else { throw RunLookupError.noSuchRun(runId) }
        guard let stored = try RunResults.read(db, runId: runId) else {
            throw RunLookupError.noResults(runId, run.status)
        }
        guard RunInputs.sha256Hex(run.policyText) == run.key.policySHA256,
              let policy = Policy(canonicalText: run.policyText) else { throw RunLookupError.badPolicy(runId) }
        let (recomputed, inputSHA256) = try await recompute(db, run: run, policy: policy, parallelism: parallelism)
        // The run record's input_sha256 is the snapshot's too (summary.json holds the recomputed one).
        let tables = zip(stored.tables, recomputed.tables).map { s, r in compare(s.name, s.text, r.text) }
            + [compare(Verification.inputTable, run.inputSHA256 ?? "-", inputSHA256)]
        return Verification(run: run, tables: tables, storedEngine: run.engineVersion,
                            recomputingEngine: MatchingEngine.version,
                            chain: try RunChain.check(db, run: run, results: stored),
                            missingVersions: try RunSnapshot.missingVersions(db, runId: runId,
                                                                             limit: RunSnapshot.missingVersionsShown + 1))
    }

    /// The run's rows computed again from its snapshot. A function of its own, so that
    /// the input and the engine's result (candidates, exclusions: about 1 GB at 200,000
    /// workers) are freed before the tables are rendered and compared.
    private static func recompute(_ db: Connection, run: RunRecord, policy: Policy,
                                  parallelism: Int) async throws -> (RunResults, inputSHA256: String) {
        let input = try RunSnapshot.input(db, runId: run.runId)
        let inputSHA256 = RunInputs.sha256Hex(input.fingerprintText)
        let result = await MatchingEngine.run(input: input, policy: policy, date: run.key.runDate,
                                              strategy: run.key.strategy, parallelism: parallelism)
        return (RunResults(result: result, policySHA256: run.key.policySHA256, inputSHA256: inputSHA256), inputSHA256)
    }

    /// Lines of `stored` and `recomputed` compared as multisets, then in order.
    static func compare(_ name: String, _ stored: String, _ recomputed: String) -> TableComparison {
        // The usual case, equal bytes, needs no line-by-line count (millions of lines at scale).
        var (x, y) = (stored, recomputed)
        let same = x.withUTF8 { a in
            y.withUTF8 { b in a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0) }
        }
        if same { return TableComparison(name: name, onlyStored: [], onlyRecomputed: [], reordered: false) }
        let a = stored.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = recomputed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var counts: [String: Int] = [:]
        for line in a { counts[line, default: 0] += 1 }
        for line in b { counts[line, default: 0] -= 1 }
        var onlyStored: [String] = [], onlyRecomputed: [String] = []
        for line in a where (counts[line] ?? 0) > 0 {
            onlyStored.append(line)
            counts[line]! -= 1
        }
        for line in b where (counts[line] ?? 0) < 0 {
            onlyRecomputed.append(line)
            counts[line]! += 1
        }
        return TableComparison(name: name, onlyStored: onlyStored, onlyRecomputed: onlyRecomputed,
                               reordered: onlyStored.isEmpty && onlyRecomputed.isEmpty && a != b)
    }
}
