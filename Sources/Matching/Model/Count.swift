import BigInt

/// A whole number >= 0 of any size: a vacancy's `openings` and `contract_months`
/// (FEEDS.md: "integer >= 1", with no upper bound) and the sums of openings in
/// `summary.json`.
///
/// Like `ExactDecimal`, two forms chosen by the value alone (so equal values are
/// equal structs): an `Int` for every value that fits, which is every value a real
/// feed holds (no allocation, no reference counting when a record is copied), and a
/// `BigUInt` behind one reference past that. The assignment only ever needs
/// `clamped(to:)`: a vacancy cannot take more workers than there are.
public struct Count: Sendable, Hashable, Comparable, ExpressibleByIntegerLiteral, LosslessStringConvertible {
    private enum Storage: Sendable, Hashable {
        case small(Int)
        /// Always past `Int.max`.
        case large(LargeCount)
    }

    private let storage: Storage

    /// The most significant digits a count may have when read from text, as for the
    /// whole part of a decimal: it keeps a hostile cell of a million digits from
    /// costing seconds of arithmetic.
    public static let maxDigits = ExactDecimal.maxIntegerDigits

    public static let zero: Count = 0

    public init(_ n: Int) {
        precondition(n >= 0, "a count is not negative")
        storage = .small(n)
    }

    public init(integerLiteral n: Int) { self.init(n) }

    private init(big: BigUInt) {
        if let n = Int(exactly: big) { storage = .small(n) } else { storage = .large(LargeCount(big)) }
    }

    /// `[0-9]+` (leading zeros allowed) of at most `maxDigits` significant digits; nil for
    /// anything else, a sign included.
    public init?(_ text: String) {
        var n = 0, significant = 0, fits = true
        for b in text.utf8 {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            if significant > 0 || b != 0x30 { significant += 1 }
            if fits {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(b - 0x30))
                if o1 || o2 { fits = false } else { n = a }
            }
        }
        guard !text.isEmpty, significant <= Count.maxDigits else { return nil }
        if fits {
            self.init(n)
        } else {
            guard let big = BigUInt(text, radix: 10) else { return nil }
            self.init(big: big)
        }
    }

    private var big: BigUInt {
        switch storage {
        case .small(let n): return BigUInt(n)
        case .large(let l): return l.value
        }
    }

    /// The decimal digits, no leading zero (`0` for zero).
    public var description: String {
        switch storage {
        case .small(let n): return String(n)
        case .large(let l): return String(l.value)
        }
    }

    /// The value as an `Int` when it fits.
    public var exactInt: Int? {
        if case .small(let n) = storage { return n }
        return nil
    }

    /// The value, or `limit` when it is larger (`limit` >= 0).
    public func clamped(to limit: Int) -> Int {
        if case .small(let n) = storage { return min(n, limit) }
        return limit
    }

    public static func < (a: Count, b: Count) -> Bool {
        switch (a.storage, b.storage) {
        case (.small(let x), .small(let y)): return x < y
        case (.small, .large): return true
        case (.large, .small): return false
        case (.large(let x), .large(let y)): return x.value < y.value
        }
    }

    public static func + (a: Count, b: Count) -> Count {
        if case .small(let x) = a.storage, case .small(let y) = b.storage {
            let (sum, overflow) = x.addingReportingOverflow(y)
            if !overflow { return Count(sum) }
        }
        return Count(big: a.big + b.big)
    }

    public static func += (a: inout Count, b: Count) { a = a + b }

    /// `a - b`; `b` must not be larger.
    public static func - (a: Count, b: Count) -> Count {
        precondition(b <= a, "a count does not go below zero")
        if case .small(let x) = a.storage, case .small(let y) = b.storage { return Count(x - y) }
        return Count(big: a.big - b.big)
    }
}

/// The large form's digits, behind one reference so that `Count` stays two words.
final class LargeCount: Sendable, Hashable {
    let value: BigUInt

    init(_ value: BigUInt) { self.value = value }

    static func == (a: LargeCount, b: LargeCount) -> Bool { a.value == b.value }

    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

extension Sequence where Element == Count {
    /// The exact sum.
    public func sum() -> Count { reduce(into: Count.zero) { $0 += $1 } }
}
