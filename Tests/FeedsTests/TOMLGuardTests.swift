import Foundation
import Matching
import Testing
@testable import Feeds

/// The guard in front of toml++: it refuses the shapes that break toml++'s
/// assertions (found by fuzzing) with a clear message, and lets valid TOML through.
@Suite struct TOMLGuardTests {
    @Test(arguments: [
        ("[(", 1, "a table header has no key after '['"),
        ("a = 1\n  [[=b]]", 2, "a table header has no key after '['"),
        ("[\nmin_fit = 0.5", 1, "a table header has no key after '['"),
        ("\u{FEFF}[\u{8B} = 0]", 1, "a table header has no key after '['"),
        ("a = [[[}", 1, "'}' where a value is expected"),
        ("a = [1,\n # a comment\n }", 3, "'}' where a value is expected"),
        ("a = 1979-05-27 0\n", 1, "a date followed by a one-digit time"),
        ("a = [1979-05-27 0]", 1, "a date followed by a one-digit time"),
        ("x = 1\ny = 2\nin-= 0)------b- 0])# ", 3, "a date followed by a one-digit time"),
        ("-AP=2029-05-31t\u{14}4:]", 1, "a date and 'T' with no time after them"),
        ("a = [1979-05-27Tx]", 1, "a date and 'T' with no time after them"),
        ("a = [\u{85}1]", 1, "U+0085, U+2028 or U+2029 outside a string and a comment"),
        // A line-ending backslash in a multi-line string: the line it ends counts.
        ("x = \"\"\"a\\\nb\"\"\"\na = [}", 3, "'}' where a value is expected"),
        // An unterminated one-line string ends at its line's end, counted once, backslash or not.
        ("x = \"a\\\nb = \"c\"\ny = [}", 3, "'}' where a value is expected"),
        ("x = \"a\ny = [}", 2, "'}' where a value is expected"),
    ])
    func crashingShapesAreRefused(text: String, line: Int, message: String) {
        #expect(throws: PolicyError(key: nil, message: "not valid TOML: line \(line): \(message)")) {
            try PolicyReader.read(text: text)
        }
    }

    @Test(arguments: [
        // Brackets, braces and dates in strings and comments are not looked at.
        "contract_language_min = \"[(\u{2028}\" # [}\n",
        "a = '''\n[(\n'''\nb = \"\"\"\n1979-05-27 0]\n\"\"\"\n",
        // Multi-line arrays, nested arrays on their own lines, and real date-times.
        "health_isco_prefixes = [\n  \"22\",\n  \"32\",\n]\n",
        "a = [\n  [\n    1\n  ]\n]\n",
        "a = 1979-05-27 07:32:00\nb = [1979-05-27, 1]\nc = 1979-05-27T07:32:00Z\n",
        "[weights]\n[ \"quoted\" ]\n[[ tables ]]\nt = {x = 1, y = [2]}\n",
    ])
    func validTOMLPasses(text: String) throws {
        try TOMLGuard.check(text)
    }

    @Test func theFixturePoliciesPass() throws {
        for name in ["policy.toml", "policy-strict.toml"] {
            let text = try String(contentsOfFile: "\(fixturesDirectory)/\(name)", encoding: .utf8)
            try TOMLGuard.check(text)
            _ = try PolicyReader.read(text: text)
        }
    }
}

extension TOMLGuardTests {
    @Test func aLongRunOfValuesIsCheckedInLinearTime() throws {
        // 64 KiB of `1=1=...` is one value run starting at every digit: looking to its end
        // each time would be quadratic (it took seconds). Not a clock bound, which a busy
        // machine breaks: four times the text must take well under sixteen times as long
        // (the best of three runs of each, so that a pause of the machine does not count).
        func best(_ pairs: Int) -> Duration {
            let text = String(repeating: "1=", count: pairs)
            return (0..<3).map { _ in ContinuousClock().measure { _ = try? PolicyReader.read(text: text) } }.min()!
        }
        let small = best(8 << 10), large = best(32 << 10)
        #expect(large < small * 8, "8k pairs \(small), 32k pairs \(large): not linear")
    }
}
