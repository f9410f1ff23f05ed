import Crypto
import Feeds

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
        var hasher = SHA256()
        var total: Int64 = 0
        try FeedFiles.read(path, name: path, maxBytes: maxBytes, regularOnly: true) { chunk in
            hasher.update(bufferPointer: chunk)
            total += Int64(chunk.count)
        }
        sha256 = RunInputs.hex(hasher.finalize())
        bytes = total
    }
}

/// The SHA-256 of the bytes a later pass over a file reads, through the readers' `seen` hook:
/// a load records rows under the first pass's digest only when every pass read those bytes.
final class PassDigest {
    private var hasher = SHA256()

    func seen(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// The digest of everything seen, as `FileDigest.sha256` writes it.
    var hex: String { RunInputs.hex(hasher.finalize()) }
}
