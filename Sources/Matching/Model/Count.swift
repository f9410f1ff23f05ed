import BigInt

/// A whole number >= 0 of any size: a vacancy's `openings` and `contract_months`
/// (FEEDS.md: "integer >= 1", with no upper bound) and the sums of openings in
/// `summary.json`.
///
/// Every value a real feed holds fits a machine word, and `BigUInt` keeps up to
/// two words inline, so small counts cost no allocation. The assignment only
/// ever needs `clamped(to:)`: a vacancy cannot take more workers than there are.
public struct Count: Sendable, Hashable, Comparable, ExpressibleByIntegerLiteral, LosslessStringConvertible {
    private var value: BigUInt

    /// The most significant digits a count may have when read from text, as for the
    /// whole part of a decimal: it keeps a hostile cell of a million digits from
    /// costing seconds of arithmetic.
    public static let maxDigits = ExactDecimal.maxIntegerDigits

    public static let zero: Count = 0

    public init(_ n: Int) {
        precondition(n >= 0, "a count is not negative")
        value = BigUInt(n)
    }

    public init(integerLiteral n: Int) { self.init(n) }

    /// `[0-9]+` (leading zeros allowed) of at most `maxDigits` significant digits; nil for
    /// anything else, a sign included.
    public init?(_ text: String) {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let significant = digits.drop { $0 == 0x30 }
        guard significant.count <= Count.maxDigits else { return nil }
        if significant.count <= 18 {
            value = BigUInt(significant.reduce(0) { $0 * 10 + Int($1 - 0x30) })
        } else {
            guard let v = BigUInt(Substring(significant), radix: 10) else { return nil }
            value = v
        }
    }

    /// The decimal digits, no leading zero (`0` for zero).
    public var description: String { String(value) }

    /// The value as an `Int` when it fits.
    public var exactInt: Int? { Int(exactly: value) }

    /// The value, or `limit` when it is larger (`limit` >= 0).
    public func clamped(to limit: Int) -> Int {
        value <= BigUInt(limit) ? Int(value) : limit
    }

    public static func < (a: Count, b: Count) -> Bool { a.value < b.value }
    public static func + (a: Count, b: Count) -> Count { Count(value: a.value + b.value) }
    public static func += (a: inout Count, b: Count) { a.value += b.value }
    /// `a - b`; `b` must not be larger.
    public static func - (a: Count, b: Count) -> Count {
        precondition(b.value <= a.value, "a count does not go below zero")
        return Count(value: a.value - b.value)
    }

    private init(value: BigUInt) { self.value = value }
}

extension Sequence where Element == Count {
    /// The exact sum.
    public func sum() -> Count { reduce(into: Count.zero) { $0 += $1 } }
}
