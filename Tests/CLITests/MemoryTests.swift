import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs `labourmatch` with `arguments` (its output to /dev/null) and waits for it; its exit
/// status and its peak resident memory in bytes, as the kernel counts it for that child alone
/// (`wait4`'s `ru_maxrss`), so tests running alongside in this process cannot blur it.
func exitStatusAndPeakMemory(_ arguments: [String]) throws -> (status: Int32, peakBytes: Int) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    closeOthers(&actions)
    let argv: [UnsafeMutablePointer<CChar>?] = ([labourmatchBinary.path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, labourmatchBinary.path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw SpawnError(message: "posix_spawn: \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw SpawnError(message: "wait4: \(String(cString: strerror(errno)))") }
    }
    let exited = status & 0x7f == 0
    return (exited ? (status >> 8) & 0xff : -1, usage.ru_maxrss * 1024)
}

/// Closes every descriptor from 3 up in a spawned child: nothing else of this process, since it
/// would hold other tests' children's pipes open, and their readers would wait for this child's
/// end too. (glibc 2.34; Swift's Glibc module does not declare it, so it is found by name.)
func closeOthers(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

@Suite struct MemoryTests {

    /// A 32 MiB line in a feed costs `labourmatch match` no more than a few MB beyond the same
    /// run without it: the reader keeps a record up to the 1 MiB limit, never the line.
    @Test func aHugeLineIsReadInBoundedMemory() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let huge = dir.appendingPathComponent("employers.csv")
        #expect(FileManager.default.createFile(atPath: huge.path, contents: nil))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.write(contentsOf: Data(contentsOf: URL(fileURLWithPath: fixture("employers.csv"))))
        try handle.write(contentsOf: Data("E99,".utf8))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<32 { try handle.write(contentsOf: block) }
        try handle.write(contentsOf: Data(",PH\n".utf8))
        try handle.close()

        let plain = try exitStatusAndPeakMemory(matchArguments(out: dir.appendingPathComponent("plain")))
        let withLine = try exitStatusAndPeakMemory(matchArguments(out: dir.appendingPathComponent("huge"),
                                                                  replacing: ["--employers": huge.path]))
        #expect(plain.status == 0 && withLine.status == 0)
        let rejections = try contents(dir.appendingPathComponent("huge/rejections.csv"))
        #expect(rejections.contains("employers,13,,MALFORMED_ROW,\"E99,xxx"))
        #expect(rejections.utf8.count < 2 << 20, "the rejected record's raw text is cut to the 1 MiB limit")
        // Keeping the line would cost over 64 MB (its raw text and its value).
        #expect(withLine.peakBytes - plain.peakBytes < 24 << 20,
                "peak memory \(withLine.peakBytes) bytes with the line, \(plain.peakBytes) without")
    }
}
