import Foundation
import Matching

/// The steps of the nightly run, in order (DESIGN.md, "The flow of one nightly run").
public enum Step: String, Sendable, Hashable, CaseIterable, Comparable {
    case lock, snapshot, rules, candidates, assign, persist, report

    public static func < (a: Step, b: Step) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A job instance's identity: the job name and its identifying parameters.
public struct JobInstanceKey: Sendable, Hashable {
    /// The nightly matching job's name.
    public static let nightlyMatch = "nightly-match"

    public var jobName: String
    public var runDate: Day
    /// Which runs share a lock (and, later, which rows take part); `default` for all data.
    public var scope: String
    public var policySHA256: String
    public var strategy: Strategy

    public init(jobName: String = JobInstanceKey.nightlyMatch, runDate: Day, scope: String, policySHA256: String,
                strategy: Strategy) {
        self.jobName = jobName; self.runDate = runDate; self.scope = scope
        self.policySHA256 = policySHA256; self.strategy = strategy
    }

    /// `nightly-match 2026-11-29 scope default, stable, policy 1a2b3c4d5e6f`.
    public var summary: String {
        "\(jobName) \(runDate) scope \(scope), \(strategy.rawValue), policy \(policySHA256.prefix(12))"
    }
}

/// A run: one result of a job instance (the first, or one more per `--rerun`).
public struct RunRecord: Sendable, Hashable {
    /// `started` (running, or its process died: restartable), `failed` (restartable), `succeeded`.
    public enum Status: String, Sendable {
        case started, failed, succeeded
    }

    public var runId: Int64
    public var instanceId: Int64
    public var key: JobInstanceKey
    /// The effective policy's canonical text (its SHA-256 is `key.policySHA256`).
    public var policyText: String
    /// 1 for an instance's first run, one more for each `--rerun`.
    public var number: Int
    public var status: Status
    public var engineVersion: String
    public var whoListEdition: String?
    public var inputSHA256: String?
    public var reportDir: String?
    public var createdAt: Date
    public var finishedAt: Date?
}

/// One attempt (one process) at a run.
public struct ExecutionRecord: Sendable, Hashable {
    /// `running`, `failed`, `abandoned` (found dead by a later execution) or `succeeded`.
    public enum Status: String, Sendable {
        case running, failed, abandoned, succeeded
    }

    public var executionId: Int64
    public var runId: Int64
    public var status: Status
    public var host: String
    public var pid: Int
    /// The first step this execution ran after taking the lock.
    public var resumedAt: Step
    public var startedAt: Date
    public var endedAt: Date?
    public var message: String?
    public var steps: [StepRecord]
}

/// One step of one execution, with its timings and row counts.
public struct StepRecord: Sendable, Hashable {
    /// `running` (or killed while running), `completed`, `failed`.
    public enum Status: String, Sendable {
        case running, completed, failed
    }

    public var step: Step
    public var status: Status
    public var startedAt: Date
    public var endedAt: Date?
    public var durationMs: Int?
    public var rowsRead: Int?
    public var rowsWritten: Int?
    /// 1, plus one per retry after a transient error.
    public var attempts: Int
    public var message: String?
}
