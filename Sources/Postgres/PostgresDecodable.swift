import Foundation

/// A Swift type that can be read from PostgreSQL's text output form of a value.
public protocol PostgresDecodable: Sendable {
    /// The value the text stands for, or nil when it does not read as `Self`.
    static func decode(postgresText bytes: UnsafeRawBufferPointer, type: PostgresType) -> Self?
}

/// Any column as its text: `numeric` keeps every digit (callers parse exact decimals themselves).
extension String: PostgresDecodable {
    public static func decode(postgresText bytes: UnsafeRawBufferPointer, type: PostgresType) -> String? {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// Integers parsed from ASCII digits with an optional leading `-`; overflow reads as invalid.
enum IntegerText {
    static func parse<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, as: T.Type) -> T? {
        var i = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < bytes.count else { return nil }
        var value: T = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b >= 48, b <= 57 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(T(b - 48)) : m.addingReportingOverflow(T(b - 48))
            if o1 || o2 { return nil }
            value = a
            i += 1
        }
        return value
    }
}

/// Integers of any width decode the same way: ASCII digits, overflow is invalid.
extension PostgresDecodable where Self: FixedWidthInteger {
    public static func decode(postgresText bytes: UnsafeRawBufferPointer, type: PostgresType) -> Self? {
        IntegerText.parse(bytes, as: Self.self)
    }
}

extension Int: PostgresDecodable {}
extension Int64: PostgresDecodable {}
extension Int32: PostgresDecodable {}
extension Int16: PostgresDecodable {}

/// `float8`/`float4` (PostgreSQL prints the shortest text that reads back exactly), also `NaN` and `±Infinity`.
extension Double: PostgresDecodable {
    public static func decode(postgresText bytes: UnsafeRawBufferPointer, type: PostgresType) -> Double? {
        let text = String(decoding: bytes, as: UTF8.self)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }
}

/// `bool` prints `t` or `f`.
extension Bool: PostgresDecodable {
    public static func decode(postgresText bytes: UnsafeRawBufferPointer, type: PostgresType) -> Bool? {
        switch String(decoding: bytes, as: UTF8.self) {
        case "t", "true": return true
        case "f", "false": return false
        default: return nil
        }
    }
}

/// `date` in ISO form (`YYYY-MM-DD`); `infinity` and BC dates do not decode.
extension PostgresDate: PostgresDecodable {
    public static func decode(postgresText bytes: UnsafeRawBufferPointer, type: PostgresType) -> PostgresDate? {
        var scanner = TimestampScanner(bytes)
        guard let (y, m, d) = scanner.date(), scanner.atEnd else { return nil }
        return PostgresDate(year: y, month: m, day: d)
    }
}

/// `timestamptz` (the connection runs with `TimeZone=UTC`, `DateStyle=ISO`), `timestamp` read as UTC,
/// or `date` as its midnight UTC; `infinity`/`-infinity` are `distantFuture`/`distantPast`.
extension Date: PostgresDecodable {
    public static func decode(postgresText bytes: UnsafeRawBufferPointer, type: PostgresType) -> Date? {
        let text = String(decoding: bytes, as: UTF8.self)
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        var s = TimestampScanner(bytes)
        guard let (y, m, d) = s.date(), PostgresDate(year: y, month: m, day: d) != nil else { return nil }
        var seconds = Int64(CivilCalendar.daysSinceEpoch(year: y, month: m, day: d)) * 86_400
        var micros: Int64 = 0
        if s.skip(" ") {
            guard let h = s.number(2), s.skip(":"), let mi = s.number(2), s.skip(":"), let se = s.number(2),
                  h < 24 || (h == 24 && mi == 0 && se == 0), mi < 60, se < 60 else { return nil }
            seconds += Int64(h * 3600 + mi * 60 + se)
            if s.skip(".") {
                var digits = 0
                while let digit = s.digit() {
                    guard digits < 6 else { return nil }
                    micros = micros * 10 + Int64(digit)
                    digits += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<6 { micros *= 10 }
            }
            if let sign = s.sign() {
                guard let oh = s.number(2) else { return nil }
                var offset = oh * 3600
                if s.skip(":") { guard let om = s.number(2) else { return nil }; offset += om * 60 }
                if s.skip(":") { guard let os = s.number(2) else { return nil }; offset += os }
                seconds -= Int64(sign * offset)
            }
        }
        guard s.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }
}

/// A cursor over ASCII date and time text.
struct TimestampScanner {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { i == bytes.count }

    mutating func digit() -> Int? {
        guard i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 else { return nil }
        defer { i += 1 }
        return Int(bytes[i] - 48)
    }

    mutating func number(_ width: Int) -> Int? {
        var v = 0
        for _ in 0..<width {
            guard let d = digit() else { return nil }
            v = v * 10 + d
        }
        return v
    }

    mutating func skip(_ c: Unicode.Scalar) -> Bool {
        guard i < bytes.count, bytes[i] == UInt8(ascii: c) else { return false }
        i += 1
        return true
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }

    mutating func date() -> (Int, Int, Int)? {
        guard let y = number(4), skip("-"), let m = number(2), skip("-"), let d = number(2) else { return nil }
        return (y, m, d)
    }
}
