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
