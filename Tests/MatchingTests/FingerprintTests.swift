import Testing
import Matching

/// The text behind `input_sha256` (README, "input_sha256"): pinned, since its
/// construction is built for speed (bytes, chunks on several threads) and a
/// change would silently change every run's hash.
@Suite struct FingerprintTests {
    /// The README's construction written plainly, from each record's canonical text.
    static func plainFingerprint(_ input: MatchingInput) -> String {
        func section(_ name: String, _ texts: [String]) -> String {
            let sorted = texts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return "\(name) \(sorted.count)\n" + sorted.map { "\($0.utf8.count):\($0)\n" }.joined()
        }
        return "labourmatch-input-v1\n"
            + section("employers", input.employers.map(\.canonicalText))
            + section("recruiters", input.recruiters.map(\.canonicalText))
            + section("vacancies", input.vacancies.map(\.canonicalText))
            + section("workers", input.workers.map(\.canonicalText))
            + section("minimum_wages", input.minimumWages.map(\.canonicalText))
            + section("fx_rates", input.fxRates.map(\.canonicalText))
            + "who_list_edition \(input.whoListEdition.utf8.count):\(input.whoListEdition)\n"
            + section("who_list", input.whoList.map(\.canonicalText))
    }

    @Test func smallInputGivesTheDocumentedText() {
        var input = MatchingInput()
        input.employers = [Employer(id: "E2", name: "b", country: "DE"),
                           Employer(id: "E1", name: "a", country: "CA", sector: "health", irisCertified: true)]
        input.fxRates = [FXRate(currency: "EUR", usdPerUnit: dec("1.10"))]
        input.whoList = [WHOListEntry(country: "AF", name: "Afghanistan", whoRegion: "EMR")]
        input.whoListEdition = "2023"
        // Each field `<length>:<text>;`, absent `-;`, booleans 1/0, shortest decimals; records by bytes.
        #expect(input.fingerprintText == """
            labourmatch-input-v1
            employers 2
            42:8:employer;2:E1;1:a;2:CA;6:health;1:1;1:0;
            35:8:employer;2:E2;1:b;2:DE;-;1:0;1:0;
            recruiters 0
            vacancies 0
            workers 0
            minimum_wages 0
            fx_rates 1
            22:7:fx_rate;3:EUR;3:1.1;
            who_list_edition 4:2023
            who_list 1
            37:8:who_list;2:AF;11:Afghanistan;3:EMR;

            """)
        #expect(input.fingerprintBytes == Array(input.fingerprintText.utf8))
    }

    /// A record's lists, written by hand: items sorted by bytes (but preferred destinations), each
    /// `<length>:<item>;` after the item count. Pinned because the writer builds items as bytes.
    @Test func listsOfARecordGiveTheDocumentedText() {
        let worker = Worker(id: "W1", originCountry: "PH", birthYear: 1990, gender: .female, educationLevel: 5,
                            occupations: [Occupation(isco: "3221", years: dec("2.50")), Occupation(isco: "2221", years: dec("10"))],
                            skills: [WorkerSkill(code: "wound-care", level: 2), WorkerSkill(code: "patient-care", level: 4)],
                            languages: [LanguageLevel(code: "tl", level: .c2), LanguageLevel(code: "en", level: .b2)],
                            preferredDestinations: ["DE", "CA"], minMonthlyWageUSD: dec("1200.5"),
                            availableFrom: Day("2026-01-15"), consent: true)
        #expect(worker.canonicalText == "6:worker;2:W1;2:PH;4:1990;1:F;1:5;"
                + "1:2;7:2221:10;8:3221:2.5;" + "1:2;14:patient-care:4;12:wound-care:2;" + "1:2;5:en:B2;5:tl:C2;"
                + "1:2;2:DE;2:CA;" + "6:1200.5;10:2026-01-15;1:1;-;")
        #expect(worker.canonicalBytes == Array(worker.canonicalText.utf8))
        let vacancy = Vacancy(id: "V1", employerId: "E1", isco: "2221", title: "Nurse", destinationCountry: "DE",
                              openings: 12, requiredSkills: [RequiredSkill(code: "iv-therapy", minLevel: 2, essential: false),
                                                             RequiredSkill(code: "iv-therapy-x", minLevel: 3, essential: true)],
                              requiredLanguages: [], monthlyWage: dec("3450"), currency: "EUR", hoursPerWeek: dec("38.5"),
                              contractLanguages: ["en", "de"])
        #expect(vacancy.canonicalText == "7:vacancy;2:V1;2:E1;-;4:2221;5:Nurse;2:DE;2:12;"
                + "1:2;16:iv-therapy-x:3:E;14:iv-therapy:2:O;" + "1:0;" + "-;-;4:3450;3:EUR;4:38.5;-;"
                + "1:2;2:de;2:en;" + "1:0;1:0;1:0;-;-;")
    }

    /// Decimals and days are written as bytes; they must read as their `description`s.
    @Test func decimalsAndDaysAreTheirDescriptions() {
        let small = [Int64(0), 1, -1, 5, 10, 12345, -987_654_321, .max, .min + 1, .min].flatMap { mantissa in
            (0...ExactDecimal.maxScale).map { ExactDecimal(mantissa: mantissa, scale: $0) }
        }
        let large = ["12345678901234567890", "-0.0000000000000000000001", "98765432109876543210.123456789"]
            .map { ExactDecimal(exactly: $0)! }
        for d in small + large {
            let text = d.description
            var bytes: [UInt8] = []
            d.appendText(to: &bytes)
            #expect(bytes == Array(text.utf8))
            #expect(FXRate(currency: "EUR", usdPerUnit: d).canonicalText == "7:fx_rate;3:EUR;\(text.utf8.count):\(text);")
            let worker = Worker(id: "W", originCountry: "PH", birthYear: 1990, educationLevel: 1,
                                occupations: [Occupation(isco: "2221", years: d)], consent: true)
            #expect(worker.canonicalText.contains(";1:1;\(5 + text.utf8.count):2221:\(text);"))
        }
        for (y, m, d) in [(1, 1, 1), (7, 2, 3), (99, 12, 31), (999, 6, 15), (1000, 1, 1), (2026, 11, 29), (9999, 12, 31)] {
            let day = Day(year: y, month: m, day: d)!
            let recruiter = Recruiter(id: "R", name: "n", licenseCountry: "DE", licenseNumber: nil, licenseExpires: day)
            #expect(recruiter.canonicalText.contains("-;10:\(day.description);"))
        }
    }

    /// Thousands of records (several chunks per section) in any order give the plain construction's text.
    @Test func manyRecordsInAnyOrderGiveThePlainText() {
        var rng = SplitMix(seed: 6)
        var input = baseInput(workers: (0..<5000).map { worker("W\($0 * 7919 % 5000)", preferred: ["DE", "CA"]) },
                              vacancies: (0..<300).map { vacancy("V\($0)") })
        input.employers += (0..<4500).map { Employer(id: "E\($0)", name: "n\($0 % 13)", country: "DE") }
        let expected = FingerprintTests.plainFingerprint(input)
        #expect(input.fingerprintText == expected)
        input.workers.shuffle(using: &rng)
        input.employers.shuffle(using: &rng)
        #expect(input.fingerprintText == expected)
    }
}
