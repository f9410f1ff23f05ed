import Matching
import Testing
@testable import Feeds

/// Row checks: formats, ranges, references, keys and the order of reasons.
@Suite struct ValidationTests {
    @Test func scalarsAreNotTrimmed() throws {
        let rows = [vacancyRow("V1", openings: " 3"), vacancyRow("V2", openings: "3 "), vacancyRow("V3", openings: "+3"),
                    vacancyRow("V4", openings: "0"), vacancyRow("V5", openings: "three"), vacancyRow("V6", openings: "007")]
        let out = try readFeed(.vacancies, .csv, ([vacancyHeader] + rows).joined(separator: "\n"))
        #expect(out.summary == (2...6).map { "\($0):INVALID_VALUE:openings" })
        #expect(out.accepted.first?.record.vacancy?.openings == 7)
        #expect(out.rejections.first?.detail == "' 3' is not an integer >= 1")
    }

    /// `openings` and `contract_months` are "integer >= 1" with no upper bound: any length reads
    /// exactly, in CSV and in NDJSON; signs, fractions and exponents do not.
    @Test func countsHaveNoUpperBound() throws {
        let twenty = "99999999999999999999", thousand = String(repeating: "7", count: Count.maxDigits)
        let good = ["3000000000", twenty, "000" + thousand]
        let bad = ["-1", "-0", "+5", "1.0", "1e3", thousand + "1"]
        let rows = (good + bad).enumerated().map { vacancyRow("V\($0.offset)", openings: $0.element) }
        let out = try readFeed(.vacancies, .csv, ([vacancyHeader] + rows).joined(separator: "\n"))
        #expect(out.accepted.compactMap { $0.record.vacancy?.openings.description } == ["3000000000", twenty, thousand])
        #expect(out.summary == (5...10).map { "\($0):INVALID_VALUE:openings" })

        let lines = [vacancyJSON([("vacancy_id", "\"J1\""), ("openings", twenty), ("contract_months", "1" + twenty)]),
                     vacancyJSON([("vacancy_id", "\"J2\""), ("openings", twenty + ".0")]),
                     vacancyJSON([("vacancy_id", "\"J3\""), ("openings", "1e20")]),
                     vacancyJSON([("vacancy_id", "\"J4\""), ("openings", "\"\(twenty)\"")])]
        let json = try readFeed(.vacancies, .ndjson, lines.joined(separator: "\n"))
        let v = json.accepted.first?.record.vacancy
        #expect(v?.openings == Count(twenty) && v?.contractMonths == Count("1" + twenty))
        #expect(json.summary == (2...4).map { "\($0):INVALID_VALUE:openings" })
    }

    /// A number past 1,000 digits is refused with a message that names the limit, and shows
    /// the value cut (the raw row keeps it whole); other refusals do not mention the limit.
    @Test func numbersPastTheDigitLimitSaySo() throws {
        let long = "0." + String(repeating: "0", count: 1_000) + "1"
        let rows = [vacancyRow("V1", wage: long), vacancyRow("V2", wage: "1e3"), vacancyRow("V3", openings: String(repeating: "9", count: 1_001))]
        let out = try readFeed(.vacancies, .csv, ([vacancyHeader] + rows).joined(separator: "\n"))
        let details = out.rejections.map(\.detail)
        #expect(details.count == 3)
        #expect(details[0].contains("numbers are read up to 1,000 digits") && details[0].contains("(1003 characters)"), "\(details[0])")
        #expect(details[0].count < 250 && out.rejections[0].raw.contains(long))
        #expect(!details[1].contains("1,000 digits"), "\(details[1])")
        #expect(details[2].contains("numbers are read up to 1,000 digits"), "\(details[2])")
        let json = try readFeed(.vacancies, .ndjson, vacancyJSON([("vacancy_id", "\"J1\""), ("monthly_wage", "1e-999999")]))
        #expect(json.rejections.first?.detail.contains("numbers are read up to 1,000 digits") == true,
                "\(json.rejections.first?.detail ?? "")")
    }

    @Test func decimalsFollowTheFeedSyntax() throws {
        let wages = ["2500.50", "2500.", ".5", "1e3", "+1", "-5", "0", "\"1,000\"", "123456789012345678901", "12.0000"]
        let rows = wages.enumerated().map { vacancyRow("V\($0.offset)", wage: $0.element) }
        let out = try readFeed(.vacancies, .csv, ([vacancyHeader] + rows).joined(separator: "\n"))
        // No limit of 64 bits: 21 digits are a wage like any other (README "Exactness").
        #expect(out.accepted.compactMap { $0.record.vacancy?.monthlyWage }
            == [ExactDecimal(mantissa: 250050, scale: 2), ExactDecimal(exactly: "123456789012345678901")!,
                ExactDecimal(12)])
        #expect(out.summary == (3...9).map { "\($0):INVALID_VALUE:monthly_wage" })
    }

    @Test func referencesAndDuplicateKeys() throws {
        let rows = [
            vacancyRow("V1"),
            vacancyRow("V1", title: "Again"),  // duplicate of an accepted row
            vacancyRow("V2", openings: "x"),  // rejected: does not hold V2
            vacancyRow("V2"),  // accepted
            vacancyRow("V3", employer: "E9"),
            vacancyRow("V4", recruiter: "R9"),
            vacancyRow("V5", recruiter: "R1"),
        ]
        let out = try readFeed(.vacancies, .csv, ([vacancyHeader] + rows).joined(separator: "\n"))
        #expect(out.summary == ["3:DUPLICATE_KEY:vacancy_id", "4:INVALID_VALUE:openings",
                                "6:UNKNOWN_EMPLOYER:employer_id", "7:UNKNOWN_RECRUITER:recruiter_id"])
        #expect(out.accepted.map(\.line) == [2, 5, 8])
        // A row rejected for a value, a reference or a duplicate still tells its key (snapshot loads).
        #expect(out.rejections.map(\.key) == ["V1", "V2", "V3", "V4"])
    }

    @Test func theFirstProblemInSpecOrderWins() throws {
        let rows = [
            // Missing title comes before the bad openings (table order), whatever the column order.
            vacancyRow("V1", title: "", openings: "x"),
            // A bad value beats an unknown employer and a duplicate key.
            vacancyRow("V1", employer: "E9", openings: "x"),
            // Unknown employer beats unknown recruiter.
            vacancyRow("V2", employer: "E9", recruiter: "R9"),
            // Unknown recruiter beats the duplicate key.
            vacancyRow("V3"),
            vacancyRow("V3", recruiter: "R9"),
            // Malformed beats everything.
            vacancyRow("V4", employer: "E9", openings: "x") + ",extra",
            // An invalid key is reported as such, and the row has no readable key.
            vacancyRow("V 5", openings: "x"),
        ]
        let out = try readFeed(.vacancies, .csv, ([vacancyHeader] + rows).joined(separator: "\n"))
        #expect(out.summary == ["2:MISSING_FIELD:title", "3:INVALID_VALUE:openings", "4:UNKNOWN_EMPLOYER:employer_id",
                                "6:UNKNOWN_RECRUITER:recruiter_id", "7:MALFORMED_ROW:", "8:INVALID_VALUE:vacancy_id"])
        #expect(out.rejections.last?.key == nil)
        // The same file with the columns reversed gives the same reasons.
        let reversed = ([vacancyHeader] + rows.dropLast(2)).map { $0.split(separator: ",", omittingEmptySubsequences: false).reversed().joined(separator: ",") }
        let again = try readFeed(.vacancies, .csv, reversed.joined(separator: "\n"))
        #expect(again.summary == Array(out.summary.prefix(4)))
    }

    @Test func csvListItemsAndParts() throws {
        let header = vacancyHeader + ",required_skills,required_languages,contract_languages"
        let lists = [
            "x:2:E; y-1 : 1 : O,en:B1 ; de: C2 ,en ; ar",  // spaces around items and parts are ignored
            ",,en;",
            ",,en;en",
            ",,en:B1",  // a part too many
            ",en,",  // a part too few
            ",en:b1,",  // CEFR is upper case
            ",xx:B1,",  // not a language of the list
            "x:2:E;x:3:O,,",  // the same code twice
            "x:5:E,,",
            "x:2:e,,",
            "X:2:E,,",
            ",\u{A0}en:B1,",  // only U+0020 is a space
            ",;,",
            ", ,",
        ]
        let rows = lists.enumerated().map { vacancyRow("V\($0.offset)") + "," + $0.element }
        let out = try readFeed(.vacancies, .csv, ([header] + rows).joined(separator: "\n"))
        let v = try #require(out.accepted.first?.record.vacancy)
        #expect(v.requiredSkills == [RequiredSkill(code: "x", minLevel: 2, essential: true),
                                     RequiredSkill(code: "y-1", minLevel: 1, essential: false)])
        #expect(v.requiredLanguages == [LanguageLevel(code: "en", level: .b1), LanguageLevel(code: "de", level: .c2)])
        #expect(v.contractLanguages == ["en", "ar"])
        #expect(out.summary == ["3:INVALID_VALUE:contract_languages", "4:INVALID_VALUE:contract_languages",
                                "5:INVALID_VALUE:contract_languages", "6:INVALID_VALUE:required_languages",
                                "7:INVALID_VALUE:required_languages", "8:INVALID_VALUE:required_languages",
                                "9:INVALID_VALUE:required_skills", "10:INVALID_VALUE:required_skills",
                                "11:INVALID_VALUE:required_skills", "12:INVALID_VALUE:required_skills",
                                "13:INVALID_VALUE:required_languages", "14:INVALID_VALUE:required_languages",
                                "15:INVALID_VALUE:required_languages"])
        // The detail says which item and why (it named none: which of five items failed?).
        let details = Dictionary(uniqueKeysWithValues: out.rejections.map { ($0.line, $0.detail) })
        for (line, said) in [(3, "'en;' is not a list of ISO 639-1 language codes, separated by ';', each once: item 2: it is empty"),
                             (4, ": items 1 and 2 have the same code 'en'"),
                             (5, ": item 1 ('en:B1') holds a ':', which this list's items have not"),
                             (6, ": item 1 ('en') has 1 part, not the 2 of code:level"),
                             (9, ": items 1 and 2 have the same code 'x'"),
                             (10, ": item 1: its min_level '5' is not a level from 1 to 4"),
                             (11, ": item 1: its essential 'e' is not E or O (JSON true or false)")] {
            #expect(details[line]?.contains(said) == true, "line \(line): \(details[line] ?? "")")
        }
        // NDJSON: the item and part, and no ';' in what a JSON array is not.
        let json = try readFeed(.workers, .ndjson, """
            {"worker_id":"W1","origin_country":"PH","birth_year":1990,"education_level":3,"occupations":[{"isco":"2221","years":2}],"languages":[{"code":"en","level":"B2"},{"code":"tl","level":"B3"}],"consent":true}
            """)
        let detail = try #require(json.rejections.first?.detail)
        #expect(detail == "a JSON array is not a list of code:level (CEFR) items, each code once: item 2: its level 'B3' is not "
                + "a CEFR level (A1 to C2)", "\(detail)")
    }

    @Test func vacancyFieldsAndDefaults() throws {
        let header = "vacancy_id,employer_id,recruiter_id,isco_code,title,destination_country,openings,min_education,min_experience_years,monthly_wage,currency,hours_per_week,contract_months,worker_fee,passport_retention,g2g_agreement,start_date,expires_on"
        let rows = [
            "V1,E1,R1,2221,Nurse,DE,2,6,2.5,3100.00,EUR,40,24,0,TRUE,1,2026-03-01,2026-12-31",
            "V2,E1,,2221,Nurse,DE,2,,,3100,EUR,40,,,False,0,,",
            "V3,E1,,222,Nurse,DE,2,,,3100,EUR,40,,,,,,",
            "V4,E1,,2221,Nurse,XX,2,,,3100,EUR,40,,,,,,",
            "V5,E1,,2221,Nurse,DE,2,9,,3100,EUR,40,,,,,,",
            "V6,E1,,2221,Nurse,DE,2,,-1,3100,EUR,40,,,,,,",
            "V7,E1,,2221,Nurse,DE,2,,,3100,eur,40,,,,,,",
            "V8,E1,,2221,Nurse,DE,2,,,3100,EUR,0,,,,,,",
            "V9,E1,,2221,Nurse,DE,2,,,3100,EUR,40,0,,,,,",
            "V10,E1,,2221,Nurse,DE,2,,,3100,EUR,40,,-0.01,,,,",
            "V11,E1,,2221,Nurse,DE,2,,,3100,EUR,40,,,yes,,,",
            "V12,E1,,2221,Nurse,DE,2,,,3100,EUR,40,,,,,2026-02-30,",
            "V13,E1,,2221,Nurse,DE,2,,,3100,EUR,40,,,,,,26-01-01",
        ]
        let out = try readFeed(.vacancies, .csv, ([header] + rows).joined(separator: "\n"))
        #expect(out.summary == ["4:INVALID_VALUE:isco_code", "5:INVALID_VALUE:destination_country",
                                "6:INVALID_VALUE:min_education", "7:INVALID_VALUE:min_experience_years",
                                "8:INVALID_VALUE:currency", "9:INVALID_VALUE:hours_per_week",
                                "10:INVALID_VALUE:contract_months", "11:INVALID_VALUE:worker_fee",
                                "12:INVALID_VALUE:passport_retention", "13:INVALID_VALUE:start_date",
                                "14:INVALID_VALUE:expires_on"])
        let full = Vacancy(id: "V1", employerId: "E1", recruiterId: "R1", isco: "2221", title: "Nurse",
                           destinationCountry: "DE", openings: 2, minEducation: 6,
                           minExperienceYears: ExactDecimal(mantissa: 25, scale: 1), monthlyWage: ExactDecimal(3100),
                           currency: "EUR", hoursPerWeek: ExactDecimal(40), contractMonths: 24,
                           workerFee: .zero, passportRetention: true, g2gAgreement: true,
                           startDate: Day(year: 2026, month: 3, day: 1), expiresOn: Day(year: 2026, month: 12, day: 31))
        let bare = Vacancy(id: "V2", employerId: "E1", isco: "2221", title: "Nurse", destinationCountry: "DE",
                           openings: 2, monthlyWage: ExactDecimal(3100), currency: "EUR", hoursPerWeek: ExactDecimal(40))
        #expect(out.accepted.map(\.record) == [.vacancy(full), .vacancy(bare)])
    }

    @Test func workerFields() throws {
        let header = "worker_id,origin_country,birth_year,gender,education_level,occupations,skills,languages,preferred_destinations,min_monthly_wage_usd,available_from,consent,recruiter_id"
        let rows = [
            "W1,PH,1990,F,4,2221:5;3221:0.5,patient-care:3,en:B2;tl:C2,DE;CA,1200.50,2026-01-15,true,R1",
            "W2,NP,2001,,0,2221:0,,,,,,0,",
            "W3,PH,999,,4,2221:5,,,,,,1,",
            "W4,PH,01990,,4,2221:5,,,,,,1,",
            "W5,PH,1990,f,4,2221:5,,,,,,1,",
            "W6,PH,1990,,4,,,,,,,1,",
            "W7,PH,1990,,4,2221:5;2221:2,,,,,,1,",
            "W8,PH,1990,,4,2221,,,,,,1,",
            "W9,PH,1990,,4,2221:-1,,,,,,1,",
            "W10,PH,1990,,4,2221:5,,,DE;DE,,,1,",
            "W11,PH,1990,,4,2221:5,,,,10.005,,1,",
            "W12,PH,1990,,4,2221:5,,,,,,,",
            "W13,PH,1990,,4,2221:5,,,,,,1,R9",
            "W14,PH,1990,,4,2221:5,cook:0,,,,,1,",
        ]
        let out = try readFeed(.workers, .csv, ([header] + rows).joined(separator: "\n"))
        #expect(out.summary == ["4:INVALID_VALUE:birth_year", "5:INVALID_VALUE:birth_year", "6:INVALID_VALUE:gender",
                                "7:MISSING_FIELD:occupations", "8:INVALID_VALUE:occupations",
                                "9:INVALID_VALUE:occupations", "10:INVALID_VALUE:occupations",
                                "11:INVALID_VALUE:preferred_destinations", "12:INVALID_VALUE:min_monthly_wage_usd",
                                "13:MISSING_FIELD:consent", "14:UNKNOWN_RECRUITER:recruiter_id",
                                "15:INVALID_VALUE:skills"])
        let w1 = Worker(id: "W1", originCountry: "PH", birthYear: 1990, gender: .female, educationLevel: 4,
                        occupations: [Occupation(isco: "2221", years: ExactDecimal(5)),
                                      Occupation(isco: "3221", years: ExactDecimal(mantissa: 5, scale: 1))],
                        skills: [WorkerSkill(code: "patient-care", level: 3)],
                        languages: [LanguageLevel(code: "en", level: .b2), LanguageLevel(code: "tl", level: .c2)],
                        preferredDestinations: ["DE", "CA"], minMonthlyWageUSD: ExactDecimal(mantissa: 12005, scale: 1),
                        availableFrom: Day(year: 2026, month: 1, day: 15), consent: true, recruiterId: "R1")
        let w2 = Worker(id: "W2", originCountry: "NP", birthYear: 2001, educationLevel: 0,
                        occupations: [Occupation(isco: "2221", years: .zero)], consent: false)
        #expect(out.accepted.map(\.record) == [.worker(w1), .worker(w2)])
    }

    @Test func employersAndRecruiters() throws {
        let employers = "employer_id,name,country,sector,iris_certified,blocklisted\nE1,Acme,PH,care,true,false\nE-2.x_y,B,DE,,,1\nE3,C,PH,,maybe,\n"
        let e = try readFeed(.employers, .csv, employers)
        #expect(e.accepted.map(\.record) == [
            .employer(Employer(id: "E1", name: "Acme", country: "PH", sector: "care", irisCertified: true)),
            .employer(Employer(id: "E-2.x_y", name: "B", country: "DE", blocklisted: true)),
        ])
        #expect(e.summary == ["4:INVALID_VALUE:iris_certified"])
        let longId = String(repeating: "a", count: 65)
        let recruiters = """
            recruiter_id,name,license_country,license_number,license_expires,iris_certified,blocklisted
            R1,Agency,PH,POEA-123/2024,2027-06-30,,
            R2,Agency,PH,,,,
            \(longId),Agency,PH,,,,
            R4,Agency,ph,,,,
            """
        let r = try readFeed(.recruiters, .csv, recruiters)
        #expect(r.accepted.map(\.record) == [
            .recruiter(Recruiter(id: "R1", name: "Agency", licenseCountry: "PH", licenseNumber: "POEA-123/2024",
                                 licenseExpires: Day(year: 2027, month: 6, day: 30))),
            .recruiter(Recruiter(id: "R2", name: "Agency", licenseCountry: "PH")),
        ])
        #expect(r.summary == ["4:INVALID_VALUE:recruiter_id", "5:INVALID_VALUE:license_country"])
    }

    @Test func referenceData() throws {
        let wages = try readFeed(.minimumWages, .csv, "country,monthly_amount,currency\nDE,2054.00,EUR\nPH,0,PHP\nDE,1,EUR\nAE,,AED\n")
        #expect(wages.accepted.map(\.record) == [.minimumWage(MinimumWage(country: "DE", monthlyAmount: ExactDecimal(2054), currency: "EUR"))])
        #expect(wages.summary == ["3:INVALID_VALUE:monthly_amount", "4:DUPLICATE_KEY:country", "5:MISSING_FIELD:monthly_amount"])
        let rates = try readFeed(.fxRates, .csv, "currency,usd_per_unit\nUSD,1.000\nEUR,1.08\nUSD,2\nPHP,0\nXYZ,1\nGBP,\n")
        #expect(rates.accepted.map(\.record) == [.fxRate(FXRate(currency: "USD", usdPerUnit: .one)),
                                                  .fxRate(FXRate(currency: "EUR", usdPerUnit: ExactDecimal(mantissa: 108, scale: 2)))])
        #expect(rates.summary == ["4:INVALID_VALUE:usd_per_unit", "5:INVALID_VALUE:usd_per_unit",
                                  "6:INVALID_VALUE:currency", "7:MISSING_FIELD:usd_per_unit"])
        let usdOnly = try readFeed(.fxRates, .ndjson, "{\"currency\":\"USD\",\"usd_per_unit\":2}\n{\"currency\":\"USD\",\"usd_per_unit\":1e0}")
        #expect(usdOnly.summary == ["1:INVALID_VALUE:usd_per_unit"])
        #expect(usdOnly.accepted.map(\.line) == [2])
        let who = try readFeed(.whoList, .csv, "country,name,who_region\nKE,Kenya,AFR\nXX,Nowhere,AFR\nNP,Nepal,\n")
        #expect(who.accepted.map(\.record) == [.whoEntry(WHOListEntry(country: "KE", name: "Kenya", whoRegion: "AFR"))])
        #expect(who.summary == ["3:INVALID_VALUE:country", "4:MISSING_FIELD:who_region"])
    }

    @Test func everyKindIsReadInTableOrder() throws {
        // A row whose every field is absent: the first field (the key, required) is reported.
        for kind in FeedKind.allCases {
            var asked: [Int] = []
            var row = RowFields(fields: kind.fields) { asked.append($0); return .absent }
            let problem = #expect(throws: FieldProblem.self) { try Values(codes: testCodes).record(kind, &row) }
            #expect(asked == [0] && problem?.field == kind.keyField && problem?.reason == .missingField, "\(kind)")
        }
        // A row with every field valid: all fields are read, each once, in table order
        // (RowFields asserts that the names asked for follow the table).
        let samples: [FeedKind: [String: String]] = [
            .employers: ["employer_id": "E1", "name": "A", "country": "PH", "sector": "s", "iris_certified": "1",
                         "blocklisted": "0"],
            .recruiters: ["recruiter_id": "R1", "name": "A", "license_country": "PH", "license_number": "1",
                          "license_expires": "2026-01-01", "iris_certified": "1", "blocklisted": "0"],
            .vacancies: ["vacancy_id": "V1", "employer_id": "E1", "recruiter_id": "R1", "isco_code": "2221", "title": "T",
                         "destination_country": "DE", "openings": "1", "required_skills": "x:1:E",
                         "required_languages": "en:B1", "min_education": "3", "min_experience_years": "1",
                         "monthly_wage": "1", "currency": "EUR", "hours_per_week": "40", "contract_months": "12",
                         "contract_languages": "en", "worker_fee": "0", "passport_retention": "0",
                         "g2g_agreement": "0", "start_date": "2026-01-01", "expires_on": "2026-01-02"],
            .workers: ["worker_id": "W1", "origin_country": "PH", "birth_year": "1990", "gender": "X",
                       "education_level": "3", "occupations": "2221:1", "skills": "x:1", "languages": "en:A1",
                       "preferred_destinations": "DE", "min_monthly_wage_usd": "1", "available_from": "2026-01-01",
                       "consent": "1", "recruiter_id": "R1"],
            .minimumWages: ["country": "DE", "monthly_amount": "1", "currency": "EUR"],
            .fxRates: ["currency": "EUR", "usd_per_unit": "1.1"],
            .whoList: ["country": "KE", "name": "Kenya", "who_region": "AFR"],
        ]
        for kind in FeedKind.allCases {
            let fields = kind.fields
            let values = try #require(samples[kind])
            #expect(Set(values.keys) == Set(fields.map(\.name)), "\(kind): the sample names every field")
            var asked: [Int] = []
            var row = RowFields(fields: fields) { i in asked.append(i); return values[fields[i].name].map { .text($0) } ?? .absent }
            _ = try Values(codes: testCodes).record(kind, &row)
            #expect(asked == Array(fields.indices), "\(kind)")
        }
    }

    @Test func kindsAndFormatsByName() {
        #expect(FeedKind(cliName: "fx-rates") == .fxRates && FeedKind(cliName: "minimum_wages") == .minimumWages)
        #expect(FeedKind.whoList.cliName == "who-list" && FeedKind.workers.cliName == "workers")
        #expect(FeedKind(cliName: "wages") == nil)
        #expect(FeedFormat(path: "a/b.csv") == .csv && FeedFormat(path: "x.JSONL") == .ndjson
            && FeedFormat(path: "x.ndjson") == .ndjson)
        #expect(FeedFormat(path: "x.json") == nil && FeedFormat(path: "dir.csv/file") == nil)
    }
}

/// The fast paths of value parsing answer exactly as the plain definitions do.
@Suite struct FastValueTests {
    /// Every code of one to three bytes drawn from letters, their neighbours and a non-ASCII
    /// letter: the table lookup says what "letters of the class, in the set" says.
    @Test func codeLookupsAgreeWithTheSets() throws {
        let codes = try CodeLists.system()
        let values = Values(codes: codes)
        let alphabet: [String] = ["A", "B", "K", "Z", "a", "k", "z", "@", "[", "`", "{", "0", "9", " ", "\u{212A}", "É", "é"]
        var checked = 0
        func all(_ s: String, _ count: Int, _ ok: (UInt8) -> Bool) -> Bool { s.utf8.count == count && s.utf8.allSatisfy(ok) }
        for a in alphabet {
            for b in alphabet {
                for s in [a, a + b] + alphabet.map({ a + b + $0 }) {
                    let cell = Cell.text(s)
                    #expect((values.country.parse(cell) != nil) == (all(s, 2, Syntax.isUpper) && codes.countries.contains(s)), "\(s)")
                    #expect((values.currency.parse(cell) != nil) == (all(s, 3, Syntax.isUpper) && codes.currencies.contains(s)), "\(s)")
                    #expect((values.language.parse(cell) != nil) == (all(s, 2, Syntax.isLower) && codes.languages.contains(s)), "\(s)")
                    checked += 1
                }
            }
        }
        #expect(checked > 5000)
        // Real codes pass, through the table.
        #expect(values.country.parse(.text("PH")) == "PH")
        #expect(values.currency.parse(.text("EUR")) == "EUR")
        #expect(values.language.parse(.text("en")) == "en")
        #expect(values.currency.parse(.text("XYZ")) == nil)
    }

    /// Sets with a code that is not plain ASCII keep the plain lookup (and its answers).
    @Test func nonASCIISetsUseThePlainLookup() {
        let odd = CodeLists(countries: ["\u{212A}E", "DE"], currencies: ["EUR"], languages: ["en"])
        let values = Values(codes: odd)
        #expect(values.country.parse(.text("DE")) == "DE")
        // Set.contains compares strings by canonical equivalence: KELVIN SIGN + E holds "KE".
        #expect(values.country.parse(.text("KE")) == "KE")
        #expect(values.country.parse(.text("\u{212A}E")) == nil, "not two ASCII capitals")
    }

    @Test func booleansIgnoreASCIICaseOnly() {
        for (text, value) in [("true", true), ("TRUE", true), ("tRuE", true), ("1", true), ("false", false),
                              ("FALSE", false), ("False", false), ("0", false)] {
            #expect(Values.boolean.parse(.text(text)) == value, "\(text)")
        }
        for text in ["yes", "no", "t", "f", "01", "true ", " 1", "truee", "ｔrue", "2", "-1", "tru"] {
            #expect(Values.boolean.parse(.text(text)) == nil, "\(text)")
        }
    }
}
