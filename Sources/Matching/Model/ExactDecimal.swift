import BigInt

/// An exact decimal number `digits / 10^scale`, as written in a feed or a policy.
///
/// Feeds carry money, hours and years as decimals; the spec demands exact
/// arithmetic on them (no binary floating point) and sets no limit on their
/// digits. A value is normalised (no trailing zero in the fraction) and held
/// in one of two forms, chosen by the value alone so that equal values are
/// equal structs:
///
/// - small: a 64-bit mantissa and a scale of at most 18, which is every value
///   a real feed holds; products of two fit in `Int128`, so the hot paths never
///   allocate;
/// - large: a `BigInt` mantissa, for anything else up to 1,000 digits before
///   the point and 1,000 after (far inside PostgreSQL `numeric`, where values
///   are stored; the bound keeps a hostile cell such as `1e99999` from costing
///   seconds of arithmetic).
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The digits, signed, in the small form; 0 in the large one.
    private let small: Int64
    /// The digits, signed, in the large form; nil in the small one.
    private let large: LargeDigits?
    /// Number of digits after the decimal point.
    public let scale: Int

    /// The largest scale of the small form: 10^18 still fits an `Int64`.
    public static let maxScale = 18
    /// The most digits after the point a value may have.
    public static let maxFractionDigits = 1_000
    /// The most digits before the point a value may have.
    public static let maxIntegerDigits = 1_000

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
        self.small = m
        self.large = nil
        self.scale = s
    }

    /// The value `digits / 10^scale` (scale >= 0), normalised, in its form.
    public init(digits: BigInt, scale: Int) {
        precondition(scale >= 0, "negative scale")
        var m = digits
        var s = scale
        if m.signum() == 0 { s = 0 }
        while s > 0 {
            let (q, r) = m.quotientAndRemainder(dividingBy: 10)
            if r.signum() != 0 { break }
            m = q
            s -= 1
        }
        if s <= ExactDecimal.maxScale, let m64 = Int64(exactly: m) {
            self.init(mantissa: m64, scale: s)
        } else {
            self.init(small: 0, large: LargeDigits(m), scale: s)
        }
    }

    private init(small: Int64, large: LargeDigits?, scale: Int) {
        self.small = small
        self.large = large
        self.scale = scale
    }

    /// An integer value.
    public init(_ value: Int) {
        self.init(mantissa: Int64(value), scale: 0)
    }

    /// Parses the feed syntax `-?[0-9]+(\.[0-9]+)?` exactly (no exponent, no `+`,
    /// no leading `.`, no spaces). Returns nil when the text does not match or
    /// the value is past `maxIntegerDigits` or `maxFractionDigits`.
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
    /// digits times 10^(exponent - fraction digits), normalised; nil past `maxIntegerDigits`
    /// or `maxFractionDigits`. (A test checks it against a plain reference.)
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
                // Past 10^12 no value within the limits can follow (a file holds fewer digits).
                if value < 1_000_000_000_000 { value = value * 10 + Int(u[i] - 48) }
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
        if scale <= maxScale, end - first + zeros <= 18 {
            var m: Int64 = 0
            for j in first..<end { m = m * 10 + Int64(digit(j)) }
            for _ in 0..<zeros { m *= 10 }
            return ExactDecimal(mantissa: negative ? -m : m, scale: scale)
        }
        guard scale <= maxFractionDigits, end - first + zeros - scale <= maxIntegerDigits else { return nil }
        var text = negative ? "-" : ""
        text.reserveCapacity(end - first + zeros + 1)
        for j in first..<end { text.unicodeScalars.append(Unicode.Scalar(digit(j) + 48)) }
        text += String(repeating: "0", count: zeros)
        guard let m = BigInt(text) else { return nil }
        return ExactDecimal(digits: m, scale: scale)
    }

    /// Nearest value to a `Double`, through its shortest round-tripping decimal
    /// (the decimal that was written in a TOML policy). Nil when not finite.
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

    /// 10^n, n >= 0.
    public static func bigPow10(_ n: Int) -> BigInt {
        n <= 36 ? BigInt(pow10(n)) : BigInt(10).power(n)
    }

    /// Whether the value is in the small form (a 64-bit mantissa, scale <= 18).
    public var isSmall: Bool { large == nil }

    /// The mantissa of the small form; nil for a large value.
    public var smallMantissa: Int64? { large == nil ? small : nil }

    /// The digits, signed: the value is `digits / 10^scale`.
    public var digits: BigInt { large?.value ?? BigInt(small) }

    /// The digits rescaled to `scale` (>= self.scale), in `Int128`; nil for a large value.
    /// A small value always fits at a scale up to 18.
    public func scaled(to scale: Int) -> Int128? {
        guard large == nil, scale - self.scale <= 36 else { return nil }
        let (r, overflow) = Int128(small).multipliedReportingOverflow(by: ExactDecimal.pow10(scale - self.scale))
        return overflow ? nil : r
    }

    /// The digits rescaled to `scale` (>= self.scale).
    public func bigScaled(to scale: Int) -> BigInt {
        digits * ExactDecimal.bigPow10(scale - self.scale)
    }

    /// `ceil(value * 10^places)`: the least integer `n` with `n >= value * 10^places`.
    public func ceiling(places: Int) -> BigInt {
        if scale <= places { return bigScaled(to: places) }
        let (q, r) = digits.quotientAndRemainder(dividingBy: ExactDecimal.bigPow10(scale - places))
        return r.signum() > 0 ? q + 1 : q
    }

    /// The exact sum of `values` (at the largest of their scales).
    public static func sum(_ values: [ExactDecimal]) -> ExactDecimal {
        let scale = values.map(\.scale).max() ?? 0
        return ExactDecimal(digits: values.reduce(BigInt(0)) { $0 + $1.bigScaled(to: scale) }, scale: scale)
    }

    public var isZero: Bool { large == nil && small == 0 }
    public var isNegative: Bool { large.map { $0.value.signum() < 0 } ?? (small < 0) }
    public var isPositive: Bool { large.map { $0.value.signum() > 0 } ?? (small > 0) }

    /// Whether the value is an integer.
    public var isInteger: Bool { scale == 0 }

    /// The value as a Double (for fast paths only; never for a decision on its own).
    public var doubleValue: Double {
        if large == nil { return Double(small) / ExactDecimal.pow10Double(scale) }
        return Double(description) ?? .nan
    }

    static func pow10Double(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= 10 }
        return r
    }

    public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool {
        let s = max(a.scale, b.scale)
        if let x = a.scaled(to: s), let y = b.scaled(to: s) { return x < y }
        if a.isNegative != b.isNegative { return a.isNegative }
        return a.bigScaled(to: s) < b.bigScaled(to: s)
    }

    /// Appends the UTF-8 of `description` to `bytes` without making the String (the loader
    /// and the content hashes write millions of decimals): sign, integer part, and the
    /// fraction's `scale` digits.
    public func appendText(to bytes: inout [UInt8]) {
        guard let mantissa = smallMantissa else { bytes += description.utf8; return }
        guard scale > 0 else { CanonicalWriter.appendDigits(Int(mantissa), to: &bytes); return }
        if mantissa < 0 { bytes.append(UInt8(ascii: "-")) }
        let unit = UInt64(ExactDecimal.pow10(scale))
        let magnitude = mantissa.magnitude
        CanonicalWriter.appendDigits(Int(magnitude / unit), to: &bytes)
        bytes.append(UInt8(ascii: "."))
        var fraction = magnitude % unit, divisor = unit / 10
        for _ in 0..<scale {
            bytes.append(UInt8(fraction / divisor) + 0x30)
            fraction %= divisor
            divisor /= 10
        }
    }

    /// Shortest decimal text: `0.1`, `48`, `-2.5`.
    public var description: String {
        if scale == 0 { return large.map { $0.value.description } ?? String(small) }
        let negative = isNegative
        let magnitude = large.map { $0.value.magnitude.description } ?? String(small.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - magnitude.count)) + magnitude
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }
}

/// The mantissa of a large `ExactDecimal`, behind one reference so that the
/// small form stays two words and a flag.
final class LargeDigits: Sendable, Hashable {
    let value: BigInt

    init(_ value: BigInt) { self.value = value }

    static func == (a: LargeDigits, b: LargeDigits) -> Bool { a.value == b.value }

    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// Exact product of two decimals as `numerator / 10^scale`: in `Int128` when both
/// are small (it holds any product of two 64-bit mantissas), else a `BigInt`.
public struct ExactProduct: Sendable, Comparable {
    private let small: Int128
    private let large: BigInt?
    public let scale: Int

    public init(_ a: ExactDecimal, _ b: ExactDecimal) {
        scale = a.scale + b.scale
        if let x = a.smallMantissa, let y = b.smallMantissa {
            small = Int128(x) * Int128(y)
            large = nil
        } else {
            small = 0
            large = a.digits * b.digits
        }
    }

    /// The numerator: the product is `numerator / 10^scale`.
    public var numerator: BigInt { large ?? BigInt(small) }

    public static func < (x: ExactProduct, y: ExactProduct) -> Bool {
        compare(x, y) < 0
    }

    /// Equal values, whatever their scales and forms.
    public static func == (x: ExactProduct, y: ExactProduct) -> Bool {
        compare(x, y) == 0
    }

    /// -1, 0 or 1. Brings the smaller scale up by dividing the other side, so
    /// nothing overflows.
    public static func compare(_ x: ExactProduct, _ y: ExactProduct) -> Int {
        if x.large != nil || y.large != nil {
            let s = max(x.scale, y.scale)
            let a = x.numerator * ExactDecimal.bigPow10(s - x.scale)
            let b = y.numerator * ExactDecimal.bigPow10(s - y.scale)
            return a < b ? -1 : (a == b ? 0 : 1)
        }
        if x.scale == y.scale { return x.small < y.small ? -1 : (x.small == y.small ? 0 : 1) }
        if x.scale > y.scale { return -compare(y, x) }
        let (q, r) = y.small.quotientAndRemainder(dividingBy: ExactDecimal.pow10(y.scale - x.scale))
        if x.small < q { return -1 }
        if x.small > q { return 1 }
        return r > 0 ? -1 : (r < 0 ? 1 : 0)
    }

    /// Rounded half away from zero to `digits` decimals, as an integer of that scale.
    public func rounded(toScale digits: Int) -> BigInt {
        if large == nil, digits >= scale, digits - scale <= 36 {
            let (r, overflow) = small.multipliedReportingOverflow(by: ExactDecimal.pow10(digits - scale))
            if !overflow { return BigInt(r) }
        }
        if large == nil, digits < scale, scale - digits <= 36 {
            let factor = ExactDecimal.pow10(scale - digits)
            let (q, r) = small.quotientAndRemainder(dividingBy: factor)
            if r.magnitude * 2 >= factor.magnitude { return BigInt(small < 0 ? q - 1 : q + 1) }
            return BigInt(q)
        }
        let n = numerator
        if digits >= scale { return n * ExactDecimal.bigPow10(digits - scale) }
        let factor = ExactDecimal.bigPow10(scale - digits)
        let (q, r) = n.quotientAndRemainder(dividingBy: factor)
        if r.magnitude * 2 >= factor.magnitude { return n.signum() < 0 ? q - 1 : q + 1 }
        return q
    }
}
