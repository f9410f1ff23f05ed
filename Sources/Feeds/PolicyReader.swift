import Matching
import TOMLKit

/// A policy file that cannot be used; names the key at fault.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key (`min_fit`, `weights.skills`), nil for a file that is not TOML at all.
    public let key: String?
    public let message: String

    public init(key: String?, message: String) {
        self.key = key; self.message = message
    }

    public var description: String {
        key.map { "policy key \($0): \(message)" } ?? "policy: \(message)"
    }
}

/// Reads the TOML policy file of MATCHING.md section 8 into a `Policy`, defaults filled in.
public enum PolicyReader {
    /// Reads the policy file at `path`; one over `limits.policyBytes` is refused unread.
    public static func read(file path: String, limits: InputLimits = .standard) throws(PolicyError) -> Policy {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(path, maxBytes: limits.policyBytes)
        } catch let error as FeedFileError {
            if case .tooLarge(let size, let limit) = error.problem { throw tooLarge(path, size, limit) }
            throw PolicyError(key: nil, message: "cannot read \(path)")
        } catch {
            throw PolicyError(key: nil, message: "cannot read \(path)")
        }
        guard isValidUTF8(bytes) else { throw PolicyError(key: nil, message: "\(path) is not UTF-8") }
        return try read(text: String(decoding: bytes, as: UTF8.self), limits: limits)
    }

    /// Reads a policy from TOML text. Every key is optional.
    public static func read(text: String, limits: InputLimits = .standard) throws(PolicyError) -> Policy {
        let size = text.utf8.count
        guard size <= limits.policyBytes else { throw tooLarge("the policy", size, limits.policyBytes) }
        // The literals first (one pass of the lexer, which stops at toml++'s nesting bound): the
        // prepared text hands toml++ short ones of the long.
        let literals = TOMLFloatLiterals(text)
        let prepared = try TOMLGuard.prepared(text, literals)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: prepared)
        } catch let error as TOMLParseError {
            throw PolicyError(key: nil, message: "not valid TOML: \(error.debugDescription)")
        } catch {
            throw PolicyError(key: nil, message: "not valid TOML: \(error)")
        }
        var policy = Policy.default
        for key in sortedKeys(table) {
            let value = table[key]!
            switch key {
            case "min_fit":
                policy.minFit = try number(value, key, literals)
                guard !policy.minFit.isNegative, policy.minFit <= .one else {
                    throw PolicyError(key: key, message: "\(policy.minFit) is outside [0, 1]")
                }
            case "max_weekly_hours":
                policy.maxWeeklyHours = try number(value, key, literals)
            case "min_age":
                guard value.type == .int, let age = value.int else { throw wrongType(value, key, "an integer") }
                policy.minAge = age
            case "contract_language_min":
                guard let text = value.string else { throw wrongType(value, key, "a string") }
                guard Syntax.all(text, count: 2, { $0 < 0x80 }), let level = CEFR(code: Substring(text)) else {
                    throw PolicyError(key: key, message: "'\(text)' is not a CEFR level (A1 to C2)")
                }
                policy.contractLanguageMin = level
            case "health_isco_prefixes":
                guard let array = value.array else { throw wrongType(value, key, "an array of strings") }
                var prefixes: [String] = []
                for item in array {
                    guard let prefix = item.string else { throw wrongType(item, key, "an array of strings") }
                    guard (1...4).contains(prefix.utf8.count), prefix.utf8.allSatisfy(Syntax.isDigit) else {
                        throw PolicyError(key: key, message: "'\(prefix)' is not an ISCO prefix of 1 to 4 digits")
                    }
                    prefixes.append(prefix)
                }
                policy.healthIscoPrefixes = prefixes
            case "weights":
                guard let weights = value.table else { throw wrongType(value, key, "a table") }
                policy.weights = try readWeights(weights, literals)
            default:
                throw PolicyError(key: shown(key), message: "unknown key (not in MATCHING.md section 8)")
            }
        }
        return policy
    }

    private static func readWeights(_ table: TOMLTable,
                                    _ literals: TOMLFloatLiterals) throws(PolicyError) -> Policy.Weights {
        var w = Policy.Weights.default
        for name in sortedKeys(table) {
            let key = "weights.\(shown(name))"
            let value = try number(table[name]!, key, literals)
            guard !value.isNegative else { throw PolicyError(key: key, message: "\(value) is below 0") }
            switch name {
            case "occupation": w.occupation = value
            case "skills": w.skills = value
            case "experience": w.experience = value
            case "languages": w.languages = value
            case "education": w.education = value
            default: throw PolicyError(key: key, message: "unknown key (not in MATCHING.md section 8)")
            }
        }
        let all = [w.occupation, w.skills, w.experience, w.languages, w.education]
        if all.allSatisfy(\.isZero) {
            throw PolicyError(key: "weights", message: "the weights sum to 0")
        }
        return w
    }

    /// A key part as TOML writes it: bare when it can be (`skills`), else quoted
    /// (`"weights.skills"`, one key, is not `weights.skills`).
    private static func shown(_ part: String) -> String {
        let bare = !part.isEmpty && part.utf8.allSatisfy {
            Syntax.isDigit($0) || Syntax.isUpper($0) || Syntax.isLower($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
        if bare { return part }
        return "\"" + part.replacingScalar("\\", with: "\\\\").replacingScalar("\"", with: "\\\"") + "\""
    }

    /// Keys in byte order, so that the first error reported does not depend on the TOML library.
    private static func sortedKeys(_ table: TOMLTable) -> [String] {
        table.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// A TOML integer or float, as the decimal written.
    private static func number(_ value: TOMLValueConvertible, _ key: String,
                               _ literals: TOMLFloatLiterals) throws(PolicyError) -> ExactDecimal {
        switch value.type {
        case .int:
            if let i = value.int { return ExactDecimal(i) }
        case .double:
            // TOMLKit gives a Double. The literal the scan found, when it reads as that same
            // Double, is the decimal written; else the Double's shortest round-trip decimal,
            // which is the decimal written whenever it has at most 15 significant digits.
            if let d = value.double {
                if let written = try literals.decimal(key, parsed: d) { return written }
                guard let exact = ExactDecimal(shortest: d) else {
                    throw PolicyError(key: key, message: "\(d) cannot be held as an exact decimal")
                }
                return exact
            }
        default:
            break
        }
        throw wrongType(value, key, "a number")
    }

    private static func tooLarge(_ what: String, _ size: Int, _ limit: Int) -> PolicyError {
        PolicyError(key: nil, message: "\(what) has at least \(size) bytes, over the limit of \(InputLimits.size(limit)) for a policy file")
    }

    private static func wrongType(_ value: TOMLValueConvertible, _ key: String, _ expected: String) -> PolicyError {
        PolicyError(key: key, message: "a TOML \(value.type) where \(expected) is expected")
    }
}
