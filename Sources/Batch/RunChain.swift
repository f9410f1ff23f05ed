import Feeds
import Foundation
import Postgres
import Store

/// A run's place in the hash chain (`Schema/0005_roles.sql`), as stored in `runs`.
public struct ChainLink: Sendable, Hashable {
    public var runId: Int64
    /// SHA-256 of the run's outputs text (`RunChain.outputsText`) when it succeeded.
    public var outputsSHA256: String
    /// 1 for the first link, then one more per run.
    public var seq: Int64
    /// The link before this one; nil for the first.
    public var previousRunId: Int64?
    public var previousSHA256: String?
    /// SHA-256 of the previous link's chain hash and this run's outputs hash (`RunChain.chainSHA256`).
    public var chainSHA256: String
}

/// What checking one link found; `problems` is empty when it holds.
public struct ChainCheck: Sendable, Hashable {
    public var runId: Int64
    /// nil when the run has no link (it has not succeeded, or succeeded before migration 0005).
    public var link: ChainLink?
    /// Sentences naming the run and what no longer holds.
    public var problems: [String]
    /// Why a run without a link is not a problem.
    public var note: String?

    public var holds: Bool { problems.isEmpty }
}

/// The tamper-evident chain over succeeded runs.
///
/// When a run succeeds, its stored rows are written out as one canonical text
/// (`outputsText`: the run's identity, its snapshot rows and every result
/// table, each sorted by bytes) whose SHA-256 is `outputs_sha256`; the link's
/// hash covers the previous link's hash and this one:
///
///     chain_sha256 = SHA-256("labourmatch-chain-v1\n" + previous chain_sha256
///                            (64 zeros for the first link) + "\n" + outputs_sha256 + "\n")
///
/// One chain per database schema, in the order runs succeed; a transaction-level
/// advisory lock makes the links one at a time. Changing a stored row (with the
/// append-only triggers disabled) changes the run's outputs hash; rewriting that
/// hash too breaks the next link. `verify` recomputes both.
public enum RunChain {
    /// The previous hash of the first link.
    public static let genesis = String(repeating: "0", count: 64)

    /// The advisory lock key that serialises links, per schema.
    public static let lockKey = "pg_catalog.hashtextextended(pg_catalog.current_schema() || '/labourmatch-run-chain', 0::bigint)"

    /// The canonical text of a run's stored outputs: a header line, then one
    /// `<name> <length>:<value>` line per identity field, then one section per
    /// table, `section <name> <byte length>\n` and the table's text. Lengths are
    /// UTF-8 bytes, so no value can pass for another.
    public static func outputsText(run: RunRecord, snapshot: [String], results: RunResults) -> String {
        func field(_ name: String, _ value: String?) -> String {
            guard let value else { return "\(name) -\n" }
            return "\(name) \(value.utf8.count):\(value)\n"
        }
        var out = "labourmatch-run-outputs-v1\n"
        out += field("run_id", String(run.runId))
        out += field("job_name", run.key.jobName)
        out += field("run_date", run.key.runDate.description)
        out += field("scope", run.key.scope)
        out += field("strategy", run.key.strategy.rawValue)
        out += field("policy_sha256", run.key.policySHA256)
        out += field("number", String(run.number))
        out += field("engine_version", run.engineVersion)
        out += field("input_sha256", run.inputSHA256)
        out += field("who_list_edition", run.whoListEdition)
        let sections = [("snapshot", snapshot.map { $0 + "\n" }.joined())] + results.tables
        for (name, text) in sections {
            out += "section \(name) \(text.utf8.count)\n" + text
        }
        return out
    }

    /// The run's snapshot rows as `kind,key,version` lines, sorted by bytes.
    static func snapshotLines(_ db: Connection, runId: Int64) throws -> [String] {
        try db.query("SELECT kind, key, version FROM run_snapshot WHERE run_id = $1", params: [PostgresValue(runId)])
            .map { r in "\(try r.decode(0, as: String.self)),\(try r.decode(1, as: String.self)),\(try r.decode(2, as: Int.self))" }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Stored values the outputs text cannot tell apart from a field or row boundary (see
    /// `RunResults.valuesWithSeparators`; a snapshot line has exactly two commas), at most 5.
    static func ambiguousValues(snapshot: [String], results: RunResults) -> [String] {
        let lines = snapshot.filter { line in
            line.utf8.reduce(0) { $0 + ($1 == 44 ? 1 : 0) } != 2 || line.utf8.contains { $0 == 10 || $0 == 13 }
        }
        return Array((lines.map { "snapshot: \($0.debugDescription)" } + results.valuesWithSeparators).prefix(5))
    }

    /// The SHA-256 of the outputs text of `run` as stored now, or nil when it has no results.
    public static func outputsSHA256(_ db: Connection, run: RunRecord, results: RunResults? = nil) throws -> String? {
        guard let stored = try results ?? RunResults.read(db, runId: run.runId) else { return nil }
        return outputsSHA256(run: run, snapshot: try snapshotLines(db, runId: run.runId), results: stored)
    }

    /// The SHA-256 of the outputs text of `run` with these snapshot lines and results.
    static func outputsSHA256(run: RunRecord, snapshot: [String], results: RunResults) -> String {
        RunInputs.sha256Hex(outputsText(run: run, snapshot: snapshot, results: results))
    }

    /// The link hash over the previous link's hash (nil for the first) and a run's outputs hash.
    public static func chainSHA256(previous: String?, outputs: String) -> String {
        RunInputs.sha256Hex("labourmatch-chain-v1\n\(previous ?? genesis)\n\(outputs)\n")
    }

    /// Marks the run succeeded and links it after the latest link, in the caller's
    /// transaction (the append-only trigger lets a run's chain be set only together
    /// with its success). Returns the new link.
    public static func seal(_ tx: Connection, runId: Int64, outputsSHA256: String) throws -> ChainLink {
        try tx.execute("SELECT pg_catalog.pg_advisory_xact_lock(\(lockKey))")
        let head = try tx.query("""
            SELECT run_id, chain_seq, chain_sha256 FROM runs WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1
            """).first
        let previousRunId: Int64? = try head?.decode(0)
        let previousSHA256: String? = try head?.decode(2)
        let seq = (try head?.decode(1, as: Int64.self) ?? 0) + 1
        let chain = chainSHA256(previous: previousSHA256, outputs: outputsSHA256)
        try tx.execute("""
            UPDATE runs SET status = 'succeeded', finished_at = now(), outputs_sha256 = $2, chain_seq = $3,
                chain_previous_run_id = $4, chain_previous_sha256 = $5, chain_sha256 = $6
            WHERE run_id = $1
            """, params: [PostgresValue(runId), PostgresValue(outputsSHA256), PostgresValue(seq),
                          previousRunId.map { PostgresValue($0) }, previousSHA256.map { PostgresValue($0) },
                          PostgresValue(chain)])
        return ChainLink(runId: runId, outputsSHA256: outputsSHA256, seq: seq, previousRunId: previousRunId,
                         previousSHA256: previousSHA256, chainSHA256: chain)
    }

    private static let linkColumns = """
        run_id, outputs_sha256, chain_seq, chain_previous_run_id, chain_previous_sha256, chain_sha256 FROM runs
        """

    private static func decodeLink(_ r: PostgresRow) throws -> ChainLink {
        ChainLink(runId: try r.decode(0), outputsSHA256: try r.decode(1), seq: try r.decode(2),
                  previousRunId: try r.decodeIfPresent(3), previousSHA256: try r.decodeIfPresent(4),
                  chainSHA256: try r.decode(5))
    }

    /// The run's stored link, or nil when it has none.
    public static func link(_ db: Connection, runId: Int64) throws -> ChainLink? {
        try db.query("SELECT \(linkColumns) WHERE run_id = $1 AND chain_seq IS NOT NULL", params: [PostgresValue(runId)])
            .first.map(decodeLink)
    }

    /// Checks one run: its outputs as stored now against its outputs hash, its link hash,
    /// and the link to the previous run. `results` saves reading them again; with `rereadRows`
    /// false the stored rows are not read at all (the link's recorded hashes alone are checked).
    public static func check(_ db: Connection, run: RunRecord, results: RunResults? = nil,
                             rereadRows: Bool = true) throws -> ChainCheck {
        let id = run.runId
        guard let link = try link(db, runId: id) else {
            return try checkUnlinked(db, run: run)
        }
        var problems: [String] = []
        var outputs: String?
        if !rereadRows {
            outputs = link.outputsSHA256
        } else if let stored = try results ?? RunResults.read(db, runId: id) {
            let snapshot = try snapshotLines(db, runId: id)
            outputs = outputsSHA256(run: run, snapshot: snapshot, results: stored)
            let ambiguous = ambiguousValues(snapshot: snapshot, results: stored)
            if !ambiguous.isEmpty {
                problems.append("run \(id): stored values hold a comma or a line break, which no run writes and which "
                                + "its outputs text cannot tell apart from a field or row boundary (rows merged or "
                                + "split afterwards): " + ambiguous.joined(separator: "; "))
            }
        }
        if outputs != link.outputsSHA256 {
            problems.append("run \(id): its stored rows no longer hash to the outputs_sha256 recorded when it succeeded "
                            + "(recorded \(link.outputsSHA256.prefix(16))..., now \(outputs.map { "\($0.prefix(16))..." } ?? "no results")): "
                            + "the rows were changed afterwards, or the recorded hash was")
        }
        if chainSHA256(previous: link.previousSHA256, outputs: link.outputsSHA256) != link.chainSHA256 {
            problems.append("run \(id): chain_sha256 does not follow from its outputs and previous hashes (link \(link.seq) was rewritten)")
        }
        if let previousId = link.previousRunId {
            let previous = try self.link(db, runId: previousId)
            if previous == nil {
                problems.append("link \(link.seq - 1) -> \(link.seq) (run \(previousId) -> run \(id)) is broken: "
                                + "run \(previousId) is no longer in the chain")
            } else if let previous, previous.chainSHA256 != link.previousSHA256 {
                problems.append("link \(previous.seq) -> \(link.seq) (run \(previousId) -> run \(id)) is broken: run \(id) records "
                                + "previous hash \(link.previousSHA256?.prefix(16) ?? "-")..., run \(previousId) now has "
                                + "\(previous.chainSHA256.prefix(16))...")
            } else if let previous, previous.seq != link.seq - 1 {
                // The hashes agree: the sequence numbers were changed (links reordered), which
                // showing the same hash twice as "recorded" and "now" did not say.
                problems.append("link \(link.seq) (run \(id)) names run \(previousId) as the previous link, whose sequence "
                                + "number is now \(previous.seq), not \(link.seq - 1): the links' chain_seq were changed")
            }
        } else if link.seq != 1 {
            problems.append("run \(id): link \(link.seq) names no previous run")
        }
        return ChainCheck(runId: id, link: link, problems: problems, note: nil)
    }

    /// A run without a link is fine when it has not succeeded, or finished before the chain began
    /// (before migration 0005 was applied); not when a later link names it, nor when it has no
    /// finish time or finished after that: a run removed from the chain, or inserted by hand.
    private static func checkUnlinked(_ db: Connection, run: RunRecord) throws -> ChainCheck {
        let id = run.runId
        guard run.status == .succeeded else {
            return ChainCheck(runId: id, link: nil, problems: [], note: "run \(id) has not succeeded: it is not in the hash chain yet")
        }
        let row = try db.query("""
            SELECT (SELECT chain_seq FROM runs WHERE chain_previous_run_id = $1),
                   coalesce((SELECT r.finished_at < m.applied_at FROM runs r, schema_migrations m
                             WHERE r.run_id = $1 AND m.name = '0005_roles.sql'), false)
            """, params: [PostgresValue(id)])[0]
        if let next: Int64 = try row.decodeIfPresent(0) {
            return ChainCheck(runId: id, link: nil, problems: [
                "run \(id): link \(next) names it as the previous run, but its own link was removed",
            ], note: nil)
        }
        if try !row.decode(1, as: Bool.self) {
            return ChainCheck(runId: id, link: nil, problems: [
                "run \(id) is marked succeeded but has no link, and did not finish before the hash chain began "
                    + "(migration 0005): it was removed from the chain, or written by hand",
            ], note: nil)
        }
        return ChainCheck(runId: id, link: nil, problems: [],
                          note: "run \(id) succeeded before the hash chain began (migration 0005): it has no link")
    }

    /// Checks every link in order, and that the links are numbered 1, 2, 3, ... without a gap;
    /// then every succeeded run without a link (those with a problem only). The stored rows of
    /// links before `rowsFrom` are not read again: their recorded hashes are checked alone.
    public static func checkAll(_ db: Connection, rowsFrom: Int64 = 1) throws -> [ChainCheck] {
        let links = try db.query("SELECT \(linkColumns) WHERE chain_seq IS NOT NULL ORDER BY chain_seq").map(decodeLink)
        var checks: [ChainCheck] = []
        for (i, link) in links.enumerated() {
            var check: ChainCheck
            if let run = try JobRepository.run(db, runId: link.runId) {
                check = try self.check(db, run: run, rereadRows: link.seq >= rowsFrom)
            } else {
                // Its job instance is gone (a superuser's replica-mode update skips the foreign key):
                // the run's identity, and so its outputs hash, can no longer be recomputed.
                check = ChainCheck(runId: link.runId, link: link, problems: [
                    "run \(link.runId) (link \(link.seq)): its job instance is gone, so its outputs cannot be recomputed: "
                        + "the run was detached from its job",
                ], note: nil)
            }
            if link.seq != Int64(i + 1) {
                check.problems.append("link \(i + 1) is missing: the chain jumps to link \(link.seq) (run \(link.runId))")
            }
            checks.append(check)
        }
        let unlinked = try db.query("""
            SELECT run_id FROM runs WHERE status = 'succeeded' AND chain_seq IS NULL ORDER BY run_id
            """).map { try $0.decode(0, as: Int64.self) }
        for id in unlinked {
            guard let run = try JobRepository.run(db, runId: id) else {
                checks.append(ChainCheck(runId: id, link: nil, problems: [
                    "run \(id) is marked succeeded, has no link and no job instance: it was written by hand",
                ], note: nil))
                continue
            }
            let check = try checkUnlinked(db, run: run)
            if !check.holds { checks.append(check) }
        }
        return checks
    }
}
