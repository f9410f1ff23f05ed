import BigInt

/// Nonnegative integers the exact fit arithmetic runs on: `UInt128`, which
/// reports overflow (nil), and `BigUInt`, which never overflows.
protocol ExactNatural: Comparable {
    /// The value, or nil when it does not fit.
    init?(natural value: BigUInt)
    /// The value of a `UInt128`, which always fits.
    init(small value: UInt128)
    /// The sum, or nil when it does not fit.
    func adding(_ other: Self) -> Self?
    /// The product, or nil when it does not fit.
    func multiplying(_ other: Self) -> Self?
}

extension UInt128: ExactNatural {
    init?(natural value: BigUInt) {
        guard let v = UInt128(exactly: value) else { return nil }
        self = v
    }

    init(small value: UInt128) { self = value }

    func adding(_ other: UInt128) -> UInt128? {
        let (r, o) = addingReportingOverflow(other)
        return o ? nil : r
    }

    func multiplying(_ other: UInt128) -> UInt128? {
        let (r, o) = multipliedReportingOverflow(by: other)
        return o ? nil : r
    }
}

/// The fallback when an exact fit overflows `UInt128`: long decimals in the
/// years, or 18-digit weights.
extension BigUInt: ExactNatural {
    init?(natural value: BigUInt) { self = value }

    init(small value: UInt128) { self.init(value) }

    func adding(_ other: BigUInt) -> BigUInt? { self + other }

    func multiplying(_ other: BigUInt) -> BigUInt? { self * other }
}

/// Greatest common divisor (Euclid); gcd(0, 0) = 0.
func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
