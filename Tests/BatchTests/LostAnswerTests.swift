import Foundation
import Postgres
import Testing

/// The answer to a statement lost on the way back (the server ran it, then the connection
/// broke): a `LostAnswerProxy` between the runner and the server loses it on purpose, at each
/// of the run's transactions, so the runner's "look before doing it again" paths run in every
/// test, not only when a network fails at the right moment.
@Suite(.serialized) struct LostAnswerTests {
    /// Each transaction of a run: a statement sent only in it (the marker), then its COMMIT.
    static let commits: [(step: String, marker: String)] = [
        ("prepare", "INSERT INTO run_executions"),
        ("snapshot", "INSERT INTO run_snapshot"),
        ("persist", "COPY run_matches"),
        ("report", "UPDATE runs SET report_dir"),
    ]

    /// The COMMIT went through and its answer was lost: the runner retries on a new connection,
    /// finds what the commit did, and goes on from there. The run succeeds once: the files are
    /// the offline ones, every result row stored once, the step completed by its first attempt.
    /// (prepare: its retry finds its own first execution running and abandons it as a dead one.)
    @Test(arguments: commits)
    func aLostCommitAnswerIsFoundOnRetryAndTheRunCompletesOnce(step: String, marker: String) throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        let (proxy, conninfo) = try fixture.proxy()
        defer { proxy.close() }
        proxy.loseAnswer(after: marker, to: "COMMIT")
        let run = try fixture.run(out: "run", conninfo: conninfo)
        #expect(proxy.lostAnswers == 1, "the proxy lost no answer: is \(marker) still sent?")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("retrying on a new connection"), "\(run.stderr)")
        #expect(run.stdout.contains("succeeded"), "\(run.stdout)")
        try fixture.expectSameFiles("run", as: try fixture.offline())
        #expect(try fixture.count("SELECT count(*) FROM run_matches") == (try fixture.dataRows("run", "matches.csv")))
        #expect(try fixture.count("SELECT count(*) FROM run_exclusions")
                == (try fixture.dataRows("run", "exclusions.csv")))
        #expect(try fixture.rows("SELECT status FROM runs") == [["succeeded"]])
        let executions = try fixture.rows("SELECT status FROM run_executions ORDER BY execution_id")
        #expect(executions == (step == "prepare" ? [["abandoned"], ["succeeded"]] : [["succeeded"]]), "\(executions)")
        if step != "prepare" {
            #expect(try fixture.rows("SELECT attempts FROM run_steps WHERE step = $1", [PostgresValue(step)])
                    == [["1"]], "the first attempt's commit is the one that counts")
        }
        let verify = try fixture.command(["verify", try fixture.rows("SELECT run_id FROM runs")[0][0]])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
