import Feeds
import Foundation
import Postgres
import Store
import Testing

/// The loader applies the readers' hard limits (README "Limits"): a file over the size limit
/// is refused before a byte is hashed or a row written; an over-long record is a recorded
/// rejection, and the rest of the file still loads.
@Suite struct LoadLimitsTests {
    @Test func fileOverTheSizeLimitIsRefusedAndNothingIsWritten() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let before = try t.int("SELECT count(*) FROM feeds")
            let size = try FileManager.default.attributesOfItem(atPath: fixturePath("vacancies.csv"))[.size] as! Int
            var loader = t.loader()
            loader.limits.fileBytes = size - 1
            do {
                _ = try loader.load(kind: .vacancies, path: fixturePath("vacancies.csv"))
                Issue.record("a file one byte over the limit loaded")
            } catch let LoadError.feedFile(error) {
                guard case let .tooLarge(bytes, limit) = error.problem else {
                    Issue.record("expected tooLarge, got \(error)")
                    return
                }
                #expect((bytes, limit) == (size, size - 1))
            }
            #expect(try t.int("SELECT count(*) FROM feeds") == before)
            #expect(try t.int("SELECT count(*) FROM vacancy_versions") == 0)
            // At the limit exactly, the same file loads.
            loader.limits.fileBytes = size
            #expect(try loader.load(kind: .vacancies, path: fixturePath("vacancies.csv")).counts.inserted == 52)
        }
    }

    /// A row past the line numbers a load stores (2^31 - 1: 2 GiB of empty lines reach it) is
    /// a whole-file error naming the limit, and nothing is written; it was a COPY's "value out
    /// of range for type integer" (an operator review, session 20). Empty lines count.
    @Test func aRowPastTheLinesALoadNumbersIsRefusedWhole() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            let lines = vacancyFixtureLines
            let path = try writeFile(dir, "blank.csv", "\(lines[0])\n\(lines[1])\n\n\(lines[2])\n")
            let before = try t.int("SELECT count(*) FROM feeds")
            var loader = t.loader()
            loader.limits.loadLines = 3
            do {
                _ = try loader.load(kind: .vacancies, path: path)
                Issue.record("a row on line 4 loaded under a limit of 3 lines")
            } catch let LoadError.feedFile(error) {
                #expect(error.problem == .tooManyLines(limit: 3) && error.line == 4, "\(error)")
                #expect("\(error)".contains("line 4: the file has more lines than a load numbers (3, empty lines included"))
                #expect(FeedFileError(file: "f", problem: .tooManyLines(limit: Int(Int32.max))).description
                        .contains("(2,147,483,647, empty lines included, since line numbers count them): remove its empty lines"))
            }
            #expect(try t.int("SELECT count(*) FROM feeds") == before)
            #expect(try t.int("SELECT count(*) FROM vacancy_versions") == 0)
            loader.limits.loadLines = 4
            #expect(try loader.load(kind: .vacancies, path: path).counts.inserted == 2)
        }
    }

    @Test func overLongRecordIsARejectionAndTheOthersLoad() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let dir = try scratchDir()
            var lines = vacancyFixtureLines
            let v001 = lines.firstIndex { $0.hasPrefix("V001,") }!
            let padded = lines[v001].replacingOccurrences(of: "Registered Nurse (", with: "Registered " + String(repeating: "Nurse ", count: 200) + "(")
            lines[v001] = padded
            let path = try writeFile(dir, "long.csv", lines.joined(separator: "\n") + "\n")
            var loader = t.loader()
            loader.limits.recordBytes = 600
            let longest = lines.filter { $0 != padded }.map(\.utf8.count).max()!
            try #require(longest <= 600 && padded.utf8.count > 600, "only V010's record is over the limit")
            let report = try loader.load(kind: .vacancies, path: path)
            #expect(report.counts.read == 52)
            #expect(report.counts.rejected == 1)
            #expect(report.counts.inserted == 51)
            let feed = try #require(report.feedId)
            #expect(try t.strings("SELECT reason FROM feed_rejections WHERE feed_id = $1", [.init(feed)]) == ["MALFORMED_ROW"])
            #expect(try t.int("SELECT octet_length(raw) FROM feed_rejections WHERE feed_id = $1", [.init(feed)]) <= 600)
        }
    }
}
