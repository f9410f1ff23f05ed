import Foundation
import Matching

/// Writes the files of MATCHING.md section 7 (and `rejections.csv`) into a
/// directory, each through a temporary file renamed into place, so a reader
/// never sees half a file.
public struct OutputDirectory: Sendable {
    /// The directory as written: `..` after a link and a literal `~` are left for the system
    /// to resolve, as for every path checked here (`URL` would tidy them away as text).
    public let path: String

    /// Why a file or the directory could not be written, in words (Foundation's errors read
    /// `NSCocoaErrorDomain Code=512 "(null)"` on Linux). `isBadPath`: the path names a file, or
    /// a place this process may not write (bad usage); else the system failed (a full disk).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        public let isBadPath: Bool
    }

    /// The directory at `path`; a missing one (and its parents) is made by the first set of
    /// files written into it, and removed again if that set fails (`writeFiles`), so a failed
    /// command leaves no empty directory of its own behind.
    public init(path: String) throws {
        self.path = path.isEmpty ? "." : path
        var info = stat()
        if stat(self.path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
            throw Failure(description: "\(path) exists and is not a directory", isBadPath: true)
        }
    }

    /// Writes `text` to `name` in the directory, atomically.
    public func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Array(text.utf8))
    }

    /// Removes `name` from the directory when it is there.
    public func remove(_ name: String) throws {
        let file = "\(path)/\(name)"
        var info = stat()
        guard lstat(file, &info) == 0 else { return }
        guard unlink(file) == 0 else {
            let code = errno
            throw Failure(description: "cannot remove \(file) (\(String(cString: strerror(code))))",
                          isBadPath: OutputDirectory.isBadPath(code))
        }
    }

    /// Removes what a process that died while writing `names` here left of them: the temporary
    /// files `.NAME.PID.tmp` whose PID is no live process on this host (a runner killed while it
    /// wrote its results; its restart writes them again). Another live writer's are left.
    public func removeStaleTemporaries(of names: [String]) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for entry in entries where entry.hasPrefix(".") && entry.hasSuffix(".tmp") {
            for name in names where entry.hasPrefix(".\(name).") {
                guard let pid = pid_t(entry.dropFirst(name.count + 2).dropLast(4)), pid > 0, pid != getpid(),
                      kill(pid, 0) == -1, errno == ESRCH else { continue }
                unlink("\(path)/\(entry)")
            }
        }
    }

    /// Writes `bytes` to `name` in the directory, atomically (`writeFile`).
    public func write(_ name: String, bytes: [UInt8]) throws {
        try write([(name, bytes)])
    }

    /// Writes files of the directory (names relative to it, `inputs/policy.toml` too) as one
    /// set (`writeFiles`).
    /// The files named in `personal` (a person's data: a workers feed) are created readable by
    /// their owner only (0600), the others as the umask says.
    public func write(_ files: [(name: String, bytes: [UInt8])], personal: Set<String> = []) throws {
        try checkNames(files.map(\.name))
        try OutputDirectory.writeFiles(files.map { ("\(path)/\($0.name)", $0.bytes) },
                                       personal: Set(personal.map { "\(path)/\($0)" }))
    }

    /// Throws when a directory has one of `names` (a file of the set could not be written there).
    private func checkNames(_ names: [String]) throws {
        for name in names {
            var info = stat()
            if stat("\(path)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                throw Failure(description: "cannot write \(path)/\(name) (a directory has that name)", isBadPath: true)
            }
        }
    }

    /// Whether a system error says the path is a bad choice (bad usage) rather than that the
    /// system failed.
    static func isBadPath(_ code: Int32) -> Bool {
        [EACCES, EPERM, ENOTDIR, EISDIR, ENAMETOOLONG, EROFS, ELOOP].contains(code)
    }

    /// Why `path` cannot be (or become) a directory this process writes into, without creating
    /// anything: the path or an ancestor is a file, or the nearest existing ancestor is not
    /// writable; nil when nothing stands in the way that can be seen beforehand.
    public static func obstacle(_ path: String) -> String? {
        let (ancestor, info, dangling) = existingAncestor(path)
        if dangling { return "\(ancestor) is a symbolic link to nothing" }
        if info.st_mode & S_IFMT != S_IFDIR {
            return ancestor == path ? "\(path) exists and is not a directory" : "\(ancestor) is a file, not a directory"
        }
        if access(ancestor, W_OK | X_OK) == 0 { return nil }
        return errno == EROFS ? "\(ancestor) is on a read-only file system" : "no permission to write into \(ancestor)"
    }

    /// The nearest of `path` and its ancestors (`parent` by `parent`, as written) that exists
    /// as the system resolves it, with its `stat`; or the first that is a symbolic link to
    /// nothing (`dangling`), where the walk stops.
    private static func existingAncestor(_ path: String) -> (path: String, info: stat, dangling: Bool) {
        var ancestor = path.isEmpty ? "." : path
        var info = stat()
        while stat(ancestor, &info) != 0 {
            if lstat(ancestor, &info) == 0 { return (ancestor, info, true) }
            let up = parent(ancestor)
            if up == ancestor { break }
            ancestor = up
        }
        return (ancestor, info, false)
    }

    /// The directory part of `path` as written (`a/b` of `a/b/c.md`, `.` of `c.md`, `/` of
    /// `/c.md`, `lc/..` of `lc/../c.md`), leaving `..` and links for the system to resolve.
    public static func parent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        var dir = p[..<slash]
        while dir.count > 1 && dir.hasSuffix("/") { dir = dir.dropLast() }
        return dir.isEmpty ? "/" : String(dir)
    }

    /// `path` made absolute as the system resolves it: its longest existing part with links
    /// and `..` resolved (`realpath`), the rest as written (`URL.standardizedFileURL` tidies
    /// `lc/..` away as text, which is not where the system goes after a link `lc`).
    public static func absolute(_ path: String) -> String {
        var whole = Substring(path.isEmpty ? "." : path)
        while whole.count > 1 && whole.hasSuffix("/") { whole = whole.dropLast() }
        var head = String(whole)
        var tail: [String] = []
        while true {
            if let real = realpath(head, nil) {
                defer { free(real) }
                let base = String(cString: real)
                guard !tail.isEmpty else { return base }
                return (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            let up = parent(head)
            if up == head { return String(whole) }
            tail.append(fileName(head))
            head = up
        }
    }

    /// The last part of `path` as written (`c.md` of `a/b/c.md`), no `~` or `..` tidied.
    public static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Writes `bytes` to the file `path` whole: a temporary file beside it (created anew),
    /// renamed onto it; its missing directories are made first, each as the system resolves
    /// the path written. Check `fileObstacle` first.
    public static func writeFile(_ path: String, bytes: [UInt8]) throws {
        try writeFiles([(path, bytes)])
    }

    /// Writes files as one set: each to a temporary file beside it first, and only when all are
    /// written, each renamed onto its path. A failure (a full disk) or a stop while writing
    /// leaves every earlier file as it was, rather than some files new and some of the set
    /// before; what is left of a stop is temporary files (`.NAME.PID.tmp`). A file replaced
    /// keeps its permissions (a new one has the umask's; a path in `personal` 0600, or fewer when
    /// the file it replaces had fewer).
    public static func writeFiles(_ files: [(path: String, bytes: [UInt8])], personal: Set<String> = []) throws {
        var staged: [(temporary: String, path: String)] = []
        var created: [String] = []
        // Directories this set made are removed again when it fails (empty ones only): an
        // `inputs/` left empty would pass for an earlier export's.
        func undo(_ temporaries: ArraySlice<(temporary: String, path: String)>) {
            for file in temporaries { unlink(file.temporary) }
            for dir in created.reversed() { rmdir(dir) }
        }
        do {
            for file in files {
                created += try makeDirectories(parent(file.path))
                staged.append((try stage(file.path, bytes: file.bytes, mode: personal.contains(file.path) ? 0o600 : 0o666),
                               file.path))
            }
        } catch {
            undo(staged[...])
            throw error
        }
        for (i, file) in staged.enumerated() where rename(file.temporary, file.path) != 0 {
            let code = errno
            undo(staged[i...])
            throw Failure(description: "cannot write \(file.path) (\(String(cString: strerror(code))))",
                          isBadPath: isBadPath(code))
        }
    }

    /// Writes `bytes` to a new temporary file beside `path` (whose directory exists), with the
    /// permission bits (0777) of the regular file at `path` when there is one (not of what a
    /// symbolic link there points to, and never setuid, setgid or sticky); returns its path.
    private static func stage(_ path: String, bytes: [UInt8], mode: mode_t) throws -> String {
        let temporary = "\(parent(path))/.\(fileName(path)).\(getpid()).tmp"
        func failure(_ code: Int32 = errno) -> Failure {
            Failure(description: "cannot write \(path) (\(String(cString: strerror(code))))", isBadPath: isBadPath(code))
        }
        unlink(temporary)
        let fd = createNew(temporary, mode: mode)
        guard fd >= 0 else { throw failure() }
        var replaced = stat()
        if lstat(path, &replaced) == 0, replaced.st_mode & S_IFMT == S_IFREG {
            // A person's data never more open than 0600, whatever the file it replaces allowed.
            _ = fchmod(fd, replaced.st_mode & 0o777 & (mode == 0o600 ? 0o600 : 0o777))
        }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw failure(code)
            }
            written += n
        }
        guard close(fd) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure(code)
        }
        return temporary
    }

    /// `mkdir -p` of `dir` as written: each prefix in turn, so that `..` after a link goes where
    /// the system takes it. Returns the directories it created, outermost first.
    @discardableResult
    private static func makeDirectories(_ dir: String) throws -> [String] {
        var prefix = dir.hasPrefix("/") ? "" : nil as String?
        var created: [String] = []
        // A failure part-way removes what it made (`NEW/` of `NEW/<a name too long>/r.html`).
        var done = false
        defer { if !done { for made in created.reversed() { rmdir(made) } } }
        for part in dir.split(separator: "/") {
            prefix = prefix.map { "\($0)/\(part)" } ?? String(part)
            guard let current = prefix else { continue }
            let made = mkdir(current, 0o777) == 0
            if made { created.append(current) }
            if made || errno == EEXIST {
                var info = stat()
                if stat(current, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { continue }
                if let why = obstacle(dir) { throw Failure(description: why, isBadPath: true) }
                throw Failure(description: "\(current) is not a directory", isBadPath: true)
            }
            let code = errno
            throw Failure(description: "cannot create the directory \(current) (\(String(cString: strerror(code))))",
                          isBadPath: isBadPath(code))
        }
        done = true
        return created
    }

    /// Why `path` cannot be a file this process writes whole by renaming a temporary file onto
    /// it (`report --out`, `load --rejections-out`), seen beforehand: no file name, a directory,
    /// a symbolic link or another file that is not regular (the rename would replace the link,
    /// `/dev/stdout` as root, or the device rather than write through it), or a directory this
    /// process cannot write into (`obstacle`); nil when none.
    public static func fileObstacle(_ path: String) -> String? {
        let name = fileName(path)
        guard !path.hasSuffix("/"), !path.isEmpty, name != ".", name != ".." else { return "give a file name" }
        // The temporary file beside it adds `.` and `.PID.tmp`: NAME_MAX (255 bytes) holds both.
        guard name.utf8.count <= 230 else { return "the file name is longer than 230 bytes" }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return "is a directory; give a file name" }
        if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            return "is a symbolic link or not a regular file; give the path of a regular file to create or replace"
        }
        // A try, not a look, as for the directories of `run` and `export` (a report into /proc
        // failed after the database's work with status 1, where they said 2 before any).
        return probe(parent(path))
    }

    /// `obstacle`, then a real try, leaving nothing behind and touching no name but its own:
    /// a file of a random name created and removed in the directory, or, when the directory does
    /// not exist yet, a directory of a random name created and removed in its nearest existing
    /// ancestor. Catches what a look cannot (root may "write" into `/proc`, a read-only mount,
    /// a full inode table); nil when it worked.
    public static func probe(_ path: String) -> String? {
        if let seen = obstacle(path) { return seen }
        let ancestor = existingAncestor(path).path
        let trial = "\(ancestor)/.labourmatch-probe-\(UUID().uuidString)"
        if ancestor != path {
            guard mkdir(trial, 0o700) == 0 else {
                return "cannot create a directory in \(ancestor) (\(String(cString: strerror(errno))))"
            }
            rmdir(trial)
            return nil
        }
        let fd = createNew(trial, mode: 0o600)
        guard fd >= 0 else { return "cannot write into \(path) (\(String(cString: strerror(errno))))" }
        close(fd)
        unlink(trial)
        return nil
    }

    /// Opens a file for writing that did not exist (never an existing one, never through a
    /// symbolic link someone planted under its name); -1 with `errno` otherwise.
    public static func createNew(_ path: String, mode: mode_t = 0o666) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    }

    /// The system's reason for a Foundation file error (`No space left on device` rather than
    /// `NSCocoaErrorDomain Code=640`), else the error as it reads.
    public static func systemReason(_ error: any Error) -> String {
        posixCode(error).map { String(cString: strerror($0)) } ?? "\(error)"
    }

    /// The POSIX error under a Foundation file error (ENOSPC under `NSCocoaErrorDomain Code=640`).
    public static func posixCode(_ error: any Error) -> Int32? {
        guard let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
              posix.domain == NSPOSIXErrorDomain else { return nil }
        return Int32(posix.code)
    }

    /// The section 7 files of `result` and the files `also` (those named in `personal` created
    /// 0600, as `write` says); `candidates.csv` only when asked, and otherwise removed
    /// first (an earlier run's would not belong to these results).
    /// Returns the names written, in order. The files are rendered side by
    /// side (on every core), then written as one set (`writeFiles`).
    @discardableResult
    public func writeRun(_ result: MatchingResult, policySHA256: String, inputSHA256: String,
                         candidates: Bool, also: [(name: String, bytes: [UInt8])] = [],
                         personal: Set<String> = []) throws -> [String] {
        let summary = OutputFiles.summaryJSON(result, policySHA256: policySHA256, inputSHA256: inputSHA256)
        var files: [(name: String, render: @Sendable () -> [UInt8])] = [
            ("matches.csv", { OutputFiles.matchesCSVBytes(result) }),
            ("exclusions.csv", { OutputFiles.exclusionsCSVBytes(result) }),
            ("summary.json", { Array(summary.utf8) }),
        ]
        if candidates {
            files.insert(("candidates.csv", { OutputFiles.candidatesCSVBytes(result) }), at: 1)
        } else {
            // First, so that nothing is written when it cannot be removed (a directory, a sticky
            // directory's file of another owner); a set that fails after it leaves the earlier
            // set without its candidates.csv, never with this one's files.
            var info = stat()
            if lstat("\(path)/candidates.csv", &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                throw Failure(description: "cannot remove \(path)/candidates.csv (a directory has that name)", isBadPath: true)
            }
            try checkNames(files.map(\.name) + also.map(\.name))   // what would stop the set, seen first
            try remove("candidates.csv")
        }
        let rendered = ConcurrentSlots<[UInt8]>(count: files.count), renderers = files.map(\.render)
        DispatchQueue.concurrentPerform(iterations: renderers.count) { rendered.set($0, renderers[$0]()) }
        try write(files.enumerated().map { (i, file) in (file.name, rendered.take(i)) } + also, personal: personal)
        return files.map(\.name) + also.map(\.name)
    }
}
