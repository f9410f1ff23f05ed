import Matching
import Testing
@testable import Feeds

/// The NDJSON reader: lines, JSON strictness, JSON types, absent values.
@Suite struct NDJSONTests {
    @Test func unknownKeysFailTheWholeFile() {
        let text = vacancyJSON() + "\n" + vacancyJSON([("vacancy_id", "\"V2\""), ("colour", "\"red\"")]) + "\n"
        let error = fileError(.vacancies, .ndjson, text)
        #expect(error?.problem == .unknownKey("colour"))
        #expect(error?.line == 2)
        #expect(error?.description.contains("colour") == true)
        let item = vacancyJSON([("required_skills", "[{\"code\":\"x\",\"min_level\":2,\"essential\":true,\"weight\":1}]")])
        #expect(fileError(.vacancies, .ndjson, item)?.problem == .unknownKey("required_skills.weight"))
        // A field of another feed is unknown here too.
        #expect(fileError(.employers, .ndjson, "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\",\"title\":\"x\"}")?.problem
            == .unknownKey("title"))
    }

    /// A name with an invisible character (a zero-width space, a BOM inside the line, a
    /// no-break space) is shown with it escaped: "unknown column 'country'" looked valid.
    @Test func invisibleCharactersInANameAreShown() {
        let csv = fileError(.employers, .csv, "employer_id,name,country\u{200B},\u{FEFF}x\u{A0}\\\nE1,A,PH\n")
        #expect(csv?.description.contains("'country\\u{200B}'") == true, "\(String(describing: csv))")
        let json = fileError(.employers, .ndjson, "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\",\"\u{FEFF}country\":\"PH\"}\n")
        #expect(json?.description.contains("unknown key '\\u{FEFF}country'") == true, "\(String(describing: json))")
        #expect(FeedFileError.visible("a b\u{A0}\\é") == "a b\\u{A0}\\u{5C}\\u{E9}")
        // A key repeated in a row (MALFORMED_ROW) is named the same way.
        let repeated = try? readFeed(.employers, .ndjson, "{\"employer_id\":\"E1\",\"name\":\"A\",\"na\u{200B}me\":\"B\",\"na\u{200B}me\":\"C\",\"country\":\"PH\"}\n")
        #expect(repeated?.rejections.first?.detail.contains("key 'na\\u{200B}me' is repeated") == true,
                "\(String(describing: repeated?.rejections.first?.detail))")
    }

    @Test func emptyFileHasNoRows() throws {
        let out = try readFeed(.employers, .ndjson, "")
        #expect(out.counts == FeedCounts())
        let blank = try readFeed(.employers, .ndjson, "\u{FEFF}\n\r\n")
        #expect(blank.counts == FeedCounts())
    }

    @Test func linesEndAtLFOrCRLFAndEmptyLinesCount() throws {
        let text = "\u{FEFF}{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\"}\r\n\n{\"employer_id\":\"E2\",\"name\":\"B\",\"country\":\"DE\"}"
        let out = try readFeed(.employers, .ndjson, text)
        #expect(out.accepted.map(\.line) == [1, 3])
        #expect(out.accepted.map(\.raw) == ["{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\"}",
                                            "{\"employer_id\":\"E2\",\"name\":\"B\",\"country\":\"DE\"}"])
    }

    @Test func brokenLinesAreMalformed() throws {
        let lines = [
            "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\"",  // not closed
            "[1,2]",  // not an object
            "\"E1\"",
            "   ",  // not empty, yet no JSON
            "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\",\"employer_id\":\"E9\"}",  // repeated key
            "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\"} x",  // trailing text
            "{'employer_id':\"E1\"}",
            "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\",}",
            "{\"employer_id\":\"E1\",\"name\":\"\\ud800\\u00\",\"country\":\"PH\"}",  // short escape after a surrogate
            "{\"employer_id\":\"E1\",\"name\":\"a\tb\",\"country\":\"PH\"}",  // raw control character
            "{\"employer_id\":\"E1\",\"name\":\"A\",\"iris_certified\":01,\"country\":\"PH\"}",  // leading zero
        ]
        let out = try readFeed(.employers, .ndjson, lines.joined(separator: "\n"))
        #expect(out.summary == (1...lines.count).map { "\($0):MALFORMED_ROW:" })
        #expect(out.rejections.map(\.raw) == lines)
    }

    @Test func repeatedKeyInsideAListItemIsMalformed() throws {
        let skills = "[{\"code\":\"x\",\"min_level\":2,\"essential\":true,\"code\":\"y\"}]"
        let out = try readFeed(.vacancies, .ndjson, vacancyJSON([("required_skills", skills)]))
        #expect(out.summary == ["1:MALFORMED_ROW:"])
        // The same key in two different items is no repetition.
        let two = "[{\"code\":\"x\",\"min_level\":2,\"essential\":true},{\"code\":\"y\",\"min_level\":1,\"essential\":false}]"
        let ok = try readFeed(.vacancies, .ndjson, vacancyJSON([("required_skills", two)]))
        #expect(ok.accepted.first?.record.vacancy?.requiredSkills
            == [RequiredSkill(code: "x", minLevel: 2, essential: true), RequiredSkill(code: "y", minLevel: 1, essential: false)])
    }

    @Test func invalidUTF8IsMalformed() throws {
        var bytes = Array("{\"employer_id\":\"E1\",\"name\":\"".utf8) + [0xC0, 0xAF] + Array("\",\"country\":\"PH\"}\n".utf8)
        bytes += Array("{\"employer_id\":\"E2\",\"name\":\"B\",\"country\":\"DE\"}".utf8)
        let out = try readFeed(.employers, .ndjson, bytes)
        #expect(out.summary == ["1:MALFORMED_ROW:"])
        #expect(out.rejections.first?.raw == "{\"employer_id\":\"E1\",\"name\":\"\u{FFFD}\u{FFFD}\",\"country\":\"PH\"}")
    }

    @Test func integerFieldsTakeOnlyPlainJSONIntegers() throws {
        let lines = ["3", "3.0", "\"3\"", "3e0", "true", "0", "-1"].enumerated().map { i, v in
            vacancyJSON([("vacancy_id", "\"V\(i)\""), ("openings", v)])
        }
        let out = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        #expect(out.accepted.map(\.line) == [1])
        #expect(out.summary == (2...7).map { "\($0):INVALID_VALUE:openings" })
    }

    @Test func decimalFieldsTakeAnyJSONNumberExactly() throws {
        let lines = ["3.1e3", "2500.50", "1E2", "\"2500\"", "0"].enumerated().map { i, v in
            vacancyJSON([("vacancy_id", "\"V\(i)\""), ("monthly_wage", v)])
        }
        let out = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        #expect(out.accepted.compactMap { $0.record.vacancy?.monthlyWage }
            == [ExactDecimal(3100), ExactDecimal(mantissa: 250050, scale: 2), ExactDecimal(100)])
        #expect(out.summary == ["4:INVALID_VALUE:monthly_wage", "5:INVALID_VALUE:monthly_wage"])
    }

    @Test func nullEmptyStringAndEmptyArrayAreAbsent() throws {
        let lines = [
            vacancyJSON([("vacancy_id", "\"V1\""), ("recruiter_id", "null"), ("required_skills", "[]"),
                         ("contract_languages", "\"\""), ("worker_fee", "null"), ("start_date", "\"\"")]),
            vacancyJSON([("vacancy_id", "\"V2\""), ("title", "null")]),
            vacancyJSON([("vacancy_id", "\"V3\""), ("openings", "\"\"")]),
            vacancyJSON([("vacancy_id", "\"V4\""), ("title", nil)]),
            vacancyJSON([("vacancy_id", "\"V5\""), ("title", "[]")]),
        ]
        let out = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        let v = out.accepted.first?.record.vacancy
        #expect(v?.recruiterId == nil && v?.requiredSkills == [] && v?.contractLanguages == [] && v?.workerFee == .zero)
        #expect(out.summary == ["2:MISSING_FIELD:title", "3:MISSING_FIELD:openings", "4:MISSING_FIELD:title",
                                "5:MISSING_FIELD:title"])
    }

    @Test func wrongJSONTypesAreInvalidValues() throws {
        let cases: [(String, String)] = [
            ("passport_retention", "\"true\""), ("passport_retention", "1"), ("title", "42"),
            ("contract_languages", "\"en;ar\""), ("contract_languages", "[\"en\",5]"),
            ("required_languages", "[\"en:B1\"]"), ("required_languages", "{\"code\":\"en\",\"level\":\"B1\"}"),
            ("required_skills", "[{\"code\":\"x\",\"min_level\":2,\"essential\":\"E\"}]"),
            ("required_skills", "[{\"code\":\"x\",\"min_level\":2}]"),
            ("isco_code", "2221"), ("start_date", "{}"),
        ]
        let lines = cases.enumerated().map { i, c in vacancyJSON([("vacancy_id", "\"V\(i)\""), (c.0, c.1)]) }
        let out = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        #expect(out.summary == cases.enumerated().map { "\($0.offset + 1):INVALID_VALUE:\($0.element.0)" })
        // The detail says when the JSON type alone is wrong ("'true' is not a boolean (true,
        // false, 1 or 0)" read as a contradiction): a value that would pass as CSV text.
        let typeOnly = out.rejections.map { $0.detail.hasSuffix(": the value is right, its JSON type is not (integers and "
                                                                + "decimals are JSON numbers, booleans JSON true or false, everything else a JSON string)") }
        // Not for a list given as a string ("en;ar"): its right JSON type is an array, which the
        // note does not name.
        #expect(typeOnly == [true, true, true, false, false, false, false, false, false, true, false],
                "\(out.rejections.map(\.detail))")
    }

    @Test func listsAreArraysWithTheSameRulesAsCSV() throws {
        let cases = ["[\"en\",\"\"]", "[\"en\",\"en\"]", "[\"en\",null]", "[\"en\",\"ar\"]"]
        let lines = cases.enumerated().map { i, v in vacancyJSON([("vacancy_id", "\"V\(i)\""), ("contract_languages", v)]) }
        let out = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        #expect(out.summary == (1...3).map { "\($0):INVALID_VALUE:contract_languages" })
        #expect(out.accepted.first?.record.vacancy?.contractLanguages == ["en", "ar"])
    }

    @Test func workerListsOfObjects() throws {
        let line = """
            {"worker_id":"W1","origin_country":"PH","birth_year":1990,"education_level":4,\
            "occupations":[{"isco":"2221","years":5},{"isco":"3221","years":0.5}],\
            "skills":[{"code":"patient-care","level":3}],"languages":[{"code":"en","level":"B2"}],\
            "preferred_destinations":["DE","CA"],"min_monthly_wage_usd":1200.5,"consent":true,"gender":"F"}
            """
        let out = try readFeed(.workers, .ndjson, line)
        let w = try #require(out.accepted.first?.record.worker)
        #expect(w.occupations == [Occupation(isco: "2221", years: ExactDecimal(5)),
                                  Occupation(isco: "3221", years: ExactDecimal(mantissa: 5, scale: 1))])
        #expect(w.skills == [WorkerSkill(code: "patient-care", level: 3)])
        #expect(w.languages == [LanguageLevel(code: "en", level: .b2)])
        #expect(w.preferredDestinations == ["DE", "CA"] && w.gender == .female && w.consent)
        #expect(w.minMonthlyWageUSD == ExactDecimal(mantissa: 12005, scale: 1))
    }

    @Test func stringsAreTakenAsWritten() throws {
        // Escapes are decoded, nothing is trimmed: " 2221" is not an ISCO code.
        let lines = [
            vacancyJSON([("title", "\"Nurse \\u00e9\\n\"")]),
            vacancyJSON([("vacancy_id", "\"V2\""), ("isco_code", "\" 2221\"")]),
        ]
        let out = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        #expect(out.accepted.first?.record.vacancy?.title == "Nurse \u{E9}\n")
        #expect(out.summary == ["2:INVALID_VALUE:isco_code"])
    }

    @Test func keysAreComparedAsDecodedCodePoints() throws {
        // An escape spelling the same key is a repetition...
        let escaped = try readFeed(.employers, .ndjson, "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\",\"n\\u0061me\":\"B\"}")
        #expect(escaped.summary == ["1:MALFORMED_ROW:"])
        // ...a canonically equivalent but different key is not: it is an unknown key.
        let nfd = "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"PH\",\"caf\u{E9}\":1,\"cafe\u{301}\":2}"
        #expect(fileError(.employers, .ndjson, nfd)?.problem == .unknownKey("caf\u{E9}"))
        // KELVIN SIGN is canonically equivalent to K, yet no country code.
        let kelvin = try readFeed(.employers, .ndjson, "{\"employer_id\":\"E1\",\"name\":\"A\",\"country\":\"\u{212A}E\"}")
        #expect(kelvin.summary == ["1:INVALID_VALUE:country"])
    }

    /// An unpaired surrogate escape is valid JSON (RFC 8259 section 8.2), read as U+FFFD, as
    /// Python's `json` and JavaScript read it: free text keeps the row, a code or id refuses it.
    @Test func unpairedSurrogateEscapesAreReadAsReplacementCharacters() throws {
        let lines = [
            #"{"employer_id":"E1","name":"a\ud800b","country":"PH","sector":"\ud83d\ude00"}"#,
            #"{"employer_id":"E2","name":"\ud800\ud800\udc00\udbff","country":"PH","sector":"\ud800\u0041\udc00"}"#,
            #"{"employer_id":"E\udc00","name":"x","country":"PH"}"#,
            #"{"employer_id":"E4","name":"x","country":"P\ud800"}"#,
        ]
        let out = try readFeed(.employers, .ndjson, lines.joined(separator: "\n"))
        #expect(out.summary == ["3:INVALID_VALUE:employer_id", "4:INVALID_VALUE:country"])
        let employers = out.accepted.compactMap { if case .employer(let e) = $0.record { e } else { nil } }
        #expect(employers.map(\.name) == ["a\u{FFFD}b", "\u{FFFD}\u{10000}\u{FFFD}"])
        #expect(employers.map(\.sector) == ["\u{1F600}", "\u{FFFD}A\u{FFFD}"])
    }

    /// Keys keep their surrogates apart: two different unpaired surrogates are two (unknown)
    /// keys, not one repeated, and the same one twice is a repetition.
    @Test func keysWithUnpairedSurrogatesStayDistinct() throws {
        let two = #"{"employer_id":"E1","name":"A","country":"PH","\ud800":1,"\udbff":2}"#
        #expect(fileError(.employers, .ndjson, two)?.problem == .unknownKey("\u{FFFD}"))
        let replacement = #"{"employer_id":"E1","name":"A","country":"PH","\ud800":1,"\ufffd":2}"#
        #expect(fileError(.employers, .ndjson, replacement)?.problem == .unknownKey("\u{FFFD}"))
        let same = try readFeed(.employers, .ndjson, #"{"employer_id":"E1","name":"A","country":"PH","\ud800":1,"\ud800":2}"#)
        #expect(same.summary == ["1:MALFORMED_ROW:"])
        // The same past the 16 keys where the check switches to hashing.
        let filler = (1...16).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let many = try readFeed(.employers, .ndjson, "{\(filler),\"\\ud800\":1,\"\\udbff\":2,\"\\ud800\":3}")
        #expect(many.summary == ["1:MALFORMED_ROW:"])
        #expect(fileError(.employers, .ndjson, "{\(filler),\"\\ud800\":1,\"\\udbff\":2}")?.problem == .unknownKey("k1"))
    }

    @Test func bareCRInsideALineIsJSONWhitespace() throws {
        let out = try readFeed(.employers, .ndjson, "{\"employer_id\":\"E1\",\r\"name\":\"A\",\"country\":\"PH\"}\r\r\n")
        #expect(out.accepted.map(\.raw) == ["{\"employer_id\":\"E1\",\r\"name\":\"A\",\"country\":\"PH\"}\r"])
    }

    @Test func rejectedRowsTellTheirKeyWhenReadable() throws {
        let lines = [
            vacancyJSON([("openings", "0")]),
            vacancyJSON([("vacancy_id", "\"V 2\"")]),
            vacancyJSON([("vacancy_id", "\"V3\""), ("employer_id", "\"E9\"")]),
            "{\"vacancy_id\":\"V4\"",
            vacancyJSON([("vacancy_id", "\"V5\"")]),
            vacancyJSON([("vacancy_id", "\"V5\"")]),
        ]
        let out = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        #expect(out.summary == ["1:INVALID_VALUE:openings", "2:INVALID_VALUE:vacancy_id", "3:UNKNOWN_EMPLOYER:employer_id",
                                "4:MALFORMED_ROW:", "6:DUPLICATE_KEY:vacancy_id"])
        #expect(out.rejections.map(\.key) == ["V1", nil, "V3", nil, "V5"])
    }

    @Test func readAllGathersRowsInFileOrder() throws {
        let reader = FeedReader(kind: .fxRates, format: .ndjson, codes: testCodes)
        let result = try reader.readAll(bytes: Array("{\"currency\":\"EUR\",\"usd_per_unit\":1.08}\n{\"currency\":\"EUR\"}\n\n{\"currency\":\"PHP\",\"usd_per_unit\":0.0175}".utf8), name: "fx.ndjson")
        #expect(result.dataRows == 3)
        #expect(result.accepted == [.fxRate(FXRate(currency: "EUR", usdPerUnit: ExactDecimal(mantissa: 108, scale: 2))),
                                    .fxRate(FXRate(currency: "PHP", usdPerUnit: ExactDecimal(mantissa: 175, scale: 4)))])
        #expect(result.rejections.map(\.line) == [2])
    }

    @Test func deepNestingIsReadWithoutExhaustingTheStack() throws {
        // Valid JSON nested far deeper than any feed needs, with the depth limit
        // lifted (LimitsTests has it in force): the parser itself must cope, the
        // wrong type for `title`, not a malformed line, and no crash when the tree is freed.
        let depth = 200_000
        let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let repeatedDeep = String(repeating: "{\"a\":", count: depth) + "{\"b\":1,\"b\":2}" + String(repeating: "}", count: depth)
        let lines = [vacancyJSON([("title", deep)]), vacancyJSON([("vacancy_id", "\"V2\""), ("title", repeatedDeep)])]
        var reader = FeedReader(kind: .vacancies, format: .ndjson, codes: testCodes, knownEmployer: { _ in true })
        reader.limits.jsonDepth = .max
        let result = try reader.readAll(bytes: Array(lines.joined(separator: "\n").utf8), name: "deep")
        #expect(result.rejections.map { "\($0.line):\($0.reason.rawValue):\($0.field ?? "")" }
            == ["1:INVALID_VALUE:title", "2:MALFORMED_ROW:"])
    }
}
