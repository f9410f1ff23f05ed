/// A CEFR language level, A1 (1) to C2 (6).
public enum CEFR: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case a1 = 1, a2, b1, b2, c1, c2

    /// Parses `A1`...`C2`, upper case only.
    public init?(code: Substring) {
        switch code {
        case "A1": self = .a1
        case "A2": self = .a2
        case "B1": self = .b1
        case "B2": self = .b2
        case "C1": self = .c1
        case "C2": self = .c2
        default: return nil
        }
    }

    public static func < (a: CEFR, b: CEFR) -> Bool { a.rawValue < b.rawValue }

    /// `A1`...`C2`.
    public var description: String {
        ["A1", "A2", "B1", "B2", "C1", "C2"][rawValue - 1]
    }
}

/// A worker's self-declared gender; used only for audit statistics, never in scoring.
public enum Gender: String, Sendable, Hashable {
    case female = "F", male = "M", other = "X"
}
