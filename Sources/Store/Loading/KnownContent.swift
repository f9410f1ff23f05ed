import Crypto

/// The content SHA-256s of the current versions a source's earlier loads wrote: a row of a
/// snapshot whose SHA-256 is among them repeats its key's current version (the canonical
/// text hashed includes the key), so the loader stages it by key and SHA-256 alone, without
/// its data columns, which the server would otherwise parse and check for nothing.
///
/// Held as the first 16 bytes of each digest in an open-addressing hash table (digests are
/// uniformly random, so their first bytes are the hash): about 32 bytes a version, at most
/// `FeedLoader.leanLimit` of them, read before the file. The guess is checked, never trusted: the merge
/// refuses to write a lean row (`MergeSQL.leanRowsPlanned`), and the loader then starts
/// again with every row staged whole.
struct KnownContent {
    /// The default `FeedLoader.leanLimit`: 2 million versions, 64 MB of slots.
    static let maxRows = 2_000_000

    /// Slots of (first 8 bytes, next 8 bytes); (0, 0) is an empty slot.
    private var slots: [(UInt64, UInt64)] = []
    private var mask = 0
    /// Whether a digest starting with 16 zero bytes is held (it cannot live in a slot).
    private var holdsZero = false
    private(set) var count = 0

    /// Reads `content_sha256` values, one a row, as COPY text (64 hex digits and a line end).
    /// Returns nil when the source holds more than `limit` versions (the COPY is cancelled).
    static func read(limit: Int, _ copyOut: ((UnsafeRawBufferPointer) throws -> Void) throws -> Int) throws -> KnownContent? {
        var prefixes: [(UInt64, UInt64)] = []
        do {
            _ = try copyOut { row in
                guard prefixes.count < limit else { throw TooMany() }
                guard row.count >= 32, let high = hex64(row, 0), let low = hex64(row, 16) else {
                    throw KnownContentError(row: String(decoding: row, as: UTF8.self))
                }
                prefixes.append((high, low))
            }
        } catch is TooMany {
            return nil
        }
        return KnownContent(prefixes)
    }

    init(_ prefixes: [(UInt64, UInt64)]) {
        var size = 16
        while size < prefixes.count * 2 { size *= 2 }   // at most half full: short probes
        slots = Array(repeating: (0, 0), count: size)
        mask = size - 1
        for p in prefixes { insert(p) }
    }

    private mutating func insert(_ p: (UInt64, UInt64)) {
        if p == (0, 0) {
            if !holdsZero { holdsZero = true; count += 1 }
            return
        }
        var i = Int(truncatingIfNeeded: p.0) & mask
        while slots[i] != (0, 0) {
            if slots[i] == p { return }
            i = (i + 1) & mask
        }
        slots[i] = p
        count += 1
    }

    func contains(_ digest: SHA256Digest) -> Bool {
        let p = digest.withUnsafeBytes { d -> (UInt64, UInt64) in
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(d[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(d[i]) }
            return (high, low)
        }
        if p == (0, 0) { return holdsZero }
        guard !slots.isEmpty else { return false }
        var i = Int(truncatingIfNeeded: p.0) & mask
        while slots[i] != (0, 0) {
            if slots[i] == p { return true }
            i = (i + 1) & mask
        }
        return false
    }

    /// 16 lower-case hex digits from `offset` as a number; nil for anything else.
    private static func hex64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64? {
        var value: UInt64 = 0
        for i in offset..<offset + 16 {
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x61...0x66: digit = b - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private struct TooMany: Error {}
}

/// A `content_sha256` that is not 64 hex digits: the database holds something it should not.
struct KnownContentError: Error, CustomStringConvertible {
    let row: String
    var description: String { "a current version's content_sha256 is not hex: '\(row.prefix(80))'" }
}
