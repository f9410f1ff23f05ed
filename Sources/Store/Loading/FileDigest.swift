import Crypto
import Feeds
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SHA-256 and size of a file's bytes, read in chunks (the file is never held whole).
struct FileDigest {
    let sha256: String
    let bytes: Int64

    /// Reads `path`; an unreadable file is a whole-file error naming `path`.
    init(path: String) throws(FeedFileError) {
        guard let file = fopen(path, "rb") else {
            throw FeedFileError(file: path, problem: .unreadable(String(cString: strerror(errno))))
        }
        defer { fclose(file) }
        var hasher = SHA256()
        var total: Int64 = 0
        let size = 1 << 20
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
            if n > 0 {
                buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                total += Int64(n)
            }
            if n < size {
                if ferror(file) != 0 {
                    throw FeedFileError(file: path, problem: .unreadable(String(cString: strerror(errno))))
                }
                break
            }
        }
        sha256 = FileDigest.hex(hasher.finalize())
        bytes = total
    }

    /// Lower-case hex of a digest's bytes.
    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var line = CopyLine(capacity: 64)
        line.hex(digest)
        return String(decoding: line.bytes, as: UTF8.self)
    }
}
