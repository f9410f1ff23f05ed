import Foundation
import FeedsFuzzing
import Testing
@testable import Feeds

/// The project's root: this file is `Tests/FeedsTests/FuzzCorpusTests.swift` in it.
let projectDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let fixturesDirectory = projectDirectory.appendingPathComponent("Fixtures").path

/// The checked-in fuzz corpus (Fuzz/corpus) and the reproducers of what fuzzing
/// found (Fuzz/crashes), run through `FuzzHarness`, the very code the fuzzer runs.
@Suite struct FuzzCorpusTests {
    static func files(_ folder: String) throws -> [URL] {
        let dir = projectDirectory.appendingPathComponent("Fuzz/\(folder)")
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .sorted { Array($0.lastPathComponent.utf8).lexicographicallyPrecedes(Array($1.lastPathComponent.utf8)) }
    }

    @Test func everyCorpusFileRunsCleanAndBounded() throws {
        let files = try Self.files("corpus")
        #expect(files.count >= 20 && files.count <= 60)
        var targets = Set<String>()
        for file in files {
            let data = Array(try Data(contentsOf: file))
            let report = FuzzHarness.run(data)
            #expect(report.problems == [], "\(file.lastPathComponent)")
            // Named after the reader byte 0 picks: Scripts/fuzz's seeding agrees with FuzzHarness.targets.
            #expect(file.lastPathComponent.hasPrefix(report.target.name + "-"), "\(file.lastPathComponent)")
            // Bounded: never more rows than lines.
            #expect(report.rows <= data.count(where: { $0 == 0x0A }) + 1, "\(file.lastPathComponent)")
            targets.insert(report.target.name)
        }
        // Every reader is in the corpus.
        #expect(targets == Set(FuzzHarness.targets.map(\.name)))
    }

    /// What each reproducer must now give: a clean rejection naming the problem.
    static let reproducers = [
        "policy-table-header-without-key": "a table header has no key after '['",
        "policy-table-header-after-bom": "a table header has no key after '['",
        "policy-array-closed-by-brace": "'}' where a value is expected",
        "policy-date-then-one-digit": "a date followed by a one-digit time",
        "policy-date-t-without-time": "a date and 'T' with no time after them",
        "policy-array-next-line": "U+0085, U+2028 or U+2029 outside a string",
    ]

    @Test func crashReproducersAreCleanRejections() throws {
        let files = try Self.files("crashes")
        #expect(Set(files.map(\.lastPathComponent)) == Set(Self.reproducers.keys))
        for file in files {
            let report = FuzzHarness.run(Array(try Data(contentsOf: file)))
            #expect(report.problems == [], "\(file.lastPathComponent)")
            let expected = try #require(Self.reproducers[file.lastPathComponent])
            #expect(report.error?.contains(expected) == true, "\(file.lastPathComponent): \(report.error ?? "no error")")
        }
    }

    @Test func theHarnessPicksItsReaderChunksAndLimitsFromTheFirstBytes() {
        // Byte 0 = 0: CSV employers; byte 1: each chunk size (CRLFs split across chunks), the same rows.
        for settings: UInt8 in 0...7 {
            let report = FuzzHarness.run([0, settings] + Array("employer_id,name,country\r\nE1,A,PH\r\n".utf8))
            #expect(report.target.name == "csv-employers" && report.rows == 1 && report.problems == [])
        }
        // Byte 0 = 14: the policy; bit 3 of byte 1: the small limits (a 300-byte policy file).
        #expect(FuzzHarness.run([14, 0x08] + Array(String(repeating: "#", count: 301).utf8)).error?.contains("over the limit") == true)
    }
}
