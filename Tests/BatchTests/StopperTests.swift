@testable import Batch
import Foundation
import Logging
import Postgres
import Testing

/// How a stop signal's handler records a stop that came while the job computed.
@Suite struct StopperTests {
    /// The handler's configuration is taken before the job connects. When the command's own
    /// first connection could not say where LabourMatch's schema is (a server not answering
    /// yet), the handler's connection chose it again from the path, which may lead elsewhere by
    /// then; it works in the schema the job's first connection chose.
    @Test func aStopIsRecordedInTheSchemaTheJobChose() throws {
        let fixture = try FixtureRun()
        defer { fixture.close() }
        #expect(try fixture.run(out: "one").status == 0)
        let ids = try fixture.rows("SELECT run_id::text, (SELECT max(execution_id) FROM run_executions)::text FROM runs")[0]
        let database = try fixture.rows("SELECT current_database()")[0][0]
        let admin = try fixture.database.connect()
        defer { admin.close() }
        try admin.execute("CREATE SCHEMA elsewhere")
        try admin.execute("ALTER DATABASE \(database) SET search_path = elsewhere")
        let stopper = RunStopper(config: ConnectionConfig(conninfo: fixture.database.conninfo).acting(as: .runner),
                                 claim: LeaseClaim(scope: "default", seconds: 60), logger: Logger(label: "stopper-test"))
        var state = RunProgress.State()
        state.runId = Int64(ids[0])
        state.executionId = Int64(ids[1])
        state.step = .assign
        let lost = stopper.record(state, signalName: "SIGTERM")
        #expect(lost.contains("the stop could not be recorded"), "\(lost)")
        state.home = "public"
        let found = stopper.record(state, signalName: "SIGTERM")
        // The run had succeeded: found, and left as it was.
        #expect(found.contains("the execution had already ended (sealed"), "\(found)")
        #expect(try fixture.rows("SELECT status FROM public.runs") == [["succeeded"]])
    }
}
