import ArgumentParser
import Foundation
import Postgres

/// `labourmatch db bench-copy FILE TABLE` (hidden): times a CSV file's COPY through the Postgres module.
///
/// Used by `Scripts/bench copy` to compare with `psql \copy` of the same file.
struct DBBenchCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-copy",
        abstract: "Time COPY of a CSV file into a table through the Postgres module (for Scripts/bench).",
        shouldDisplay: false
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "CSV file without a header.") var file: String
    @Argument(help: "Table to copy into (its columns in the file's order).") var table: String

    @Option(help: "Bytes sent per PQputCopyData call.") var chunkSize: Int = 256 * 1024

    func run() throws {
        let logger = CommandLog.logger("bench")
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else {
            throw CommandLog.fail(CommandFailure("cannot open \(file): \(String(cString: strerror(errno)))"), status: 2)
        }
        defer { close(fd) }
        // The table name goes into COPY's text (it cannot be a parameter): accept plain identifiers only.
        guard table.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || ($0 >= 48 && $0 <= 57)
            || ($0 >= 97 && $0 <= 122) }), !table.isEmpty else {
            throw CommandLog.fail(CommandFailure("table name '\(table)' must be lower-case letters, digits, '_' or '.'"), status: 2)
        }
        do {
            let db = try database.connect(as: nil, logger: logger)
            defer { db.close() }
            let start = Date()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            let rows = try db.copyIn("COPY \(table) FROM STDIN (FORMAT csv)", chunkSize: chunkSize) { writer in
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { throw CommandLog.fail(CommandFailure("cannot read \(file): \(String(cString: strerror(errno)))")) }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
            let seconds = Date().timeIntervalSince(start)
            print("rows=\(rows) seconds=\(String(format: "%.3f", seconds)) rows_per_s=\(Int(Double(rows) / seconds))")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw CommandLog.fail(error)
        }
    }
}
