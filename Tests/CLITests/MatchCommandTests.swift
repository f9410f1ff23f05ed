import Foundation
import Testing

/// `labourmatch match` on the fixtures, compared with the golden files that
/// Scripts/gen-fixtures.py computes with its own, independent Python
/// implementation of MATCHING.md: two implementations must agree byte for byte.
@Suite struct MatchCommandTests {
    @Test(arguments: ["stable", "greedy"])
    func fixturesEqualGoldenFiles(strategy: String) throws {
        let out = try scratchDirectory()
        let run = try labourmatch(matchArguments(out: out, extra: ["--strategy", strategy, "--candidates"]))
        #expect(run.status == 0, "\(run.stderr)")
        let expected = projectRoot.appendingPathComponent("Fixtures/expected/default/\(strategy)")
        for file in ["matches.csv", "candidates.csv", "exclusions.csv"] {
            #expect(try contents(out.appendingPathComponent(file)) == contents(expected.appendingPathComponent(file)),
                    "\(strategy)/\(file)")
        }
        #expect(withoutInputHash(try contents(out.appendingPathComponent("summary.json")))
                == withoutInputHash(try contents(expected.appendingPathComponent("summary.json"))))
        // No rejected row in the good fixtures: rejections.csv is a header alone.
        #expect(try contents(out.appendingPathComponent("rejections.csv")) == "file,line,field,reason,raw\n")
        // The iso-codes version read is recorded with the run (FEEDS.md): in what it prints, since
        // the result files depend on nothing of the host.
        let first = run.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.wholeMatch(of: /run date 2026-11-29, strategy \w+, WHO list 2023, iso-codes \d+(\.\d+)+/) != nil,
                "\(first)")
    }

    /// A run without `--candidates` into a directory an earlier run wrote with it leaves no
    /// `candidates.csv` behind: the directory holds one run's files, not a mix of two.
    @Test func aRunWithoutCandidatesRemovesAnEarlierCandidatesFile() throws {
        let out = try scratchDirectory()
        #expect(try labourmatch(matchArguments(out: out, extra: ["--candidates"])).status == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("candidates.csv").path))
        let again = try labourmatch(matchArguments(out: out, extra: ["--strategy", "greedy"]))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("candidates.csv").path))
        let expected = projectRoot.appendingPathComponent("Fixtures/expected/default/greedy")
        #expect(try contents(out.appendingPathComponent("matches.csv")) == contents(expected.appendingPathComponent("matches.csv")))
    }

    @Test func optimalReachesTheGoldenSums() throws {
        // Optimal matchings are not unique; the sums and counts are.
        let out = try scratchDirectory()
        let run = try labourmatch(matchArguments(out: out, extra: ["--strategy", "optimal"]))
        #expect(run.status == 0, "\(run.stderr)")
        let expected = projectRoot.appendingPathComponent("Fixtures/expected/default/optimal/summary.json")
        #expect(withoutInputHash(try contents(out.appendingPathComponent("summary.json")))
                == withoutInputHash(try contents(expected)))
    }

    @Test func strictPolicyEqualsGoldenFiles() throws {
        let out = try scratchDirectory()
        let run = try labourmatch(matchArguments(out: out, extra: ["--policy", fixture("policy-strict.toml"),
                                                                   "--candidates"]))
        #expect(run.status == 0, "\(run.stderr)")
        let expected = projectRoot.appendingPathComponent("Fixtures/expected/strict/stable")
        for file in ["matches.csv", "candidates.csv", "exclusions.csv"] {
            #expect(try contents(out.appendingPathComponent(file)) == contents(expected.appendingPathComponent(file)))
        }
        #expect(withoutInputHash(try contents(out.appendingPathComponent("summary.json")))
                == withoutInputHash(try contents(expected.appendingPathComponent("summary.json"))))
    }

    @Test func ndjsonFeedsGiveTheSameFilesAsCSV() throws {
        let csv = try scratchDirectory(), ndjson = try scratchDirectory()
        #expect(try labourmatch(matchArguments(out: csv, extra: ["--candidates"])).status == 0)
        #expect(try labourmatch(matchArguments(out: ndjson, ext: "ndjson", extra: ["--candidates"])).status == 0)
        for file in ["matches.csv", "candidates.csv", "exclusions.csv", "summary.json", "rejections.csv"] {
            #expect(try contents(csv.appendingPathComponent(file)) == contents(ndjson.appendingPathComponent(file)), "\(file)")
        }
    }

    @Test func defaultPolicyFileEqualsNoPolicy() throws {
        // Fixtures/policy.toml writes the defaults out: the same policy hash and files.
        let a = try scratchDirectory(), b = try scratchDirectory()
        #expect(try labourmatch(matchArguments(out: a)).status == 0)
        #expect(try labourmatch(matchArguments(out: b, extra: ["--policy", fixture("policy.toml")])).status == 0)
        for file in ["matches.csv", "exclusions.csv", "summary.json"] {
            #expect(try contents(a.appendingPathComponent(file)) == contents(b.appendingPathComponent(file)))
        }
    }

    @Test func shuffledRowsAndColumnsGiveByteIdenticalFiles() throws {
        // Rows reversed and columns rotated in every CSV feed: every output byte stays.
        let shuffled = try scratchDirectory()
        var replacing: [String: String] = [:]
        for (option, file) in [("--employers", "employers"), ("--recruiters", "recruiters"),
                               ("--vacancies", "vacancies"), ("--workers", "workers"),
                               ("--minimum-wages", "minimum-wages"), ("--fx-rates", "fx-rates")] {
            let target = shuffled.appendingPathComponent("\(file).csv")
            try Data(permutedCSV(try contents(URL(fileURLWithPath: fixture("\(file).csv")))).utf8).write(to: target)
            replacing[option] = target.path
        }
        let a = try scratchDirectory(), b = try scratchDirectory()
        #expect(try labourmatch(matchArguments(out: a, extra: ["--candidates"])).status == 0)
        let run = try labourmatch(matchArguments(out: b, replacing: replacing, extra: ["--candidates"]))
        #expect(run.status == 0, "\(run.stderr)")
        for file in ["matches.csv", "candidates.csv", "exclusions.csv", "summary.json"] {
            #expect(try contents(a.appendingPathComponent(file)) == contents(b.appendingPathComponent(file)), "\(file)")
        }
    }

    @Test func aChangedValueChangesTheInputHash() throws {
        let dir = try scratchDirectory()
        let fx = try contents(URL(fileURLWithPath: fixture("fx-rates.csv")))
        let lines = fx.split(separator: "\n").map(String.init)
        // Append a digit to the last rate: a different value, still valid.
        let changed = lines.dropLast() + [lines.last! + "1"]
        let file = dir.appendingPathComponent("fx-rates.csv")
        try Data((changed.joined(separator: "\n") + "\n").utf8).write(to: file)
        let a = try scratchDirectory(), b = try scratchDirectory()
        #expect(try labourmatch(matchArguments(out: a)).status == 0)
        #expect(try labourmatch(matchArguments(out: b, replacing: ["--fx-rates": file.path])).status == 0)
        func hash(_ dir: URL) throws -> String? {
            try contents(dir.appendingPathComponent("summary.json")).split(separator: "\n")
                .first { $0.contains("input_sha256") }.map(String.init)
        }
        #expect(try hash(a) != nil)
        #expect(try hash(a) != hash(b))
    }
}

/// The CSV text with data rows reversed and columns rotated by one. The good
/// fixtures have quoted commas but no quoted line breaks, so lines are records.
func permutedCSV(_ text: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    func rotate(_ line: String) -> String {
        var cells = splitQuotedCells(line)
        cells.append(cells.removeFirst())
        return cells.joined(separator: ",")
    }
    let header = rotate(lines[0])
    let rows = lines.dropFirst().reversed().map(rotate)
    return ([header] + rows).joined(separator: "\n") + "\n"
}

/// The cells of one CSV line, each as written (quotes kept), split at commas outside quotes.
func splitQuotedCells(_ line: String) -> [String] {
    var cells: [String] = [], cell = "", quoted = false
    for ch in line {
        if ch == "\"" { quoted.toggle() }
        if ch == "," && !quoted { cells.append(cell); cell = ""; continue }
        cell.append(ch)
    }
    cells.append(cell)
    return cells
}
