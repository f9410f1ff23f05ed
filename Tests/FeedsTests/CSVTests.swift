import Matching
import Testing
@testable import Feeds

/// The CSV reader: header rules, RFC 4180 quoting, line numbers, raw text.
@Suite struct CSVTests {
    @Test func headerProblemsFailTheWholeFile() {
        let missing = "vacancy_id,employer_id,isco_code,title,destination_country,monthly_wage,currency,hours_per_week\n"
        #expect(fileError(.vacancies, .csv, missing)?.problem == .missingColumn("openings"))
        #expect(fileError(.employers, .csv, "employer_id,name,country,colour\nE1,A,PH,red\n")?.problem
            == .unknownColumn("colour"))
        // Case matters: `Name` is not `name`.
        #expect(fileError(.employers, .csv, "employer_id,Name,country\n")?.problem == .unknownColumn("Name"))
        #expect(fileError(.employers, .csv, "employer_id,name,country,name\n")?.problem == .duplicateColumn("name"))
        #expect(fileError(.employers, .csv, "")?.problem == .noHeader)
        #expect(fileError(.employers, .csv, [0xEF, 0xBB, 0xBF])?.problem == .noHeader)
        #expect(fileError(.employers, .csv, "\nemployer_id,name,country\n")?.problem == .noHeader)
        #expect(fileError(.employers, .csv, "\r\nemployer_id,name,country\n")?.problem == .noHeader)
        #expect(fileError(.employers, .csv, "employer_id,\"name,country\n")?.problem
            == .malformedHeader("a quoted field is not closed before the end of the file"))
        #expect(fileError(.employers, .csv, [0x65, 0xFF, 0x0A]) != nil)
        let message = fileError(.vacancies, .csv, missing)?.description ?? ""
        #expect(message.contains("openings") && message.contains("feed line 1"))
    }

    /// A file given as the wrong kind: its header, all of one other kind's columns with its
    /// required ones, is named as that kind's; a header that fits no kind, or two, names none.
    @Test func aHeaderOfAnotherKindIsNamed() {
        let required = FeedKind.workers.fields.filter(\.required).map(\.name).joined(separator: ",")
        #expect(required.hasPrefix("worker_id,"))
        let workers = fileError(.employers, .csv, required + "\n")
        #expect(workers?.problem == .unknownColumn("worker_id") && workers?.likelyKind == .workers)
        #expect(workers?.description.hasSuffix("; the header is that of the workers feed: is it the workers file?") == true)
        let rates = fileError(.minimumWages, .csv, "currency,usd_per_unit\n")
        #expect(rates?.likelyKind == .fxRates, "\(String(describing: rates))")
        #expect(fileError(.employers, .csv, "employer_id,name,country,colour\n")?.likelyKind == nil)
        // Only some of the recruiters' required columns: not named.
        #expect(fileError(.employers, .csv, "recruiter_id,name\n")?.likelyKind == nil)
        // NDJSON: the first line's keys.
        let line = "{" + FeedKind.fxRates.fields.filter(\.required).map { "\"\($0.name)\": \"1\"" }.joined(separator: ", ") + "}\n"
        let json = fileError(.minimumWages, .ndjson, line)
        #expect(json?.likelyKind == .fxRates && json?.description.contains("the line's keys are those of the fx-rates feed") == true,
                "\(String(describing: json))")
    }

    @Test func optionalColumnsMayBeLeftOutAndColumnsComeInAnyOrder() throws {
        let out = try readFeed(.employers, .csv, "country,employer_id,name\nPH,E1,Acme\n")
        #expect(out.summary == [])
        #expect(out.accepted.map(\.record) == [.employer(Employer(id: "E1", name: "Acme", country: "PH"))])
    }

    @Test func bomIsSkippedAndCRLFEndsLines() throws {
        let text = "\u{FEFF}employer_id,name,country\r\nE1,Acme,PH\r\nE2,Beta,DE\r\n"
        let out = try readFeed(.employers, .csv, text)
        #expect(out.accepted.map(\.line) == [2, 3])
        #expect(out.accepted.map(\.raw) == ["E1,Acme,PH", "E2,Beta,DE"])
    }

    @Test func bareCRIsPartOfAValue() throws {
        let out = try readFeed(.employers, .csv, "employer_id,name,country\nE1,Ac\rme,PH\nE2,B,DE")
        #expect(out.accepted.map(\.line) == [2, 3])
        if case .employer(let e)? = out.accepted.first?.record { #expect(e.name == "Ac\rme") }
        // A CR before the end of the file is not a line end either: `PH\r` is no country.
        let trailing = try readFeed(.employers, .csv, "employer_id,name,country\nE1,A,PH\r")
        #expect(trailing.summary == ["2:INVALID_VALUE:country"])
        #expect(trailing.rejections.first?.raw == "E1,A,PH\r")
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "employer_id,name,country\nE1,\"Acme, \"\"the\"\"\r\nbest\nco\",PH\nE2,B,DE\n\nE3,C,CA\n"
        let out = try readFeed(.employers, .csv, text)
        #expect(out.summary == [])
        // The quoted value spans lines 2-4; the next record starts on line 5, the empty line 6 is skipped.
        #expect(out.accepted.map(\.line) == [2, 5, 7])
        if case .employer(let e)? = out.accepted.first?.record { #expect(e.name == "Acme, \"the\"\r\nbest\nco") }
        #expect(out.accepted.first?.raw == "E1,\"Acme, \"\"the\"\"\r\nbest\nco\",PH")
        #expect(out.counts.dataRows == 3)
    }

    @Test func badQuotingIsMalformedAndTheNextRecordsStillRead() throws {
        let text = """
            employer_id,name,country
            E1,Ac"me,PH
            E2,"Beta"x,DE
            E3,"Gamma" ,CA
            E4,D,PH

            """
        let out = try readFeed(.employers, .csv, text)
        #expect(out.summary == ["2:MALFORMED_ROW:", "3:MALFORMED_ROW:", "4:MALFORMED_ROW:"])
        #expect(out.rejections.map(\.raw) == ["E1,Ac\"me,PH", "E2,\"Beta\"x,DE", "E3,\"Gamma\" ,CA"])
        #expect(out.rejections.allSatisfy { $0.key == nil })
        #expect(out.accepted.map(\.line) == [5])
    }

    @Test func unterminatedQuoteTakesTheRestOfTheFileAsOneRow() throws {
        let text = "employer_id,name,country\nE1,A,PH\nE2,\"B,DE\nE3,C,CA\n\nE4,D,PH\r\n"
        let out = try readFeed(.employers, .csv, text)
        #expect(out.summary == ["3:MALFORMED_ROW:"])
        #expect(out.rejections.first?.raw == "E2,\"B,DE\nE3,C,CA\n\nE4,D,PH")
        #expect(out.counts.dataRows == 2)
        // The reason says where the quote opened and how much it took (lines 3 to 6), first.
        #expect(out.rejections.first?.detail == "a quoted field is not closed before the end of the file: a quote "
                + "opened on line 3 takes the rest of the file, 4 lines, into the record of line 3 (is a quote in a value "
                + "not doubled, or not closed?)", "\(out.rejections.first?.detail ?? "")")
        // The line the quote opened on, which a record's multi-line field before it leaves behind.
        let later = try readFeed(.employers, .csv, "employer_id,name,country\nE1,\"A\nB\",\"PH\nE2,B,DE\nE3,C,CA\n")
        #expect(later.rejections.first?.detail.contains("a quote opened on line 3 takes the rest of the file, 3 lines, into "
                                                        + "the record of line 2") == true, "\(later.rejections.map(\.detail))")
        let noFinalLineEnd = try readFeed(.employers, .csv, "employer_id,name,country\nE1,A\"x,PH\nE2,\"B,DE\nE3")
        #expect(noFinalLineEnd.rejections.last?.detail.contains("opened on line 3 takes the rest of the file, 2 lines") == true,
                "\(noFinalLineEnd.rejections.map(\.detail))")
        // Past the record limit, the raw text is cut, and the reason is still the quote.
        var scanner = CSVScanner()
        scanner.maxRecordBytes = 64
        var records: [CSVRecord] = []
        let big = Array(("a,\"b\n" + String(repeating: "c,d\n", count: 100)).utf8)
        big.withUnsafeBufferPointer { scanner.scan($0) { if case .record(let r) = $0 { records.append(r) } } }
        scanner.finish { if case .record(let r) = $0 { records.append(r) } }
        #expect(records.count == 1 && records[0].raw.count == 64)
        #expect(records[0].problem == "a quoted field is not closed before the end of the file: a quote opened on line 1 "
                + "takes the rest of the file, 101 lines, into the record of line 1 (is a quote in a value not doubled, or not "
                + "closed?); its raw text is cut at 64 bytes", "\(records[0].problem ?? "")")
    }

    @Test func wrongFieldCountIsMalformed() throws {
        let out = try readFeed(.employers, .csv, "employer_id,name,country\nE1,A\nE2,B,DE,x\nE3,C,CA,\n \nE4,D,PH\n")
        #expect(out.summary == ["2:MALFORMED_ROW:", "3:MALFORMED_ROW:", "4:MALFORMED_ROW:", "5:MALFORMED_ROW:"])
        #expect(out.accepted.map(\.line) == [6])
    }

    @Test func invalidUTF8IsMalformedAndRawUsesReplacementCharacters() throws {
        var bytes = Array("employer_id,name,country\nE1,Ac".utf8)
        bytes += [0xE2, 0x82, 0x41, 0xFF]  // a truncated sequence, then a byte never valid
        bytes += Array("me,PH\nE2,B,DE\n".utf8)
        let out = try readFeed(.employers, .csv, bytes)
        #expect(out.summary == ["2:MALFORMED_ROW:"])
        // Each maximal invalid subsequence becomes one U+FFFD.
        #expect(out.rejections.first?.raw == "E1,Ac\u{FFFD}A\u{FFFD}me,PH")
        #expect(out.accepted.map(\.line) == [3])
    }

    @Test func emptyLinesAreSkippedButCounted() throws {
        let out = try readFeed(.employers, .csv, "employer_id,name,country\n\n\r\nE1,A,PH\n\n")
        #expect(out.accepted.map(\.line) == [4])
        #expect(out.counts.dataRows == 1)
        let headerOnly = try readFeed(.employers, .csv, "employer_id,name,country")
        #expect(headerOnly.counts == FeedCounts())
    }

    @Test func quotedEmptyCellIsAbsent() throws {
        let out = try readFeed(.employers, .csv, "employer_id,name,country,sector\nE1,A,PH,\"\"\nE2,\"\",DE,x\n")
        #expect(out.summary == ["3:MISSING_FIELD:name"])
        if case .employer(let e)? = out.accepted.first?.record { #expect(e.sector == nil) }
    }
}
