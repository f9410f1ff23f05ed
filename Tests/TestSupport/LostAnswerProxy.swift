import Foundation
import Postgres

import Glibc

/// A PostgreSQL wire proxy for tests that loses the answer to one statement, or the statement.
///
/// It listens on a Unix socket in a directory of its own (`host=directory port=port` for
/// libpq) and forwards every connection, byte for byte, to the real server. Once armed with
/// `loseAnswer(after:to:)`, the first connection whose client sends `marker` and then the
/// statement `target` gets that statement through to the server, but never its answer: the
/// proxy waits for the server to answer (so a COMMIT has committed), swallows the answer and
/// closes both ends. The client then sees a lost connection whose statement did run, which is
/// what a network drop at the wrong moment does, without timing luck. Armed with
/// `loseStatement(after:to:)` instead, it closes both ends in place of sending the target: the
/// client sees the same lost connection, and the server never ran the statement. Armed with
/// `holdAnswer(after:to:)`, it keeps the answer (the statement ran) until `release()`, then
/// forwards it: a slow answer, for what a client does meanwhile.
///
/// `@unchecked Sendable`: the mutable state is only touched under `lock`.
public final class LostAnswerProxy: @unchecked Sendable {
    /// Where the real server listens.
    public enum Upstream: Sendable {
        /// A Unix socket file (`<unix_socket_directory>/.s.PGSQL.<port>`).
        case unix(path: String)
        case tcp(host: String, port: UInt16)
    }

    /// The directory of the proxy's socket: libpq's `host`.
    public let directory: String
    /// The port in the socket's name: libpq's `port`.
    public let port: Int
    private let upstream: Upstream
    private let listener: Int32
    private let lock = NSLock()
    private enum Action { case loseAnswer, loseStatement, holdAnswer }
    private var rule: (marker: [UInt8], target: [UInt8], action: Action)?
    private var lost = 0
    private var held = 0
    private let released = DispatchSemaphore(value: 0)
    private var open: Set<Int32> = []
    private var closed = false

    public init(upstream: Upstream, port: Int = 54399) throws {
        self.upstream = upstream
        self.port = port
        var template = Array("/tmp/lmpx-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Self.failure("mkdtemp") }
        directory = String(cString: made)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw Self.failure("socket") }
        var address = try Self.unixAddress("\(directory)/.s.PGSQL.\(port)")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw Self.failure("bind/listen") }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// libpq keywords that connect through the proxy to database `database` as `user`.
    public func conninfo(database: String, user: String) -> String {
        "host=\(directory) port=\(port) dbname=\(database) user=\(user)"
    }

    /// Arms the proxy (for one statement; arm it again for another): see the type's description. `target` is a whole statement's
    /// text (`COMMIT`): it matches the statement's bytes followed by its terminating NUL.
    public func loseAnswer(after marker: String, to target: String) {
        lock.withLock { rule = (Array(marker.utf8), Array(target.utf8) + [0], .loseAnswer) }
    }

    /// Arms the proxy (once) to cut the connection in place of sending `target` after `marker`.
    public func loseStatement(after marker: String, to target: String) {
        lock.withLock { rule = (Array(marker.utf8), Array(target.utf8) + [0], .loseStatement) }
    }

    /// Arms the proxy (once) to keep the answer to `target` after `marker` until `release()`.
    public func holdAnswer(after marker: String, to target: String) {
        lock.withLock { rule = (Array(marker.utf8), Array(target.utf8) + [0], .holdAnswer) }
    }

    /// Forwards the answer `holdAnswer` keeps (at once if it has not arrived yet).
    public func release() { released.signal() }

    /// How many answers (or statements) the proxy has lost.
    public var lostAnswers: Int { lock.withLock { lost } }

    /// How many answers the proxy keeps or kept (`holdAnswer`): 1 once the held statement ran.
    public var heldAnswers: Int { lock.withLock { held } }

    /// Stops listening, closes every connection and removes the directory. Once: a second call
    /// does nothing (it closed the listener's number again, which by then could be another
    /// test's pipe: Foundation's `Process.run` trapped on EBADF closing it).
    public func close() {
        let fds: Set<Int32>? = lock.withLock {
            if closed { return nil }
            closed = true
            return open
        }
        guard let fds else { return }
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Forwarding

    /// What one proxied connection knows of the rule.
    private final class Link: @unchecked Sendable {
        let client: Int32, server: Int32
        var markerSeen = false
        /// The target went to the server: its answer is not forwarded.
        var swallow = false
        /// The target went to the server: its answer waits for `release()`.
        var hold = false
        init(client: Int32, server: Int32) { (self.client, self.server) = (client, server) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return   // closed
            }
            guard let server = try? connectUpstream() else {
                Glibc.close(client)
                continue
            }
            let link = Link(client: client, server: server)
            let accepted = lock.withLock { () -> Bool in
                if closed { return false }
                open.formUnion([client, server])
                return true
            }
            guard accepted else {
                Glibc.close(client)
                Glibc.close(server)
                return
            }
            let ends = DispatchGroup()
            for toServer in [true, false] {
                ends.enter()
                Thread.detachNewThread { [self] in
                    pump(link, toServer: toServer)
                    ends.leave()
                }
            }
            Thread.detachNewThread { [self] in
                ends.wait()
                lock.withLock { open.subtract([client, server]) }
                Glibc.close(client)
                Glibc.close(server)
            }
        }
    }

    /// Copies one direction until either end closes; applies the rule on the way.
    private func pump(_ link: Link, toServer: Bool) {
        let (from, to) = toServer ? (link.client, link.server) : (link.server, link.client)
        var buffer = [UInt8](repeating: 0, count: 65536)
        defer {
            shutdown(link.client, Int32(SHUT_RDWR))
            shutdown(link.server, Int32(SHUT_RDWR))
        }
        while true {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            let chunk = buffer[0..<n]
            let (cut, wait): (Bool, Bool) = lock.withLock {
                if toServer { return (!applyRule(link, chunk), false) }
                if link.swallow { lost += 1 }
                if link.hold {
                    link.hold = false
                    held += 1
                    return (false, true)
                }
                return (link.swallow, false)
            }
            if wait { released.wait() }
            // The server answered the target (it ran), and the client never hears of it; or the
            // target is not sent at all.
            if cut { return }
            guard writeAll(to, chunk) else { return }
        }
    }

    /// Under `lock`: notes the marker, and swallows the answer to the target sent after it;
    /// false when the chunk (holding the target) is not to be sent.
    private func applyRule(_ link: Link, _ chunk: ArraySlice<UInt8>) -> Bool {
        guard let rule, !link.swallow else { return true }
        if !link.markerSeen, Self.contains(chunk, rule.marker) { link.markerSeen = true }
        guard link.markerSeen, Self.contains(chunk, rule.target) else { return true }
        self.rule = nil   // once
        switch rule.action {
        case .loseAnswer:
            link.swallow = true
            return true
        case .holdAnswer:
            link.hold = true
            return true
        case .loseStatement:
            lost += 1
            return false
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            // send, not write: a closed peer is an error here, not a SIGPIPE that ends the tests.
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    private func connectUpstream() throws -> Int32 {
        switch upstream {
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = try Self.unixAddress(path)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard result == 0 else {
                Glibc.close(fd)
                throw Self.failure("connect \(path)")
            }
            return fd
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
                throw Self.failure("getaddrinfo \(host)")
            }
            defer { freeaddrinfo(list) }
            let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
            guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
                Glibc.close(fd)
                throw Self.failure("connect \(host):\(port)")
            }
            return fd
        }
    }

    private static func unixAddress(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw failure("path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    private static func failure(_ what: String) -> Error {
        NSError(domain: "LostAnswerProxy", code: Int(errno),
                userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(errno)))"])
    }
}

extension LostAnswerProxy {
    /// A proxy in front of the server `db` is connected to, and the libpq keywords that
    /// connect through it to the same database as the same user.
    public static func inFront(of db: Connection) throws -> (proxy: LostAnswerProxy, conninfo: String) {
        let row = try db.query("""
            SELECT host(inet_server_addr()), inet_server_port(), current_setting('port'),
                   current_setting('unix_socket_directories'), current_user, current_database()
            """)[0]
        let upstream: Upstream
        if let host = try row.decodeIfPresent(0, as: String.self), let port = try row.decodeIfPresent(1, as: Int.self) {
            upstream = .tcp(host: host, port: UInt16(port))
        } else {
            let directory = try row.decode(3, as: String.self).split(separator: ",")[0]
                .trimmingCharacters(in: .whitespaces)
            upstream = .unix(path: "\(directory)/.s.PGSQL.\(try row.decode(2, as: String.self))")
        }
        let proxy = try LostAnswerProxy(upstream: upstream)
        return (proxy, proxy.conninfo(database: try row.decode(5), user: try row.decode(4)))
    }
}
