import Foundation
import Matching
import Testing
@testable import Feeds

/// `FeedWriter` writes a run's input and policy as files that `RunInputs.read` reads back to
/// the same rows, hence the same `input_sha256` and `policy_sha256` (`export --inputs`).
@Suite struct FeedWriterTests {
    static func decimal(_ text: String) -> ExactDecimal { ExactDecimal(exactly: text) ?? ExactDecimal(jsonNumber: Substring(text))! }

    /// Values a CSV writer gets wrong: separators, quotes and line breaks in text, spaces at
    /// the ends, non-ASCII, a quote a combining mark follows (one grapheme cluster with it),
    /// absent versus present optional fields, long decimals, empty lists.
    static let input = MatchingInput(
        employers: [
            Employer(id: "E1", name: "Acme, \"Care\" Ltd\nsecond line\r\nthird \"\u{301}acute", country: "DE", sector: " health ",
                     irisCertified: true),
            Employer(id: "E.2_x-9", name: "Ünïcødé GmbH; a:b", country: "PH", sector: nil, blocklisted: true),
        ],
        recruiters: [
            Recruiter(id: "R1", name: "\"Quoted\"", licenseCountry: "PH", licenseNumber: "POEA-123, b",
                      licenseExpires: Day("2027-02-28"), irisCertified: true),
            Recruiter(id: "R2", name: "Unlicensed", licenseCountry: "NP"),
        ],
        vacancies: [
            Vacancy(id: "V1", employerId: "E1", recruiterId: "R1", isco: "2221", title: "Nurse, ICU \"night\"\n\"\u{301}",
                    destinationCountry: "DE", openings: Count("123456789012345678901234567890")!,
                    requiredSkills: [RequiredSkill(code: "patient-care", minLevel: 3, essential: true),
                                     RequiredSkill(code: "iv.therapy_2", minLevel: 1, essential: false)],
                    requiredLanguages: [LanguageLevel(code: "de", level: .b2), LanguageLevel(code: "en", level: .a1)],
                    minEducation: 0, minExperienceYears: decimal("0.000001"),
                    monthlyWage: decimal("98765432109876543210.123456789"), currency: "EUR",
                    hoursPerWeek: decimal("38.5"), contractMonths: 24, contractLanguages: ["de", "en"],
                    workerFee: decimal("0.5"), passportRetention: true, g2gAgreement: true,
                    startDate: Day("2027-04-01"), expiresOn: Day("2024-02-29")),
            Vacancy(id: "V2", employerId: "E.2_x-9", isco: "9312", title: " ", destinationCountry: "PH",
                    openings: 1, monthlyWage: decimal("1"), currency: "PHP", hoursPerWeek: decimal("48")),
        ],
        workers: [
            Worker(id: "W1", originCountry: "PH", birthYear: 1990, gender: .other, educationLevel: 8,
                   occupations: [Occupation(isco: "2221", years: decimal("0")),
                                 Occupation(isco: "3221", years: decimal("12.25"))],
                   skills: [WorkerSkill(code: "patient-care", level: 4)],
                   languages: [LanguageLevel(code: "en", level: .c2), LanguageLevel(code: "de", level: .b1)],
                   preferredDestinations: ["DE", "CA", "AE"], minMonthlyWageUSD: decimal("1500.05"),
                   availableFrom: Day("2026-12-01"), consent: true, recruiterId: "R2"),
            Worker(id: "W2", originCountry: "KE", birthYear: 2008, educationLevel: 0,
                   occupations: [Occupation(isco: "9312", years: decimal("3"))], consent: false),
        ],
        minimumWages: [MinimumWage(country: "DE", monthlyAmount: decimal("2054.4"), currency: "EUR")],
        fxRates: [FXRate(currency: "EUR", usdPerUnit: decimal("1.0832")), FXRate(currency: "USD", usdPerUnit: ExactDecimal(1))],
        whoList: [WHOListEntry(country: "KE", name: "Kenya, Republic of", whoRegion: "AFR")],
        whoListEdition: "2031")

    /// Writes `input` with `FeedWriter` into a fresh directory and reads it back as a run does.
    static func roundTrip(_ input: MatchingInput, policy: Policy) throws -> (RunInputs, [FeedWriter.File]) {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = FeedWriter.files(input)
        for file in files { try Data(file.text.utf8).write(to: dir.appendingPathComponent(file.name)) }
        try Data(FeedWriter.policyTOML(policy).utf8).write(to: dir.appendingPathComponent("policy.toml"))
        func path(_ kind: FeedKind) -> String {
            dir.appendingPathComponent(FeedWriter.fileName(kind, whoListEdition: input.whoListEdition)).path
        }
        let read = try RunInputs.read(RunInputFiles(
            employers: path(.employers), recruiters: path(.recruiters), vacancies: path(.vacancies),
            workers: path(.workers), minimumWages: path(.minimumWages), fxRates: path(.fxRates),
            whoList: path(.whoList), policy: dir.appendingPathComponent("policy.toml").path), codes: testCodes)
        return (read, files)
    }

    @Test(arguments: ["2031", "unknown"])
    func writtenFeedsReadBackToTheSameInput(edition: String) throws {
        var input = Self.input
        input.whoListEdition = edition
        let (read, files) = try Self.roundTrip(input, policy: .default)
        #expect(read.rejections.isEmpty, "\(read.rejections)")
        #expect(read.input.employers == input.employers)
        #expect(read.input.recruiters == input.recruiters)
        #expect(read.input.vacancies == input.vacancies)
        #expect(read.input.workers == input.workers)
        #expect(read.input.minimumWages == input.minimumWages)
        #expect(read.input.fxRates == input.fxRates)
        #expect(read.input.whoList == input.whoList)
        #expect(read.input.whoListEdition == edition)
        #expect(read.input.fingerprintBytes == input.fingerprintBytes, "the same input_sha256")
        // Every column, in FEEDS.md's order; quoted only where RFC 4180 needs it.
        let employers = try #require(files.first { $0.name == "employers.csv" })
        #expect(employers.text.hasPrefix("employer_id,name,country,sector,iris_certified,blocklisted\n"
            + "E1,\"Acme, \"\"Care\"\" Ltd\nsecond line\r\nthird \"\"\u{301}acute\",DE, health ,true,false\n"))
        #expect(employers.text.hasSuffix("E.2_x-9,Ünïcødé GmbH; a:b,PH,,false,true\n"))
    }

    @Test func aWrittenPolicyReadsBackToTheSameCanonicalText() throws {
        let policies = [
            Policy.default,
            Policy(minFit: ExactDecimal(1), maxWeeklyHours: Self.decimal("123456789012345678901234567890.75"), minAge: 0,
                   contractLanguageMin: .c2, healthIscoPrefixes: ["3221", "2"],
                   weights: .init(occupation: Self.decimal("0.333333333333333333333333333333"), skills: ExactDecimal(0),
                                  experience: ExactDecimal(7), languages: Self.decimal("0.000001"), education: ExactDecimal(0))),
            Policy(minFit: ExactDecimal(0), healthIscoPrefixes: []),
            // Past what a TOML number may spell out (126 characters, 64-bit integers): written
            // with an exponent, and read back as the same decimals (a session 12 cross-check).
            Policy(minFit: Self.decimal("0.5000000000000000001"), maxWeeklyHours: Self.decimal("1e300"),
                   weights: .init(occupation: Self.decimal("1e-320"), skills: Self.decimal("3.000000000000000000001e307"),
                                  experience: Self.decimal("2.5e-400"), languages: ExactDecimal(0),
                                  education: Self.decimal("12345678901234567890123.5"))),
        ]
        #expect(FeedWriter.tomlNumber(Self.decimal("1e-320")) == "1e-320")
        #expect(FeedWriter.tomlNumber(Self.decimal("0.35")) == "0.35")
        #expect(FeedWriter.tomlNumber(Self.decimal("48")) == "48")
        #expect(FeedWriter.tomlNumber(Self.decimal("1000")) == "1000")
        #expect(FeedWriter.tomlNumber(Self.decimal("1e20")) == "100000000000000000000.0")
        // 123 significant digits at 1e-9: the literal of 127 characters toml++ took, not the
        // 128 of digits-then-exponent (which a review found toml++ refuses past 128).
        let long = "1." + String(repeating: "2", count: 121) + "3e-9"
        #expect(FeedWriter.tomlNumber(Self.decimal(long)) == long)
        #expect(FeedWriter.tomlNumber(Self.decimal("3.000000000000000000001e307")) == "3000000000000000000001e286")
        for policy in policies {
            let (read, _) = try Self.roundTrip(MatchingInput(), policy: policy)
            #expect(read.policy.canonicalText == policy.canonicalText, "\(FeedWriter.policyTOML(policy))")
        }
    }
}

/// Quoting goes by scalars: a quote a combining mark follows is still doubled.
@Suite struct ScalarQuotingTests {
    @Test func aQuoteBeforeACombiningMarkIsDoubled() {
        #expect(RunInputs.csvField("19\"\u{301}") == "\"19\"\"\u{301}\"")
        #expect("it's \"\u{301}".replacingScalar("\"", with: "\"\"") == "it's \"\"\u{301}")
        #expect("'\u{301}".replacingScalar("'", with: "'\\''") == "'\\''\u{301}")
        #expect("plain".replacingScalar("\"", with: "x") == "plain")
    }
}
