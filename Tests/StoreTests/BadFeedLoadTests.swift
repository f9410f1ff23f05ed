import Feeds
import Foundation
import Postgres
import Store
import Testing

/// Every bad feed of `Fixtures/bad/` (FEEDS.md, Fixtures/README.md) loaded into the database.
@Suite struct BadFeedLoadTests {
    /// Row files: the rejections the database holds equal the independent golden files, and
    /// `accepted + rejected = data rows`, counted in the database.
    @Test(arguments: [
        (FeedKind.vacancies, "vacancies-rows.csv", 37),
        (.vacancies, "vacancies-rows.ndjson", 34),
        (.workers, "workers-rows.csv", 31),
        (.workers, "workers-rows.ndjson", 24),
        (.minimumWages, "minimum-wages-rows.csv", 5),
        (.fxRates, "fx-rates-rows.csv", 7),
    ])
    func rowRejectionsAreStoredExactly(kind: FeedKind, file: String, dataRows: Int) throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let report = try t.load(kind, fixturePath("bad/\(file)"))
            let feed = try #require(report.feedId)
            // The rows of feed_rejections, written as rejections.csv is.
            var csv = "file,line,field,reason,raw\n"
            for r in try t.db.query("SELECT line, coalesce(field, ''), reason, raw FROM feed_rejections WHERE feed_id = $1 ORDER BY line",
                                    params: [.init(feed)]) {
                csv += "\(kind.rawValue),\(try r.decode(0, as: Int.self)),\(RunInputs.csvField(try r.decode(1))),"
                csv += "\(try r.decode(2, as: String.self)),\(RunInputs.csvField(try r.decode(3)))\n"
            }
            let expected = try String(contentsOfFile: fixturePath("expected/rejections/\(file).rejections.csv"), encoding: .utf8)
            #expect(csv == expected)
            // accepted + rejected = data rows, from the database: a fresh schema, so every
            // accepted row is a version written by this feed.
            let versions = EntityName.versions(kind)
            let accepted = try t.int("SELECT count(*) FROM \(versions) WHERE feed_id = $1", [.init(feed)])
            let rejected = try t.int("SELECT count(*) FROM feed_rejections WHERE feed_id = $1", [.init(feed)])
            #expect(accepted + rejected == dataRows)
            #expect(try t.int("SELECT rows_read FROM feeds WHERE feed_id = $1", [.init(feed)]) == dataRows)
            #expect(try t.int("SELECT rows_rejected + rows_inserted FROM feeds WHERE feed_id = $1", [.init(feed)]) == dataRows)
        }
    }

    /// Whole-file errors: nothing is written, not even a feeds row, and the message names the problem.
    @Test(arguments: [
        (FeedKind.vacancies, "vacancies-missing-column.csv", "currency"),
        (.workers, "workers-unknown-column.csv", "name"),
        (.employers, "employers-duplicate-column.csv", "country"),
        (.recruiters, "recruiters-empty.csv", "no header"),
        (.vacancies, "vacancies-empty-first-line.csv", "no header"),
        (.workers, "workers-unknown-key.ndjson", "passport_number"),
    ])
    func wholeFileErrorsWriteNothing(kind: FeedKind, file: String, named: String) throws {
        try LoadDB.with { t in
            try t.loadReferences()
            let before = try t.writtenRows()
            let error = try #require(throws: LoadError.self) { try t.load(kind, fixturePath("bad/\(file)")) }
            guard case .feedFile(let fileError) = error else { Issue.record("not a whole-file error: \(error)"); return }
            #expect(fileError.file.hasSuffix(file))
            #expect("\(error)".contains(named))
            #expect(LoadError.exitStatus(for: error) == 2)
            #expect(try t.writtenRows() == before)
        }
    }

    /// The SQL-looking title of the bad feeds is stored verbatim, and did nothing.
    @Test func anSQLInjectionLookingTitleIsJustText() throws {
        try LoadDB.with { t in
            try t.loadReferences()
            try t.load(.vacancies, fixturePath("bad/vacancies-rows.csv"))
            try t.load(.vacancies, fixturePath("bad/vacancies-rows.ndjson"), source: "ndjson")
            #expect(try t.strings("SELECT DISTINCT title FROM vacancy_versions WHERE vacancy_id = 'VB02'")
                    == ["'); DROP TABLE employers;--"])
            #expect(try t.int("SELECT count(*) FROM employers") == 11)
        }
    }
}

/// Table names per kind, written out here so the tests do not lean on the loader's own.
enum EntityName {
    static func versions(_ kind: FeedKind) -> String {
        switch kind {
        case .employers: return "employer_versions"
        case .recruiters: return "recruiter_versions"
        case .vacancies: return "vacancy_versions"
        case .workers: return "worker_versions"
        case .minimumWages: return "minimum_wage_versions"
        case .fxRates: return "fx_rate_versions"
        case .whoList: return "who_list_entries"
        }
    }
}
