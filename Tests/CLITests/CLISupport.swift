import Foundation
import Testing

/// The project's root: this file is `Tests/CLITests/CLISupport.swift` in it.
let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The `labourmatch` executable that `swift test` built beside the test bundle.
let labourmatchBinary: URL = {
    let beside = Bundle.main.bundleURL.appendingPathComponent("labourmatch")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("labourmatch")
    if FileManager.default.isExecutableFile(atPath: argv0.path) { return argv0 }
    return projectRoot.appendingPathComponent(".build/debug/labourmatch")
}()

/// What a finished `labourmatch` process said.
struct CommandOutcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `labourmatch` with `arguments` and waits for it.
func labourmatch(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandOutcome {
    let process = Process()
    process.executableURL = labourmatchBinary
    process.arguments = arguments
    process.currentDirectoryURL = projectRoot
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var stderrData = Data()
    group.enter()
    DispatchQueue.global().async {
        stderrData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandOutcome(status: process.terminationStatus,
                          stdout: String(decoding: stdoutData, as: UTF8.self),
                          stderr: String(decoding: stderrData, as: UTF8.self))
}

/// A fresh, empty directory under the system's temporary directory.
func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cli-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A fixture file's path.
func fixture(_ name: String) -> String { projectRoot.appendingPathComponent("Fixtures/\(name)").path }

/// The arguments of `match` over the good fixtures, with some files replaced.
func matchArguments(out: URL, ext: String = "csv", replacing: [String: String] = [:],
                    extra: [String] = []) -> [String] {
    var args = ["match"]
    for (option, file) in [("--employers", "employers"), ("--recruiters", "recruiters"),
                           ("--vacancies", "vacancies"), ("--workers", "workers"),
                           ("--minimum-wages", "minimum-wages"), ("--fx-rates", "fx-rates")] {
        args += [option, replacing[option] ?? fixture("\(file).\(ext)")]
    }
    return args + ["--date", "2026-11-29", "--out", out.path] + extra
}

/// The bytes of a file as text (files here are UTF-8 by construction).
func contents(_ url: URL) throws -> String {
    String(decoding: try Data(contentsOf: url), as: UTF8.self)
}

/// `summary.json` with its engine-specific `input_sha256` value blanked.
func withoutInputHash(_ summary: String) -> String {
    summary.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.contains("\"input_sha256\"") ? "  \"input_sha256\": \"-\"," : String(line)
    }.joined(separator: "\n")
}
