import Foundation
import Testing
@testable import Feeds

/// Writing result files as one set, and keeping a replaced file's permissions.
@Suite struct OutputDirectoryTests {
    /// A fresh directory under the system's temporary directory, removed by `close`.
    private static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "/labourmatch-outdir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func aSetThatCannotBeWrittenWholeLeavesEveryFileAsItWas() throws {
        let path = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dir = try OutputDirectory(path: path)
        try dir.write([("a.csv", Array("old a".utf8)), ("inputs/b.csv", Array("old b".utf8))])
        // The second file's temporary name is taken by a directory: its write fails after the
        // first file's temporary file was written.
        let blocker = "\(path)/inputs/.b.csv.\(getpid()).tmp"
        try FileManager.default.createDirectory(atPath: blocker + "/x", withIntermediateDirectories: true)
        #expect(throws: OutputDirectory.Failure.self) {
            try dir.write([("a.csv", Array("new a".utf8)), ("inputs/b.csv", Array("new b".utf8))])
        }
        #expect(Self.read("\(path)/a.csv") == "old a", "not the new a beside the old b")
        #expect(Self.read("\(path)/inputs/b.csv") == "old b")
        #expect(!FileManager.default.fileExists(atPath: "\(path)/.a.csv.\(getpid()).tmp"), "the staged a is removed")
        try FileManager.default.removeItem(atPath: blocker)
        try dir.write([("a.csv", Array("new a".utf8)), ("inputs/b.csv", Array("new b".utf8))])
        #expect(Self.read("\(path)/a.csv") == "new a" && Self.read("\(path)/inputs/b.csv") == "new b")
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).sorted() == ["a.csv", "inputs"])
        // A directory the failed set created is removed again (an empty inputs/ passed for an earlier export's).
        try FileManager.default.createDirectory(atPath: "\(path)/.a.csv.\(getpid()).tmp/x", withIntermediateDirectories: true)
        #expect(throws: OutputDirectory.Failure.self) {
            try dir.write([("new/deeper/c.csv", Array("c".utf8)), ("a.csv", Array("newer a".utf8))])
        }
        #expect(!FileManager.default.fileExists(atPath: "\(path)/new"))
        #expect(Self.read("\(path)/a.csv") == "new a")
        // Directories made before one that cannot be (a name past NAME_MAX) are removed too.
        #expect(throws: OutputDirectory.Failure.self) {
            try OutputDirectory.writeFile("\(path)/made/" + String(repeating: "n", count: 300) + "/r.html", bytes: [1])
        }
        #expect(!FileManager.default.fileExists(atPath: "\(path)/made"))
        // A directory named but missing is made by the first set written into it, so a set that
        // fails leaves no empty directory of the command's own (export's --out NEW/out).
        let fresh = try OutputDirectory(path: "\(path)/fresh/out")
        #expect(!FileManager.default.fileExists(atPath: "\(path)/fresh"))
        #expect(throws: OutputDirectory.Failure.self) {
            try fresh.write([("a.csv", Array("a".utf8)), (String(repeating: "n", count: 300), Array("b".utf8))])
        }
        #expect(!FileManager.default.fileExists(atPath: "\(path)/fresh"))
        try fresh.write([("a.csv", Array("a".utf8))])
        #expect(Self.read("\(path)/fresh/out/a.csv") == "a")
        // A file at the path is refused when named, as before.
        #expect(throws: OutputDirectory.Failure.self) { try OutputDirectory(path: "\(path)/a.csv") }
    }

    /// A dead writer's temporary files of the names written are removed; a live one's (this
    /// process, pid 1) and other names' are left.
    @Test func staleTemporariesOfADeadWriterAreRemoved() throws {
        let path = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dead = ".a.csv.\(Int32.max).tmp", mine = ".a.csv.\(getpid()).tmp", live = ".a.csv.1.tmp"
        for name in [dead, mine, live, ".b.csv.\(Int32.max).tmp", "a.csv", ".a.csv.x.tmp"] {
            #expect(FileManager.default.createFile(atPath: "\(path)/\(name)", contents: Data()))
        }
        try OutputDirectory(path: path).removeStaleTemporaries(of: ["a.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                == [".a.csv.1.tmp", mine, ".a.csv.x.tmp", ".b.csv.\(Int32.max).tmp", "a.csv"].sorted())
    }

    @Test func aReplacedFileKeepsItsPermissions() throws {
        let path = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        func mode(_ name: String) -> mode_t {
            var info = stat()
            _ = stat("\(path)/\(name)", &info)
            return info.st_mode & 0o7777
        }
        try OutputDirectory.writeFile("\(path)/private.md", bytes: Array("first".utf8))
        let fresh = mode("private.md")
        #expect(fresh & 0o022 == 0 || fresh & 0o600 == 0o600, "a new file has the umask's mode")
        #expect(chmod("\(path)/private.md", 0o600) == 0)
        try OutputDirectory.writeFile("\(path)/private.md", bytes: Array("second".utf8))
        #expect(Self.read("\(path)/private.md") == "second")
        #expect(mode("private.md") == 0o600, "not widened to the umask's \(String(fresh, radix: 8))")
        #expect(chmod("\(path)/private.md", 0o640) == 0)
        try OutputDirectory.writeFile("\(path)/private.md", bytes: Array("third".utf8))
        #expect(mode("private.md") == 0o640)
        // Permission bits only: not setuid, setgid or sticky.
        #expect(chmod("\(path)/private.md", 0o6755) == 0)
        try OutputDirectory.writeFile("\(path)/private.md", bytes: Array("fourth".utf8))
        #expect(mode("private.md") == 0o755)
        // A symbolic link at the name is replaced by a file of the umask's mode, not of its target's.
        try OutputDirectory.writeFile("\(path)/tool", bytes: Array("#!/bin/sh\n".utf8))
        #expect(chmod("\(path)/tool", 0o4700) == 0)
        #expect(symlink("\(path)/tool", "\(path)/linked.csv") == 0)
        try OutputDirectory.writeFile("\(path)/linked.csv", bytes: Array("a,b\n".utf8))
        #expect(mode("linked.csv") == fresh)
        #expect(mode("tool") == 0o4700 && Self.read("\(path)/tool") == "#!/bin/sh\n", "the target is left alone")
    }
}
