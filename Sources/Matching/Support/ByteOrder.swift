/// Byte-order comparison of texts: the only order the engine sorts ids and
/// codes by (never a locale). An empty text comes first.
@inlinable
func bytesLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

extension Array {
    /// The permutation that sorts the elements by the bytes of `key`; equal keys keep their order.
    func byteOrderPermutation(_ key: (Element) -> String) -> [Int] {
        let keys = map(key)
        return indices.sorted { keys[$0] != keys[$1] ? bytesLess(keys[$0], keys[$1]) : $0 < $1 }
    }
}

/// Dense integer ids for codes (skills, languages, countries, ISCO prefixes).
struct Interner: Sendable {
    private(set) var ids: [String: Int32] = [:]

    var count: Int { ids.count }

    /// The id of `code`, assigning the next one when it is new.
    mutating func intern(_ code: String) -> Int32 {
        if let id = ids[code] { return id }
        let id = Int32(ids.count)
        ids[code] = id
        return id
    }

    /// The id of `code` if it was interned.
    func lookup(_ code: String) -> Int32? { ids[code] }
}

extension Day {
    /// `YYYYMMDD` as an integer: compares like the day itself.
    var ordinal: Int32 { Int32(year * 10_000 + month * 100 + day) }
}
