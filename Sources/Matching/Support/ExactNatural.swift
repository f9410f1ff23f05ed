/// Nonnegative integers the exact fit arithmetic runs on: `UInt128`, which
/// reports overflow (nil), and `BigNatural`, which never overflows.
protocol ExactNatural: Comparable {
    init(natural value: UInt128)
    /// The sum, or nil when it does not fit.
    func adding(_ other: Self) -> Self?
    /// The product, or nil when it does not fit.
    func multiplying(_ other: Self) -> Self?
}

extension UInt128: ExactNatural {
    init(natural value: UInt128) { self = value }

    func adding(_ other: UInt128) -> UInt128? {
        let (r, o) = addingReportingOverflow(other)
        return o ? nil : r
    }

    func multiplying(_ other: UInt128) -> UInt128? {
        let (r, o) = multipliedReportingOverflow(by: other)
        return o ? nil : r
    }
}

/// An unbounded nonnegative integer (little-endian 32-bit limbs, no high zero
/// limb): the fallback when an exact fit overflows `UInt128`, which only
/// pathological inputs (18-digit years and weights) can make happen.
struct BigNatural: ExactNatural, Sendable {
    private(set) var limbs: [UInt32]

    init(natural value: UInt128) {
        var v = value
        limbs = []
        while v != 0 {
            limbs.append(UInt32(truncatingIfNeeded: v))
            v >>= 32
        }
    }

    private init(limbs: [UInt32]) {
        var l = limbs
        while l.last == 0 { l.removeLast() }
        self.limbs = l
    }

    func adding(_ other: BigNatural) -> BigNatural? {
        let n = max(limbs.count, other.limbs.count)
        var out = [UInt32](repeating: 0, count: n + 1)
        var carry: UInt64 = 0
        for i in 0..<n {
            let a = i < limbs.count ? UInt64(limbs[i]) : 0
            let b = i < other.limbs.count ? UInt64(other.limbs[i]) : 0
            let s = a + b + carry
            out[i] = UInt32(truncatingIfNeeded: s)
            carry = s >> 32
        }
        out[n] = UInt32(carry)
        return BigNatural(limbs: out)
    }

    func multiplying(_ other: BigNatural) -> BigNatural? {
        if limbs.isEmpty || other.limbs.isEmpty { return BigNatural(natural: 0) }
        var out = [UInt32](repeating: 0, count: limbs.count + other.limbs.count)
        for (i, a) in limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, b) in other.limbs.enumerated() {
                let t = UInt64(a) * UInt64(b) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
            }
            out[i + other.limbs.count] = UInt32(carry)
        }
        return BigNatural(limbs: out)
    }

    static func < (a: BigNatural, b: BigNatural) -> Bool {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
        for i in stride(from: a.limbs.count - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] {
            return a.limbs[i] < b.limbs[i]
        }
        return false
    }
}

/// Greatest common divisor (Euclid); gcd(0, 0) = 0.
func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
