import Matching
import Testing
@testable import Feeds

/// The policy file of MATCHING.md section 8.
@Suite struct PolicyReaderTests {
    @Test func emptyFileGivesTheDefaults() throws {
        #expect(try PolicyReader.read(text: "") == Policy.default)
    }

    @Test func theSpecExampleIsTheDefaultPolicy() throws {
        let text = """
            min_fit = 0.5
            max_weekly_hours = 48
            min_age = 18
            contract_language_min = "B1"
            health_isco_prefixes = ["22", "32"]

            [weights]
            occupation = 0.25
            skills = 0.35
            experience = 0.15
            languages = 0.15
            education = 0.10
            """
        let policy = try PolicyReader.read(text: text)
        #expect(policy == Policy.default)
        // The canonical text of MATCHING.md section 7, whose SHA-256 is policy_sha256.
        #expect(policy.canonicalText == """
            contract_language_min=B1
            health_isco_prefixes=22,32
            max_weekly_hours=48
            min_age=18
            min_fit=0.5
            weights.education=0.1
            weights.experience=0.15
            weights.languages=0.15
            weights.occupation=0.25
            weights.skills=0.35

            """)
    }

    @Test func numbersAreTheDecimalsWritten() throws {
        let policy = try PolicyReader.read(text: "min_fit = 0\nmax_weekly_hours = 47.5\n[weights]\nskills = 1\neducation = 0.3")
        #expect(policy.minFit == .zero)
        #expect(policy.maxWeeklyHours == ExactDecimal(mantissa: 475, scale: 1))
        #expect(policy.weights.skills == .one)
        #expect(policy.weights.education == ExactDecimal(mantissa: 3, scale: 1))
        // Keys not given keep their defaults.
        #expect(policy.weights.occupation == Policy.Weights.default.occupation && policy.minAge == 18)
        let other = try PolicyReader.read(text: "health_isco_prefixes = [\"2\", \"3221\"]\ncontract_language_min = \"C2\"\nmin_age = 21")
        #expect(other.healthIscoPrefixes == ["2", "3221"] && other.contractLanguageMin == .c2 && other.minAge == 21)
        #expect(try PolicyReader.read(text: "min_fit = 1").minFit == .one)
    }

    /// MATCHING.md section 8: "numbers are taken as the decimal written", also past the
    /// 17 significant digits a Double holds.
    @Test func longFloatsAreTheDecimalsWrittenToo() throws {
        let policy = try PolicyReader.read(text: """
            min_fit = 0.8250000000000000000001   # just over 0.825
            max_weekly_hours = +4_8.000_000_000_000_000_000_01
            [weights]
            skills = 0.350000000000000000001
            """)
        #expect(policy.minFit.description == "0.8250000000000000000001")
        #expect(policy.maxWeeklyHours.description == "48.00000000000000000001")
        #expect(policy.weights.skills.description == "0.350000000000000000001")
        #expect(FitScore.thresholdMicro(minFit: policy.minFit) == 825_001)
        #expect(policy.canonicalText.contains("weights.skills=0.350000000000000000001\n"))
        // Dotted keys, exponents and short literals.
        let short = try PolicyReader.read(text: "min_fit = 5e-1\nweights.education = 1E-30\n")
        #expect(short.minFit == ExactDecimal(mantissa: 5, scale: 1))
        #expect(short.weights.education.description == "0.000000000000000000000000000001")
        // However the key and the text around it are written (a session 12 review found the
        // line scan of before reading 0.35 for an inline table, a quoted key, or any line after
        // a `'''` in a comment).
        let written = try PolicyReader.read(text: "min_fit = 0.5000000000000000001\n[weights]\nskills = 0.350000000000000000001\n")
        #expect(written.minFit.description == "0.5000000000000000001")
        for text in [
            "weights = { skills = 0.350000000000000000001 }\nmin_fit = 0.5000000000000000001",
            "\"min_fit\" = 0.5000000000000000001\n\"weights\".'skills' = 0.350000000000000000001",
            "# note: ''' and \"\"\"\nmin_fit = 0.5000000000000000001 # '''\n[ weights ] # \"\"\"\nskills=0.350000000000000000001",
            "weights . skills = 0.350000000000000000001\n\"min\\u005ffit\" = 0.5000000000000000001",
            "health_isco_prefixes = [\"22\", # ]\n  '32',\n]\ncontract_language_min = '''B2'''\n"
                + "min_fit = 0.5000000000000000001\nweights = {skills=0.350000000000000000001,education=1}",
            "contract_language_min = \"\"\"B2\\\n  \"\"\"\nmin_fit = 0.5000000000000000001\n"
                + "[weights]\n\"skills\" = 0.350000000000000000001",
        ] {
            let policy = try PolicyReader.read(text: text)
            #expect(policy.minFit == written.minFit, "\(text)")
            #expect(policy.weights.skills == written.weights.skills, "\(text)")
        }
        // A multi-line string (TOML drops its first line end) does not throw the scan off.
        let multiline = try PolicyReader.read(text: """
            contract_language_min = \"""
            C1\"""
            min_fit = 0.70000000000000000001
            """)
        #expect(multiline.contractLanguageMin == .c1)
        #expect(multiline.minFit.description == "0.70000000000000000001")
        // Past the 1,000 digits a decimal holds: an error naming the key, not the Double's 0.
        let tiny = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "min_fit = 1e-1001") }
        #expect(tiny?.key == "min_fit" && tiny?.message.contains("more than 1,000 digits") == true, "\(String(describing: tiny))")
        #expect(try PolicyReader.read(text: "min_fit = 1e-1000").minFit.scale == 1000)
        // One quoted key holding a dot is not the dotted key, and is named as written.
        let quoted = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "\"weights.skills\" = 0.1") }
        #expect(quoted?.key == "\"weights.skills\"", "\(String(describing: quoted))")
        let negative = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "[weights]\n\"a.b\" = -1") }
        #expect(negative?.key == "weights.\"a.b\"", "\(String(describing: negative))")
        // inf has no decimal at all: not "more than 1,000 digits".
        let infinite = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "min_fit = inf") }
        #expect(infinite?.message.contains("1,000") == false, "\(String(describing: infinite))")
    }

    @Test(arguments: [
        ("colour = 1", "colour"),
        ("[weights]\nsalary = 0.1", "weights.salary"),
        ("max_weekly_hours = \"48\"", "max_weekly_hours"),
        ("min_age = 18.5", "min_age"),
        ("min_age = 18.0", "min_age"),
        ("min_age = \"18\"", "min_age"),
        ("min_fit = true", "min_fit"),
        ("min_fit = 1.5", "min_fit"),
        ("min_fit = -0.1", "min_fit"),
        ("[weights]\nskills = -0.1", "weights.skills"),
        ("[weights]\noccupation = 0\nskills = 0\nexperience = 0\nlanguages = 0\neducation = 0.0", "weights"),
        ("weights = 1", "weights"),
        ("contract_language_min = \"b1\"", "contract_language_min"),
        ("contract_language_min = \"D1\"", "contract_language_min"),
        ("contract_language_min = 3", "contract_language_min"),
        ("health_isco_prefixes = [\"2a\"]", "health_isco_prefixes"),
        ("health_isco_prefixes = [\"\"]", "health_isco_prefixes"),
        ("health_isco_prefixes = [\"12345\"]", "health_isco_prefixes"),
        ("health_isco_prefixes = [22]", "health_isco_prefixes"),
        ("health_isco_prefixes = \"22\"", "health_isco_prefixes"),
        ("max_weekly_hours = inf", "max_weekly_hours"),
    ])
    func badPoliciesNameTheKey(text: String, key: String) {
        let error = #expect(throws: PolicyError.self) { try PolicyReader.read(text: text) }
        #expect(error?.key == key)
        #expect(error?.description.contains(key) == true)
    }

    /// What toml++ would read otherwise than TOML does (a review, session 21): a NUL, where the
    /// C string it is given ends (the rest of the file was ignored, exit 0); U+2028, U+2029 and
    /// U+0085 in a comment, valid TOML that was refused; a float of over 128 characters, valid
    /// TOML that toml++ refuses as too long.
    @Test func whatTOMLSaysIsReadAsTOMLSaysIt() throws {
        for (text, line) in [("# policy for the spring run\u{0}\nmin_fit = 0.9\n", 1), ("min_fit = 0.6\n\u{0}[[[", 2),
                             ("contract_language_min = \"B1\u{0}\"", 1)] {
            #expect(throws: PolicyError(key: nil, message: "not valid TOML: line \(line): a NUL character (U+0000), which TOML "
                                        + "allows nowhere")) { try PolicyReader.read(text: text) }
        }
        for odd in ["\u{2028}", "\u{2029}", "\u{85}"] {
            #expect(try PolicyReader.read(text: "# reviewed by ops\(odd) 2026\nmin_fit = 0.5\n").minFit == ExactDecimal(mantissa: 5, scale: 1))
            // The comment runs to the line's end: what follows the character is not a setting.
            #expect(try PolicyReader.read(text: "# old\(odd)min_fit = 0.9\nmin_age = 20").minFit == Policy.default.minFit)
            #expect(throws: PolicyError.self) { try PolicyReader.read(text: "a = [ # note\(odd)1]") }
            // In a string it is the string's; outside both, still refused (toml++ aborted on one).
            #expect(throws: PolicyError.self) { try PolicyReader.read(text: "contract_language_min = \"B1\(odd)\"") }
            #expect(throws: PolicyError(key: nil, message: "not valid TOML: line 1: U+0085, U+2028 or U+2029 outside a string "
                                        + "and a comment")) { try PolicyReader.read(text: "min_fit =\(odd)0.5") }
        }
        let long = "0.5" + String(repeating: "0", count: 125) + "1"
        #expect(long.count == 129)
        let policy = try PolicyReader.read(text: "min_fit = \(long)\n[weights]\nskills = +3_5\(String(repeating: "0", count: 130)).25e-130\n")
        #expect(policy.minFit.description == long)
        #expect(FitScore.thresholdMicro(minFit: policy.minFit) == 500_001)
        #expect(policy.weights.skills.description == "35." + String(repeating: "0", count: 130) + "25", "\(policy.weights.skills)")
        // A long literal that is not a TOML float is still refused, and one of the wrong key still named.
        for bad in ["min_fit = 0.5__\(String(repeating: "0", count: 130))1", "min_fit = 00.\(String(repeating: "0", count: 130))1",
                    "min_fit = 0.\(String(repeating: "0", count: 130))1_"] {
            let error = #expect(throws: PolicyError.self) { try PolicyReader.read(text: bad) }
            #expect(error?.key == nil, "\(bad): \(String(describing: error))")
        }
        let misplaced = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "health_isco_prefixes = [\(long)]") }
        #expect(misplaced?.key == "health_isco_prefixes", "\(String(describing: misplaced))")
        // toml++'s columns are the file's: the shortened literal is padded to its length.
        let column = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "x = [\(long), \(long), 1e]") }
        #expect(column?.message.contains("column \(5 + 2 * (long.count + 2) + 3)") == true, "\(String(describing: column))")
        // Nesting past toml++'s bound is refused, not a stack overflow of the literal lexer, which
        // now runs before toml++ (60,000 '[' crashed the process, a review, session 21).
        let deep = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "x = " + String(repeating: "[", count: 60_000)) }
        #expect(deep?.key == nil, "\(String(describing: deep))")
        // A multi-line string closed by four quotes ends after the fourth ('''a'''' is "a'"): the
        // comment after it is one, and may hold U+2028: the text is TOML, its key unknown.
        let quotes = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "x = '''a'''' # '\u{2028}\nmin_fit = 0.5") }
        #expect(quotes?.key == "x", "\(String(describing: quotes))")
    }

    @Test func notTOMLAtAll() {
        let error = #expect(throws: PolicyError.self) { try PolicyReader.read(text: "min_fit = = 0.5") }
        #expect(error?.key == nil)
    }
}
