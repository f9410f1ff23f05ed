@testable import Batch
import Feeds
import Foundation
import Matching
import Postgres
import Store
import Testing

/// The parts of the runner that need no database.
@Suite struct PureTests {
    /// A lease row's host (any runner-role login can write one) is escaped in what `run` prints
    /// when the scope is held: no escape sequence, no line of its own.
    @Test func aLeaseHoldersHostCannotDriveTheTerminal() {
        let holder = LeaseHolder(scope: "s", token: "t", executionId: 7, host: "web1\u{1B}[2J\nlabourmatch: run 9 succeeded",
                                 pid: 1, acquiredAt: Date(timeIntervalSince1970: 0), heartbeatAt: Date(timeIntervalSince1970: 0),
                                 expiresAt: Date(timeIntervalSince1970: 60))
        // And an error's text in a log line's metadata (a path with a line break split the line).
        #expect(TerminalText.logValue("cannot write /tmp/nl\nfake 2026 error run: x\u{1B}[2J")
                == .string(#"cannot write /tmp/nl fake 2026 error run: x\u{1B}[2J"#))
        #expect(holder.description.hasPrefix(#"host web1\u{1B}[2J labourmatch: run 9 succeeded, pid 1"#), "\(holder.description)")
    }

    @Test func policyCanonicalTextReadsBack() throws {
        let strict = try PolicyReader.read(file: projectRoot.appendingPathComponent("Fixtures/policy-strict.toml").path)
        // The same effective policy (prefixes are a set: the text sorts them).
        for policy in [Policy.default, strict, Policy(healthIscoPrefixes: [])] {
            #expect(Policy(canonicalText: policy.canonicalText)?.canonicalText == policy.canonicalText)
        }
        #expect(Policy(canonicalText: Policy.default.canonicalText) == Policy.default)
        let text = Policy.default.canonicalText
        #expect(Policy(canonicalText: text + "extra=1\n") == nil, "an unknown key")
        #expect(Policy(canonicalText: text.replacingOccurrences(of: "min_fit=0.5", with: "min_fit=0.50")) == nil,
                "not the shortest decimal")
        #expect(Policy(canonicalText: String(text.dropLast())) == nil, "no final LF")
        #expect(Policy(canonicalText: text.replacingOccurrences(of: "min_age=18\n", with: "")) == nil)
    }

    @Test func retriesBackOffAndStopAtTheBound() {
        let policy = RetryPolicy(maxAttempts: 4, initialDelay: 0.5, maxDelay: 1.5)
        #expect((1...4).map(policy.delay(afterAttempt:)) == [0.5, 1.0, 1.5, 1.5])
        #expect(RetryPolicy.isTransient(PostgresError(kind: .connectionLost, message: "gone")))
        #expect(RetryPolicy.isTransient(PostgresError(kind: .server, sqlState: "57P01", message: "terminating")))
        #expect(RetryPolicy.isTransient(PostgresError(kind: .server, sqlState: "40001", message: "serialization")))
        #expect(RetryPolicy.isTransient(PostgresError(kind: .connectionFailed, message: "refused")))
        #expect(!RetryPolicy.isTransient(PostgresError(kind: .server, sqlState: "23505", message: "duplicate")))
        #expect(!RetryPolicy.isTransient(CocoaError(.fileNoSuchFile)))
    }

    @Test func stepsAreInFlowOrder() {
        #expect(Step.allCases.map(\.rawValue) == ["lock", "snapshot", "rules", "candidates", "assign", "persist", "report"])
        #expect(Step.rules < Step.persist && !(Step.report < Step.snapshot))
    }

    @Test func hooksReadTheEnvironment() {
        let hooks = TestHooks(environment: ["LABOURMATCH_TEST_KILL_AT_STEP": "persist",
                                            "LABOURMATCH_TEST_PAUSE_AT_STEP": "", "LABOURMATCH_TEST_PAUSE_SECONDS": "2.5"])
        #expect(hooks.killAt == "persist" && hooks.pauseAt == nil && hooks.pauseSeconds == 2.5)
        #expect(TestHooks(environment: [:]).pauseSeconds == 5)
    }

    @Test func conninfoNamesTheScratchDatabase() {
        #expect(ScratchDatabase.replacingDatabase("postgresql://postgres@/labourmatch_test?host=/x&port=1", with: "db2")
                == "postgresql://postgres@/db2?host=/x&port=1")
        #expect(ScratchDatabase.replacingDatabase("postgres://u@h:5432", with: "db2") == "postgres://u@h:5432/db2")
        #expect(ScratchDatabase.replacingDatabase("host=/x port=1 dbname=a", with: "db2") == "host=/x port=1 dbname=a dbname=db2")
    }
}
