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

    /// Reads `path`; an unreadable file, or one of more than `maxBytes` bytes, is a whole-file
    /// error naming `path`. The size is checked before the first byte is hashed (and again
    /// while reading, for a file that grows or a pipe), so an oversized feed is refused at once.
    /// A pipe, socket or device is refused without waiting on it (`FeedFiles.open`): a load
    /// reads its file a second time. The later passes refuse one too, so a path swapped for
    /// a FIFO between the passes fails the load instead of hanging it.
    init(path: String, maxBytes: Int = InputLimits.standard.fileBytes) throws(FeedFileError) {
        let file = try FeedFiles.open(path, name: path, regularOnly: true)
        defer { fclose(file) }
        var status = stat()
        if fstat(fileno(file), &status) == 0, status.st_size > maxBytes {
            throw FeedFileError(file: path, problem: .tooLarge(bytes: Int(status.st_size), limit: maxBytes))
        }
        var hasher = SHA256()
        var total: Int64 = 0
        let size = 1 << 20
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
            if n > 0 {
                buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                total += Int64(n)
                if total > Int64(maxBytes) {
                    throw FeedFileError(file: path, problem: .tooLarge(bytes: Int(total), limit: maxBytes))
                }
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

/// The SHA-256 of the bytes a later pass over a file reads, through the readers' `seen` hook:
/// a load records rows under the first pass's digest only when every pass read those bytes.
final class PassDigest {
    private var hasher = SHA256()

    func seen(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// The digest of everything seen, as `FileDigest.sha256` writes it.
    var hex: String { FileDigest.hex(hasher.finalize()) }
}
