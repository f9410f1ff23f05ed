#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a feed's bytes come from: a file read in chunks, or bytes already in memory.
/// `regularOnly`: a pipe, socket or device is refused (`FeedFiles.open`).
enum ByteSource {
    case file(path: String, regularOnly: Bool)
    case memory([UInt8])
}

/// Opening feed files.
public enum FeedFiles {
    /// Opens `path` for reading (`name`: how messages name it). With `regularOnly`, a pipe,
    /// socket or device is refused (`.notRegularFile`) without waiting for a writer: the path
    /// is opened non-blocking and checked on the open descriptor, so a path swapped for a FIFO
    /// between a check and the open cannot hang the caller. A directory opens (reading it
    /// fails, "Is a directory"). The caller closes the stream with `fclose`.
    public static func open(_ path: String, name: String, regularOnly: Bool) throws(FeedFileError)
        -> UnsafeMutablePointer<FILE> {
        func failure() -> FeedFileError {
            FeedFileError(file: name, problem: .unreadable(String(cString: strerror(errno))))
        }
        guard regularOnly else {
            guard let file = fopen(path, "rb") else { throw failure() }
            return file
        }
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let error = failure()
            // A socket cannot be opened at all (ENXIO): say what it is.
            var status = stat()
            if stat(path, &status) == 0, ![S_IFREG, S_IFDIR].contains(status.st_mode & S_IFMT) {
                throw FeedFileError(file: name, problem: .notRegularFile)
            }
            throw error
        }
        var status = stat()
        let type = fstat(fd, &status) == 0 ? status.st_mode & S_IFMT : 0
        guard type == S_IFREG || type == S_IFDIR else {
            close(fd)
            throw FeedFileError(file: name, problem: .notRegularFile)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        guard let file = fdopen(fd, "rb") else {
            let error = failure()
            close(fd)
            throw error
        }
        return file
    }

    /// Hands every byte of `path` to `body` as read, in chunks, uninterpreted (a BOM
    /// included), with the checks of every feed read: `regularOnly` as for `open`, and more
    /// than `maxBytes` bytes refused (`.tooLarge`), before the first byte when the size is known.
    public static func read(_ path: String, name: String, maxBytes: Int, regularOnly: Bool,
                            _ body: @escaping (UnsafeRawBufferPointer) -> Void) throws(FeedFileError) {
        do {
            try forEachChunk(of: .file(path: path, regularOnly: regularOnly), name: name, chunkSize: 1 << 20,
                             maxBytes: maxBytes, seen: body) { _ in }
        } catch let error as FeedFileError {
            throw error
        } catch {
            throw FeedFileError(file: name, problem: .unreadable("\(error)"))   // not reached: only reading throws
        }
    }
}

enum ASCII {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let space: UInt8 = 0x20
}

/// Hands `source` to `body` in chunks of at most `chunkSize` bytes, without a
/// leading UTF-8 BOM, so that memory stays flat whatever the file's size.
/// A source of more than `maxBytes` bytes is refused (`.tooLarge`): before the
/// first chunk when its size is known (memory, a regular file), else (a pipe, a
/// file that grows) as soon as the count passes the limit. `seen` gets every byte
/// as read, the BOM included (to hash what was read).
func forEachChunk(of source: ByteSource, name: String, chunkSize: Int, maxBytes: Int = .max,
                  seen: ((UnsafeRawBufferPointer) -> Void)? = nil,
                  _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
    func tooLarge(_ bytes: Int) -> FeedFileError {
        FeedFileError(file: name, problem: .tooLarge(bytes: bytes, limit: maxBytes))
    }
    var prefix: [UInt8] = []
    var bomChecked = false
    // The first three bytes may come in several chunks; hold them until we know.
    func deliver(_ chunk: UnsafeBufferPointer<UInt8>) throws {
        if bomChecked { return try body(chunk) }
        prefix.append(contentsOf: chunk)
        guard prefix.count >= 3 else { return }
        try flushPrefix()
    }
    func flushPrefix() throws {
        bomChecked = true
        let start = prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let rest = prefix[start...]
        prefix = []
        if !rest.isEmpty { try rest.withUnsafeBufferPointer(body) }
    }
    let size = max(1, chunkSize)
    switch source {
    case .memory(let bytes):
        guard bytes.count <= maxBytes else { throw tooLarge(bytes.count) }
        try bytes.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + size)
                let chunk = UnsafeBufferPointer(rebasing: all[offset..<end])
                seen?(UnsafeRawBufferPointer(chunk))
                try deliver(chunk)
                offset = end
            }
        }
    case .file(let path, let regularOnly):
        let file = try FeedFiles.open(path, name: name, regularOnly: regularOnly)
        defer { fclose(file) }
        var status = stat()
        if fstat(fileno(file), &status) == 0, status.st_size > maxBytes { throw tooLarge(Int(status.st_size)) }
        var buffer = [UInt8](repeating: 0, count: size)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
            total += n
            if total > maxBytes { throw tooLarge(total) }
            if n > 0 {
                try buffer.withUnsafeBufferPointer {
                    let chunk = UnsafeBufferPointer(rebasing: $0[0..<n])
                    seen?(UnsafeRawBufferPointer(chunk))
                    try deliver(chunk)
                }
            }
            if n < size {
                if ferror(file) != 0 {
                    throw FeedFileError(file: name, problem: .unreadable(String(cString: strerror(errno))))
                }
                break
            }
        }
    }
    if !bomChecked { try flushPrefix() }
}

/// Reads a whole (small) file: the iso-codes lists and policy files, never feeds.
func readWholeFile(_ path: String) -> [UInt8]? {
    try? readWholeFile(path, maxBytes: .max)
}

/// Reads a whole file of at most `maxBytes` bytes; throws `FeedFileError` (`.tooLarge`, `.unreadable`).
func readWholeFile(_ path: String, maxBytes: Int) throws -> [UInt8] {
    var out: [UInt8] = []
    try forEachChunk(of: .file(path: path, regularOnly: false), name: path, chunkSize: 1 << 16, maxBytes: maxBytes) { out.append(contentsOf: $0) }
    return out
}

/// Whether two strings have the same UTF-8 bytes. `==` on `String` compares by
/// Unicode canonical equivalence (KELVIN SIGN equals `K`), which keys and codes must not.
func sameBytes(_ a: String, _ b: String) -> Bool {
    // `==` is fast and implied by equal bytes; the byte check runs only on its hits.
    a == b && a.utf8.elementsEqual(b.utf8)
}

/// Whether `bytes` is well-formed UTF-8 (Unicode 3.9, table 3-7: no overlongs,
/// no surrogates, nothing above U+10FFFF).
func isValidUTF8<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8, C.Index == Int {
    var i = bytes.startIndex
    let end = bytes.endIndex
    while i < end {
        let b = bytes[i]
        if b < 0x80 { i += 1; continue }
        let need: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return false
        }
        guard end - i > need else { return false }
        let second = bytes[i + 1]
        guard second >= lo, second <= hi else { return false }
        var k = 2
        while k <= need {
            guard bytes[i + k] & 0xC0 == 0x80 else { return false }
            k += 1
        }
        i += need + 1
    }
    return true
}
