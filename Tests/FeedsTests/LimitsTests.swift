import Foundation
import Matching
import Testing
@testable import Feeds

/// The hard limits of `InputLimits`: each is reached with a short text against a
/// lowered limit, rejects cleanly with a message naming it, and leaves the rows
/// after it (and their line numbers) as they were.
@Suite struct LimitsTests {
    /// The standard limits with some lowered.
    static func limits(file: Int? = nil, record: Int? = nil, field: Int? = nil, items: Int? = nil,
                       depth: Int? = nil, policy: Int? = nil) -> InputLimits {
        var l = InputLimits.standard
        l.fileBytes = file ?? l.fileBytes; l.recordBytes = record ?? l.recordBytes
        l.fieldBytes = field ?? l.fieldBytes; l.listItems = items ?? l.listItems
        l.jsonDepth = depth ?? l.jsonDepth; l.policyBytes = policy ?? l.policyBytes
        return l
    }

    static let employerHeader = "employer_id,name,country"

    /// Numbers in messages are grouped by commas whatever the locale (one function: the load
    /// summary's and the limits' messages).
    @Test func numbersAreGroupedByThousands() {
        let cases: [(Int, String)] = [(0, "0"), (999, "999"), (1000, "1,000"), (1_234_567, "1,234,567"),
                                      (-1234, "-1,234"), (Int(Int32.max), "2,147,483,647")]
        for (n, text) in cases { #expect(InputLimits.grouped(n) == text, "\(n)") }
    }

    @Test func aCSVRecordOverTheLimitIsMalformedWithItsRawCut() throws {
        let limits = Self.limits(record: 40)
        let long = "E2,\(String(repeating: "x", count: 100)),DE"
        let exact = "E4,\(String(repeating: "y", count: 34)),CA"
        #expect(exact.utf8.count == 40)
        let out = try readFeed(.employers, .csv, [Self.employerHeader, "E1,A,PH", long, "E3,C,CA", exact].joined(separator: "\n"),
                               limits: limits)
        #expect(out.summary == ["3:MALFORMED_ROW:"])
        #expect(out.rejections.first?.raw == String(long.prefix(40)))
        #expect(out.rejections.first?.detail == "the record is longer than 40 bytes (the limit per record)")
        #expect(out.accepted.map(\.line) == [2, 4, 5])
    }

    @Test func aLongQuotedRecordKeepsLineNumbersAndAnUnclosedQuoteIsCut() throws {
        let limits = Self.limits(record: 40)
        // 50 line breaks inside quotes: the record covers lines 3 to 53.
        let quoted = "E2,\"\(String(repeating: "x\n", count: 50))\",DE"
        let out = try readFeed(.employers, .csv, [Self.employerHeader, "E1,A,PH", quoted, "E3,C,CA"].joined(separator: "\n"),
                               limits: limits)
        #expect(out.summary == ["3:MALFORMED_ROW:"])
        #expect(out.accepted.map(\.line) == [2, 54])
        // An unclosed quote takes the rest of the file: one rejection, cut to the limit.
        let unclosed = [Self.employerHeader, "E1,A,PH", "E2,\"\(String(repeating: "z", count: 100))", "E3,C,CA"]
        let rest = try readFeed(.employers, .csv, unclosed.joined(separator: "\n"), limits: limits)
        #expect(rest.summary == ["3:MALFORMED_ROW:"])
        #expect(rest.rejections.first?.raw.utf8.count == 40)
        #expect(rest.counts.dataRows == 2)
    }

    @Test func aCSVHeaderOverTheLimitFailsTheFile() {
        let header = Self.employerHeader + "," + String(repeating: "a", count: 50) + "\nE1,A,PH\n"
        let error = fileError(.employers, .csv, header, limits: Self.limits(record: 40))
        #expect(error?.problem == .malformedHeader("the record is longer than 40 bytes (the limit per record)"))
    }

    @Test func anNDJSONLineOverTheLimitIsMalformedWithItsRawCut() throws {
        let limits = Self.limits(record: 60)
        func line(_ id: String, length: Int) -> String {
            let (head, tail) = ("{\"employer_id\":\"\(id)\",\"name\":\"", "\",\"country\":\"PH\"}")
            return head + String(repeating: "n", count: length - head.utf8.count - tail.utf8.count) + tail
        }
        // Exactly at the limit, ended by CRLF (the CR is not counted); one byte over; one over at the end of the file.
        let text = line("E1", length: 60) + "\r\n" + line("E2", length: 61) + "\n{\"employer_id\":\"E3\",\"name\":\"C\",\"country\":\"CA\"}\n"
            + line("E4", length: 200)
        let out = try readFeed(.employers, .ndjson, text, limits: limits)
        #expect(out.summary == ["2:MALFORMED_ROW:", "4:MALFORMED_ROW:"])
        #expect(out.rejections.map(\.raw) == [String(line("E2", length: 61).prefix(60)), String(line("E4", length: 200).prefix(60))])
        #expect(out.rejections.first?.detail == "the line is longer than 60 bytes (the limit per record)")
        #expect(out.accepted.map(\.line) == [1, 3])
    }

    @Test func aValueOverTheLimitIsInvalidInTableOrder() throws {
        let limits = Self.limits(field: 10)
        let rows = ["E1,ABCDEFGHIJ,PH", "E2,ABCDEFGHIJK,PH", "E 3,ABCDEFGHIJK,PH", "E4xxxxxxxxx,B,PH"]
        let out = try readFeed(.employers, .csv, ([Self.employerHeader] + rows).joined(separator: "\n"), limits: limits)
        // The bad identifier of line 4 comes first in table order; line 5's key is itself too long.
        #expect(out.summary == ["3:INVALID_VALUE:name", "4:INVALID_VALUE:employer_id", "5:INVALID_VALUE:employer_id"])
        #expect(out.rejections.map(\.detail)[0] == "the value has 11 bytes, over the limit of 10 bytes per field")
        #expect(out.rejections[1].detail.contains("identifier"))
        #expect(out.rejections[2].detail.contains("limit"))
        // JSON numbers count as written.
        let json = try readFeed(.fxRates, .ndjson, """
            {"currency":"EUR","usd_per_unit":1.000000001}
            {"currency":"CAD","usd_per_unit":0.73}
            """, limits: limits)
        #expect(json.summary == ["1:INVALID_VALUE:usd_per_unit"])
        #expect(json.rejections.first?.detail.contains("11 bytes") == true)
    }

    @Test func aListOverTheLimitIsInvalid() throws {
        let limits = Self.limits(items: 3)
        let header = "worker_id,origin_country,birth_year,gender,education_level,occupations,skills,languages,preferred_destinations,min_monthly_wage_usd,available_from,consent,recruiter_id"
        let rows = ["W1,PH,1990,F,4,2221:5,,,DE;CA;AE,,,true,",
                    "W2,PH,1990,F,4,2221:5,,,DE;CA;AE;US,,,true,",
                    "W3,PH,1990,F,4,2221:5;3221:1;2222:1;2223:1,,,,,,true,"]
        let out = try readFeed(.workers, .csv, ([header] + rows).joined(separator: "\n"), limits: limits)
        #expect(out.summary == ["3:INVALID_VALUE:preferred_destinations", "4:INVALID_VALUE:occupations"])
        #expect(out.rejections.first?.detail == "the list has 4 items, over the limit of 3 per list")
        let skill = #"{"code":"s1","level":1}"#
        func worker(_ id: String, skills: Int) -> String {
            let list = (1...skills).map { skill.replacingOccurrences(of: "s1", with: "s\($0)") }.joined(separator: ",")
            return #"{"worker_id":"\#(id)","origin_country":"PH","birth_year":1990,"education_level":4,"occupations":[{"isco":"2221","years":5}],"consent":true,"skills":[\#(list)]}"#
        }
        let json = try readFeed(.workers, .ndjson, [worker("W1", skills: 3), worker("W2", skills: 4)].joined(separator: "\n"),
                                limits: limits)
        #expect(json.summary == ["2:INVALID_VALUE:skills"])
    }

    @Test func jsonNestedPastTheLimitIsMalformed() throws {
        func row(_ id: String, sector: String) -> String {
            #"{"employer_id":"\#(id)","name":"A","country":"PH","sector":\#(sector)}"#
        }
        // The row's object is level 1: three levels are allowed, a fourth (even an empty one) is not.
        let small = try readFeed(.employers, .ndjson, [row("E1", sector: "[[1]]"), row("E2", sector: "[[[1]]]"),
                                                       row("E3", sector: "[[[]]]"), row("E4", sector: "[{}]")].joined(separator: "\n"),
                                 limits: Self.limits(depth: 3))
        #expect(small.summary == ["1:INVALID_VALUE:sector", "2:MALFORMED_ROW:", "3:MALFORMED_ROW:", "4:INVALID_VALUE:sector"])
        #expect(small.rejections[1].detail.contains("nested deeper than 3 levels"))
        // The standard limit, and far past it: refused at once, whatever the depth.
        let standard = InputLimits.standard.jsonDepth
        let nested = { (n: Int) in String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        let out = try readFeed(.employers, .ndjson, [row("E1", sector: nested(standard - 1)), row("E2", sector: nested(standard)),
                                                     row("E3", sector: nested(100_000))].joined(separator: "\n"))
        #expect(out.summary == ["1:INVALID_VALUE:sector", "2:MALFORMED_ROW:", "3:MALFORMED_ROW:"])
    }

    @Test func aFileOverTheLimitFailsBeforeAnyRow() throws {
        let text = Array(([Self.employerHeader] + (1...9).map { "E\($0),A,PH" }).joined(separator: "\n").utf8)
        var reader = FeedReader(kind: .employers, format: .csv, codes: testCodes)
        reader.limits = Self.limits(file: text.count - 1)
        var rows = 0
        #expect(throws: FeedFileError(file: "m", problem: .tooLarge(bytes: text.count, limit: text.count - 1))) {
            try reader.read(bytes: text, name: "m") { _ in rows += 1 }
        }
        // A regular file: its size is known before reading.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("employers.csv")
        try Data(text).write(to: file)
        #expect(throws: FeedFileError(file: file.path, problem: .tooLarge(bytes: text.count, limit: text.count - 1))) {
            try reader.read(path: file.path) { _ in rows += 1 }
        }
        // A pipe has no size: the bytes are counted as they come.
        let fifo = dir.appendingPathComponent("pipe.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread { FileHandle(forWritingAtPath: fifo)?.write(Data(text)) }
        writer.start()
        let error = #expect(throws: FeedFileError.self) { try reader.read(path: fifo) { _ in rows += 1 } }
        #expect(error?.problem == .tooLarge(bytes: text.count, limit: text.count - 1))
        #expect(rows == 0)
        #expect(error?.description.contains("over the limit of \(text.count - 1) bytes per feed file") == true)
        reader.limits = Self.limits(file: text.count)
        #expect(try reader.read(bytes: text, name: "m") { _ in }.accepted == 9)
    }

    @Test func aPolicyOverTheLimitIsRefused() throws {
        let limits = Self.limits(policy: 100)
        let comment = "# " + String(repeating: "p", count: 97) + "\n"
        #expect(comment.utf8.count == 100)
        #expect(try PolicyReader.read(text: comment, limits: limits) == .default)
        #expect(throws: PolicyError(key: nil, message: "the policy has at least 101 bytes, over the limit of 100 bytes for a policy file")) {
            try PolicyReader.read(text: comment + "\n", limits: limits)
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("policy.toml")
        try Data((comment + "min_fit = 0.5\n").utf8).write(to: file)
        let error = #expect(throws: PolicyError.self) { try PolicyReader.read(file: file.path, limits: limits) }
        #expect(error?.message.contains("over the limit of 100 bytes") == true)
    }

    /// Writes `header`, then one line of `count` bytes made by `line`, then `tail`, without holding the line in memory.
    static func writeLongFile(_ url: URL, header: String, count: Int, lead: String, fill: UInt8, end: String, tail: String) throws {
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data((header + "\n" + lead).utf8))
        let block = Data(repeating: fill, count: 1 << 20)
        for _ in 0..<(count >> 20) { try handle.write(contentsOf: block) }
        try handle.write(contentsOf: Data((end + "\n" + tail + "\n").utf8))
    }

    @Test(arguments: FeedFormat.allCases)
    func aHugeLineIsReadInBoundedMemory(format: FeedFormat) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("employers.\(format.rawValue)")
        let size = 32 << 20
        if format == .csv {
            try Self.writeLongFile(file, header: Self.employerHeader, count: size, lead: "E1,", fill: 0x78, end: ",PH",
                                   tail: "E2,B,DE")
        } else {
            try Self.writeLongFile(file, header: #"{"employer_id":"E0","name":"A","country":"PH"}"#, count: size,
                                   lead: #"{"employer_id":"E1","name":""#, fill: 0x78, end: #"","country":"PH"}"#,
                                   tail: #"{"employer_id":"E2","name":"B","country":"DE"}"#)
        }
        var reader = FeedReader(kind: .employers, format: format, codes: testCodes)
        reader.limits = Self.limits(record: 64 << 10)
        var rejections: [Rejection] = []
        let counts = try reader.read(path: file.path) { row in
            if case .rejected(let r) = row { rejections.append(r) }
        }
        #expect(counts.dataRows == (format == .csv ? 2 : 3) && counts.rejected == 1)
        #expect(rejections.first?.raw.utf8.count == 64 << 10)
        #expect(rejections.first?.reason == .malformedRow)
        // The memory this costs is measured in a process of its own (CLITests' MemoryTests): this
        // process's resident size also grows with the tests that run alongside (45 MB seen).
    }

    /// Shapes that would take time growing faster than their size in a careless reader,
    /// at the standard limits (fuzzing, at 4 KiB inputs, cannot show that).
    static let hostileShapes: [(name: String, kind: FeedKind, format: FeedFormat, text: String)] = [
        ("a record of commas", .employers, .csv, Self.employerHeader + "\n" + String(repeating: ",", count: (1 << 20) - 10) + "\n"),
        ("a field of quotes", .employers, .csv, Self.employerHeader + "\nE1,\"" + String(repeating: "\"\"", count: 30_000) + "\",PH\n"),
        ("a list of empty items", .workers, .csv,
         "worker_id,origin_country,birth_year,education_level,occupations,consent,preferred_destinations\nW1,PH,1990,4,2221:1,true,"
            + String(repeating: ";", count: 60_000) + "\n"),
        ("a decimal of leading zeros", .fxRates, .csv, "currency,usd_per_unit\nEUR,0" + String(repeating: "0", count: 60_000) + "1\n"),
        ("a JSON array at the record limit", .workers, .ndjson,
         "{\"worker_id\":\"W1\",\"preferred_destinations\":[" + String(repeating: "\"DE\",", count: 170_000) + "\"DE\"]}\n"),
        ("a JSON object of many keys", .employers, .ndjson, "{" + (0..<60_000).map { "\"k\($0)\":0" }.joined(separator: ",") + "}\n"),
        ("a JSON number of many digits", .fxRates, .ndjson, "{\"currency\":\"EUR\",\"usd_per_unit\":0." + String(repeating: "0", count: 60_000) + "1}\n"),
        ("a line of brackets", .employers, .ndjson, String(repeating: "[", count: (1 << 20) - 10) + "\n"),
    ]

    @Test(arguments: 0..<hostileShapes.count)
    func hostileShapesAtTheLimitsAreReadInLinearTime(index: Int) {
        let shape = Self.hostileShapes[index]
        let reader = FeedReader(kind: shape.kind, format: shape.format, codes: testCodes)
        var outcome: Result<FeedFileResult, Error>?
        // Loose on purpose (a debug build, other tests alongside): each takes well under 1 s; quadratic took minutes.
        let elapsed = ContinuousClock().measure { outcome = Result { try reader.readAll(bytes: Array(shape.text.utf8), name: "hostile") } }
        #expect(elapsed < .seconds(5), "\(shape.name): \(elapsed)")
        switch outcome {
        // One row, accepted (the quotes and zeros are valid) or rejected; or a whole-file error.
        case .success(let result)?: #expect(result.dataRows == 1, "\(shape.name)")
        case .failure(let error)?: #expect(error is FeedFileError, "\(shape.name)")
        case nil: Issue.record("no outcome")
        }
    }
}

/// The loader reads a feed more than once; each pass refuses a pipe, socket or device without
/// waiting on it, so a path swapped for a FIFO between two passes fails the load at once.
@Suite struct RegularFileTests {
    @Test func everyLoadingPassRefusesAFIFOWithoutWaitingForAWriter() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("employers.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // A blocking open would wait for a writer for ever: these come after 3 s and write a
        // valid feed, so a reader that waited reads it (and the test says so) instead of hanging.
        let writer = Thread {
            Thread.sleep(forTimeInterval: 3)
            for _ in 0..<20 {
                let fd = open(fifo, O_WRONLY | O_NONBLOCK)
                if fd >= 0 {
                    _ = "employer_id,name,country\nE1,A,PH\n".withCString { write(fd, $0, strlen($0)) }
                    close(fd)
                }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        writer.start()
        let reader = FeedReader(kind: .employers, format: .csv, codes: testCodes)
        for pass in 0..<3 {
            do {
                switch pass {
                case 0: _ = try FeedFiles.open(fifo, name: "employers.csv", regularOnly: true)
                case 1: try reader.read(path: fifo, regularOnly: true) { _ in }
                default: try reader.forEachRecordText(path: fifo, regularOnly: true) { _, _ in }
                }
                Issue.record("pass \(pass) read a FIFO")
            } catch let error as FeedFileError {
                #expect(error.problem == .notRegularFile, "pass \(pass): \(error)")
            }
        }
        // A socket cannot even be opened (ENXIO): it is named for what it is all the same.
        let socketPath = dir.appendingPathComponent("s.csv").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0, "bind: \(String(cString: strerror(errno)))")
        #expect(throws: FeedFileError(file: socketPath, problem: .notRegularFile)) {
            try reader.read(path: socketPath, regularOnly: true) { _ in }
        }
        // A regular file and a directory still open: one is read, the other is unreadable.
        let file = dir.appendingPathComponent("e.csv")
        try Data("employer_id,name,country\nE1,A,PH\n".utf8).write(to: file)
        #expect(try reader.read(path: file.path, regularOnly: true) { _ in }.dataRows == 1)
        #expect(throws: FeedFileError(file: dir.path, problem: .unreadable("Is a directory"))) {
            try reader.read(path: dir.path, regularOnly: true) { _ in }
        }
    }
}
