import Foundation
import Testing
@_exported import TestSupport

/// What a finished `labourmatch` process said.
typealias CommandOutcome = LabourmatchProcess.Outcome

/// Runs `labourmatch` with `arguments` and waits for it.
func labourmatch(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandOutcome {
    try LabourmatchProcess.run(arguments, environment: environment)
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
