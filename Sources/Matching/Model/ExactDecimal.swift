/// An exact decimal number `mantissa / 10^scale`, as written in a feed or a policy.
///
/// Feeds carry money, hours and years as decimals; the spec demands exact
/// arithmetic on them (no binary floating point), so they are kept as a
/// 64-bit mantissa and a power-of-ten scale, normalised (no trailing zero in
/// the fraction, so equal values are equal structs). Products of two values
/// fit in `Int128`.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The digits, signed.
    public let mantissa: Int64
    /// Number of digits after the decimal point (0...18).
    public let scale: Int

    /// The largest scale kept: 10^18 still fits an `Int64`.
    public static let maxScale = 18

    public static let zero = ExactDecimal(mantissa: 0, scale: 0)
    public static let one = ExactDecimal(mantissa: 1, scale: 0)

    /// A normalised value; trailing zeros of the fraction are removed.
    public init(mantissa: Int64, scale: Int) {
        precondition(scale >= 0 && scale <= ExactDecimal.maxScale, "scale out of range")
        var m = mantissa
        var s = scale
        while s > 0 && m % 10 == 0 {
            m /= 10
            s -= 1
        }
        self.mantissa = m
        self.scale = s
    }

    /// An integer value.
    public init(_ value: Int) {
        self.init(mantissa: Int64(value), scale: 0)
    }

    /// Parses the feed syntax `-?[0-9]+(\.[0-9]+)?` exactly (no exponent, no `+`,
    /// no leading `.`, no spaces). Returns nil when the text does not match or
    /// the value needs more than 18 significant digits or 18 decimals.
    public init?(exactly text: Substring) {
        guard let value = ExactDecimal.parse(text, allowExponent: false) else { return nil }
        self = value
    }

    /// Parses `text` as in `init?(exactly:)`.
    public init?(exactly text: String) {
        self.init(exactly: Substring(text))
    }

    /// Parses a JSON number (`-?int(.frac)?([eE][+-]?digits)?`), exactly.
    public init?(jsonNumber text: Substring) {
        guard let value = ExactDecimal.parse(text, allowExponent: true) else { return nil }
        self = value
    }

    /// Both syntaxes, read from the UTF-8 in place (feeds hold millions of decimals).
    private static func parse(_ text: Substring, allowExponent: Bool) -> ExactDecimal? {
        if let value = text.utf8.withContiguousStorageIfAvailable({ parse($0, allowExponent: allowExponent) }) {
            return value
        }
        return Array(text.utf8).withUnsafeBufferPointer { parse($0, allowExponent: allowExponent) }
    }

    /// `-?[0-9]+(\.[0-9]+)?`, then `([eE][+-]?[0-9]+)?` when `allowExponent`: the value is the
    /// digits times 10^(exponent - fraction digits), normalised; nil when it needs more than 18
    /// significant digits or a scale over 18. (A test checks it against a plain reference.)
    private static func parse(_ u: UnsafeBufferPointer<UInt8>, allowExponent: Bool) -> ExactDecimal? {
        var i = 0
        let negative = !u.isEmpty && u[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let intStart = i
        while i < u.count, u[i] &- 48 < 10 { i += 1 }
        let intCount = i - intStart
        guard intCount > 0 else { return nil }
        var fracStart = i, fracCount = 0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            fracStart = i
            while i < u.count, u[i] &- 48 < 10 { i += 1 }
            fracCount = i - fracStart
            guard fracCount > 0 else { return nil }
        }
        var exponent = 0
        if allowExponent, i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
                expNegative = u[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            var value = 0
            while i < u.count, u[i] &- 48 < 10 {
                if value < 10_000 { value = value * 10 + Int(u[i] - 48) }   // past that, nil anyway
                i += 1
            }
            guard i > expStart else { return nil }
            exponent = expNegative ? -value : value
        }
        guard i == u.count else { return nil }
        // The digits of the integer part then the fraction, as one sequence.
        let total = intCount + fracCount
        func digit(_ j: Int) -> UInt8 { (j < intCount ? u[intStart + j] : u[fracStart + j - intCount]) - 48 }
        var first = 0                                 // leading zeros go, one digit stays
        while first < total - 1, digit(first) == 0 { first += 1 }
        var end = total, scale = fracCount - exponent // trailing zeros go while the scale allows
        while end - first > 1, scale > 0, digit(end - 1) == 0 { end -= 1; scale -= 1 }
        if end - first == 1, digit(first) == 0 { return .zero }
        let zeros = max(0, -scale)                    // a negative scale: times 10^-scale
        scale = max(0, scale)
        guard scale <= maxScale, end - first + zeros <= 18 else { return nil }
        var m: Int64 = 0
        for j in first..<end { m = m * 10 + Int64(digit(j)) }
        for _ in 0..<zeros { m *= 10 }
        return ExactDecimal(mantissa: negative ? -m : m, scale: scale)
    }

    /// Nearest value to a `Double`, through its shortest round-tripping decimal
    /// (the decimal that was written in a TOML policy). Nil when not representable.
    public init?(shortest value: Double) {
        guard value.isFinite else { return nil }
        self.init(jsonNumber: Substring("\(value)"))
    }

    /// 10^n as Int128, n in 0...36.
    public static func pow10(_ n: Int) -> Int128 {
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }

    /// The mantissa rescaled to `scale` (>= self.scale).
    public func scaled(to scale: Int) -> Int128 {
        Int128(mantissa) * ExactDecimal.pow10(scale - self.scale)
    }

    public var isZero: Bool { mantissa == 0 }
    public var isNegative: Bool { mantissa < 0 }
    public var isPositive: Bool { mantissa > 0 }

    /// Whether the value is an integer.
    public var isInteger: Bool { scale == 0 }

    /// The value as a Double (for fast paths only; never for a decision on its own).
    public var doubleValue: Double { Double(mantissa) / Double(ExactDecimal.pow10Double(scale)) }

    static func pow10Double(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= 10 }
        return r
    }

    public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool {
        let s = max(a.scale, b.scale)
        return a.scaled(to: s) < b.scaled(to: s)
    }

    /// Shortest decimal text: `0.1`, `48`, `-2.5`.
    public var description: String {
        if scale == 0 { return String(mantissa) }
        let negative = mantissa < 0
        let digits = String(mantissa.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }
}

/// Exact product of two decimals as `numerator / 10^scale` (Int128 holds any
/// product of two 18-digit mantissas).
public struct ExactProduct: Sendable, Hashable, Comparable {
    public let numerator: Int128
    public let scale: Int

    public init(_ a: ExactDecimal, _ b: ExactDecimal) {
        numerator = Int128(a.mantissa) * Int128(b.mantissa)
        scale = a.scale + b.scale
    }

    public static func < (x: ExactProduct, y: ExactProduct) -> Bool {
        compare(x, y) < 0
    }

    /// -1, 0 or 1. Brings the smaller scale up by dividing the other side, so
    /// nothing overflows.
    public static func compare(_ x: ExactProduct, _ y: ExactProduct) -> Int {
        if x.scale == y.scale { return x.numerator < y.numerator ? -1 : (x.numerator == y.numerator ? 0 : 1) }
        if x.scale > y.scale { return -compare(y, x) }
        let (q, r) = y.numerator.quotientAndRemainder(dividingBy: ExactDecimal.pow10(y.scale - x.scale))
        if x.numerator < q { return -1 }
        if x.numerator > q { return 1 }
        return r > 0 ? -1 : (r < 0 ? 1 : 0)
    }

    /// Rounded half away from zero to `digits` decimals, as an integer of that scale.
    public func rounded(toScale digits: Int) -> Int128 {
        if digits >= scale { return numerator * ExactDecimal.pow10(digits - scale) }
        let factor = ExactDecimal.pow10(scale - digits)
        let (q, r) = numerator.quotientAndRemainder(dividingBy: factor)
        if r.magnitude * 2 >= factor.magnitude {
            return numerator < 0 ? q - 1 : q + 1
        }
        return q
    }
}
