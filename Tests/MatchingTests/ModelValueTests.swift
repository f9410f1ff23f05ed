import BigInt
import Matching
import Testing

/// The exact values the whole engine rests on: decimals, products, days.
@Suite struct ModelValueTests {
    @Test func feedDecimalSyntaxIsExact() {
        #expect(ExactDecimal(exactly: "2.50") == ExactDecimal(mantissa: 25, scale: 1))
        #expect(ExactDecimal(exactly: "2.50")?.description == "2.5")
        #expect(ExactDecimal(exactly: "-0.001")?.description == "-0.001")
        #expect(ExactDecimal(exactly: "007")?.description == "7")
        #expect(ExactDecimal(exactly: "0.0") == .zero)
        // FEEDS.md: no exponent, no '+', no leading '.', no spaces, no trailing '.'.
        for bad in ["1e3", "+1", ".5", " 3", "3 ", "3.", "", "-", "1,000", "0x10", "--1"] {
            #expect(ExactDecimal(exactly: bad) == nil, "\(bad)")
        }
    }

    @Test func jsonNumbersWithExponents() {
        #expect(ExactDecimal(jsonNumber: "3.1e3")?.description == "3100")
        #expect(ExactDecimal(jsonNumber: "31E-1")?.description == "3.1")
        #expect(ExactDecimal(jsonNumber: "5e+0")?.description == "5")
        #expect(ExactDecimal(jsonNumber: "1e") == nil)
        #expect(ExactDecimal(jsonNumber: "1e99")?.description == "1" + String(repeating: "0", count: 99))
        #expect(ExactDecimal(jsonNumber: "-25e-30")?.description == "-0.000000000000000000000000000025")
    }

    /// Counts (openings) are exact across their two forms: an Int, and a BigUInt past it. Equal
    /// values are equal and hash alike however they were made; random sums and differences
    /// agree with BigUInt's.
    @Test func countsAreExactAcrossForms() {
        let max = Count(Int.max), past = Count("9223372036854775808")!
        #expect(max + 1 == past && past - 1 == max && past > max && max < past)
        #expect((past - 1).exactInt == Int.max && past.exactInt == nil)
        #expect(Set([past - 1, max, Count("0009223372036854775807")!]).count == 1)
        #expect(Count("0") == .zero && Count("007")! == 7 && past.clamped(to: 5) == 5 && Count(3).clamped(to: 5) == 3)
        for bad in ["", "-1", "+1", "1.0", " 1", "1e3", String(repeating: "1", count: Count.maxDigits + 1)] {
            #expect(Count(bad) == nil, "\(bad)")
        }
        #expect(Count(String(repeating: "0", count: 5) + String(repeating: "9", count: Count.maxDigits)) != nil)
        var rng = SplitMix(seed: 7)
        for _ in 0..<2_000 {
            func random() -> (Count, BigUInt) {
                let digits = Int.random(in: 1...40, using: &rng)
                let text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
                return (Count(text)!, BigUInt(text)!)
            }
            let (a, x) = random(), (b, y) = random()
            #expect((a + b).description == String(x + y))
            #expect((a < b) == (x < y) && (a == b) == (x == y))
            if y <= x { #expect((a - b).description == String(x - y)) }
            #expect([a, b].sum() == a + b)
        }
    }

    /// FEEDS.md sets no limit on a decimal's digits: past 64 bits the value is kept whole,
    /// never rounded, up to 1,000 digits before the point and 1,000 after.
    @Test func longDecimalsAreKeptExactly() {
        for text in ["12345678901234567890", "0.0000000000000000001", "123456789012345678901.000000000000000000001",
                     "-99999999999999999999999999999999999999999.5", "3000.000000000000000001"] {
            let value = ExactDecimal(exactly: text)
            #expect(value?.description == text, "\(text)")
            #expect(value?.isSmall == false, "\(text)")
        }
        // One value, one form: a 19-digit integer that fits 64 bits is small however it was made.
        let nineteen = ExactDecimal(exactly: "9000000000000000000")
        #expect(nineteen?.isSmall == true)
        #expect(nineteen == ExactDecimal(digits: 9_000_000_000_000_000_000, scale: 0))
        #expect(ExactDecimal(digits: 25_000, scale: 22) == ExactDecimal(exactly: "0.0000000000000000025"))
        #expect(ExactDecimal(exactly: "1.00000000000000000000") == .one)
        #expect(ExactDecimal(exactly: "1.00000000000000000000")?.isSmall == true)
        let a = ExactDecimal(exactly: "1.50000000000000000000001")!, b = ExactDecimal(exactly: "1.500000000000000000000010")!
        #expect(a == b && Set([a, b]).count == 1)
        // The limits: 1,000 digits after the point, 1,000 before (zeros that go do not count).
        #expect(ExactDecimal(exactly: "0." + String(repeating: "0", count: 999) + "1") != nil)
        #expect(ExactDecimal(exactly: "0." + String(repeating: "0", count: 1_000) + "1") == nil)
        #expect(ExactDecimal(exactly: "0." + String(repeating: "0", count: 999) + "1" + String(repeating: "0", count: 50)) != nil)
        #expect(ExactDecimal(exactly: String(repeating: "9", count: 1_000) + ".5") != nil)
        #expect(ExactDecimal(exactly: String(repeating: "9", count: 1_001)) == nil)
        #expect(ExactDecimal(exactly: String(repeating: "0", count: 2_000) + "1") == .one)
        #expect(ExactDecimal(jsonNumber: "1e999") != nil)
        #expect(ExactDecimal(jsonNumber: "1e1000") == nil)
        #expect(ExactDecimal(jsonNumber: "1e-1000") != nil)
        #expect(ExactDecimal(jsonNumber: "1e-1001") == nil)
        #expect(ExactDecimal(jsonNumber: "0.001e1002") != nil)
        #expect(ExactDecimal(jsonNumber: "1e99999999999999999999") == nil)
    }

    @Test func longDecimalsCompareAndMultiplyExactly() {
        let d = { (t: String) in ExactDecimal(exactly: t)! }
        #expect(d("0.1") < d("0.1000000000000000000001"))
        #expect(d("-0.1000000000000000000001") < d("-0.1"))
        #expect(d("-12345678901234567890") < d("-1"))
        #expect(d("1") < d("12345678901234567890"))
        #expect(d("12345678901234567890") < d("12345678901234567890.0000000000000000000001"))
        #expect(!(d("12345678901234567890.5") < d("12345678901234567890.5")))
        // Cents of a long wage: half away from zero on the exact product.
        #expect(ExactProduct(d("10.0050000000000000000001"), .one).rounded(toScale: 2) == 1001)
        #expect(ExactProduct(d("10.0049999999999999999999"), .one).rounded(toScale: 2) == 1000)
        #expect(ExactProduct(d("-10.0050000000000000000001"), .one).rounded(toScale: 2) == -1001)
        #expect(ExactProduct(d("123456789012345678901234567890"), d("0.01")).rounded(toScale: 2)
                == ExactDecimal(exactly: "123456789012345678901234567890")!.digits)
        // 3 * 0.3333333333333333333333 is just under 1; 1 * 1 is not under it.
        let third = ExactProduct(d("3"), d("0.3333333333333333333333"))
        #expect(third < ExactProduct(.one, .one))
        #expect(ExactProduct.compare(ExactProduct(d("2"), d("0.5")), ExactProduct(.one, .one)) == 0)
        #expect(ExactProduct.compare(ExactProduct(d("20000000000000000000"), d("0.00000000000000000005")),
                                     ExactProduct(.one, .one)) == 0)
        // ceil(value * 10^places), on both forms.
        #expect(d("0.0000000000000000000001").ceiling(places: 2) == 1)
        #expect(d("-0.0000000000000000000001").ceiling(places: 2) == 0)
        #expect(d("1500.5").ceiling(places: 2) == 150_050)
    }

    @Test func shortestDecimalOfADouble() {
        #expect(ExactDecimal(shortest: 0.35) == ExactDecimal(mantissa: 35, scale: 2))
        #expect(ExactDecimal(shortest: 48) == ExactDecimal(48))
        #expect(ExactDecimal(shortest: .nan) == nil)
    }

    @Test func comparisonsAcrossScales() {
        let a = ExactDecimal(exactly: "0.1")!, b = ExactDecimal(exactly: "0.09999")!
        #expect(b < a)
        #expect(!(a < a))
        #expect(ExactDecimal(exactly: "-2")! < ExactDecimal(exactly: "-1.5")!)
    }

    @Test func productsCompareAndRoundHalfAwayFromZero() {
        // 2161 EUR * 1.08 USD/EUR vs 2333.88 USD: equal, so not below.
        let wage = ExactProduct(ExactDecimal(exactly: "2161")!, ExactDecimal(exactly: "1.08")!)
        let minimum = ExactProduct(ExactDecimal(exactly: "2333.88")!, .one)
        #expect(ExactProduct.compare(wage, minimum) == 0)
        let lower = ExactProduct(ExactDecimal(exactly: "2333.879999")!, .one)
        #expect(lower < wage)
        #expect(!(wage < lower))
        // Cents: 10.005 -> 1001 (half away), -10.005 -> -1001, 10.0049 -> 1000.
        #expect(ExactProduct(ExactDecimal(exactly: "10.005")!, .one).rounded(toScale: 2) == 1001)
        #expect(ExactProduct(ExactDecimal(exactly: "-10.005")!, .one).rounded(toScale: 2) == -1001)
        #expect(ExactProduct(ExactDecimal(exactly: "10.0049")!, .one).rounded(toScale: 2) == 1000)
    }

    @Test func calendarDays() {
        #expect(Day("2024-02-29") != nil)
        #expect(Day("2026-02-29") == nil)
        #expect(Day("2000-02-29") != nil)
        #expect(Day("1900-02-29") == nil)
        #expect(Day("2026-11-31") == nil)
        #expect(Day("2026-1-05") == nil)
        #expect(Day("2026-11-29")?.description == "2026-11-29")
        #expect(Day("2026-11-28")! < Day("2026-11-29")!)
        #expect(Day("2025-12-31")! < Day("2026-01-01")!)
    }
}

/// The decimal parser reads bytes in place; the reference below is the plain construction
/// (arrays of digits), written once here to check it.
@Suite struct ExactDecimalParsingTests {
    /// `-?int(.frac)?`, then `([eE][+-]?digits)?` when `exponent`: digits times
    /// 10^(exponent - fraction digits); leading zeros and (while the scale allows) trailing
    /// zeros dropped; nil past 1,000 decimals or 1,000 integer digits.
    static func reference(_ text: String, exponent allowExponent: Bool) -> ExactDecimal? {
        var bytes = Array(text.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        func digits() -> [UInt8] {
            var out: [UInt8] = []
            while let b = bytes.first, b >= 48, b <= 57 { out.append(b - 48); bytes = bytes.dropFirst() }
            return out
        }
        let intDigits = digits()
        if intDigits.isEmpty { return nil }
        var fracDigits: [UInt8] = []
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fracDigits = digits()
            if fracDigits.isEmpty { return nil }
        }
        var exponent = 0
        if allowExponent, let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var expNegative = false
            if let s = bytes.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") {
                expNegative = s == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            let e = digits()
            if e.isEmpty { return nil }
            let value = e.reduce(0) { $0 < 1_000_000_000_000 ? $0 * 10 + Int($1) : $0 }
            exponent = expNegative ? -value : value
        }
        if !bytes.isEmpty { return nil }
        var all = intDigits + fracDigits
        var scale = fracDigits.count - exponent
        all.removeFirst(min(all.prefix(while: { $0 == 0 }).count, all.count - 1))
        while all.count > 1 && all.last == 0 && scale > 0 { all.removeLast(); scale -= 1 }
        if all == [0] { return .zero }
        if scale < 0 {
            if all.count - scale > ExactDecimal.maxIntegerDigits { return nil }
            all += Array(repeating: 0, count: -scale)
            scale = 0
        }
        if scale > ExactDecimal.maxFractionDigits || all.count - scale > ExactDecimal.maxIntegerDigits { return nil }
        let m = BigInt(String(all.map { Character(Unicode.Scalar($0 + 48)) }))!
        return ExactDecimal(digits: negative ? -m : m, scale: scale)
    }

    @Test func feedDecimalsAgreeWithTheGeneralParser() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let alphabet = Array("0000000000123456789..--+ xeE")
        var checked = 0, parsed = 0
        for _ in 0..<200_000 {
            let text = String((0..<next(26)).map { _ in alphabet[next(alphabet.count)] })
            let fast = ExactDecimal(exactly: text)
            if !text.contains(where: { $0 == "e" || $0 == "E" }) {
                #expect(fast == ExactDecimal(jsonNumber: Substring(text)), "\(text)")
            }
            #expect(fast == Self.reference(text, exponent: false), "\(text)")
            #expect(ExactDecimal(jsonNumber: Substring(text)) == Self.reference(text, exponent: true), "\(text)")
            checked += 1
            if fast != nil { parsed += 1 }
        }
        // Edges: 18 and 19 significant digits, scale 18 and 19, zeros of every kind, exponents.
        for text in ["999999999999999999", "1000000000000000000", "0.000000000000000001", "0.0000000000000000001",
                     "1.0000000000000000000000", "-0", "-0.000", "000", "00012.3400", "0.10", "-12.5", "1.", ".5", "",
                     "-", "1.2.3", "١٢", "1e3", "1.5E-2", "25e-1", "1e17", "1e18", "10e17", "1e-18", "1e-19",
                     "0e99999", "1e99999", "1e-99999", "123e", "1e+", "-2.50E+1"] {
            if !text.contains(where: { $0 == "e" || $0 == "E" }) {
                #expect(ExactDecimal(exactly: text) == ExactDecimal(jsonNumber: Substring(text)), "\(text)")
            }
            #expect(ExactDecimal(exactly: text) == Self.reference(text, exponent: false), "\(text)")
            #expect(ExactDecimal(jsonNumber: Substring(text)) == Self.reference(text, exponent: true), "\(text)")
        }
        #expect(checked == 200_000)
        #expect(parsed > 5_000, "the random texts reach the valid cases too")
    }
}
