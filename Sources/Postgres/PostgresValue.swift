import Foundation

/// A bind parameter: its text form and the type it is sent as. `nil` in a parameter list is SQL NULL.
///
/// Values travel apart from the SQL text (`PQexecParams`), so no value is
/// ever interpolated into a statement.
public struct PostgresValue: Sendable, Hashable {
    /// PostgreSQL's text input form of the value.
    public var text: String
    /// The type it is declared as; `.unspecified` lets the server infer it from the statement.
    public var type: PostgresType

    public init(text: String, type: PostgresType = .unspecified) {
        self.text = text
        self.type = type
    }

    /// Text; its type is inferred from where it is used.
    public init(_ value: String) { self.init(text: value) }
    /// `int8`.
    public init(_ value: Int) { self.init(text: String(value), type: .int8) }
    /// `int8`.
    public init(_ value: Int64) { self.init(text: String(value), type: .int8) }
    /// `int4`.
    public init(_ value: Int32) { self.init(text: String(value), type: .int4) }
    /// `float8`, in the shortest text that reads back as the same `Double`.
    public init(_ value: Double) {
        let text: String
        if value.isNaN { text = "NaN" } else if value.isInfinite { text = value < 0 ? "-Infinity" : "Infinity" } else {
            text = "\(value)"
        }
        self.init(text: text, type: .float8)
    }
    /// `bool`.
    public init(_ value: Bool) { self.init(text: value ? "t" : "f", type: .bool) }
    /// `date`.
    public init(_ value: PostgresDate) { self.init(text: value.description, type: .date) }
    /// `timestamptz`, to the microsecond.
    public init(_ value: Date) { self.init(text: CivilCalendar.timestampText(value), type: .timestamptz) }

    /// `numeric` from its exact decimal text (`"1234.50"`): no binary floating point on the way.
    public static func numeric(_ text: String) -> PostgresValue { PostgresValue(text: text, type: .numeric) }

    /// `text[]`, for `= ANY($n)`: every element double-quoted, with `"` and `\` escaped, so
    /// commas, braces, spaces and the word NULL are plain text (PostgreSQL's array input syntax).
    public static func textArray(_ values: [String]) -> PostgresValue {
        let items = values.map { value in
            var quoted = "\""
            for c in value.unicodeScalars {
                if c == "\"" || c == "\\" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(c)
            }
            return quoted + "\""
        }
        return PostgresValue(text: "{" + items.joined(separator: ",") + "}", type: .textArray)
    }
}

extension PostgresValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension PostgresValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension PostgresValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self.init(value) }
}

extension PostgresValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self.init(value) }
}
