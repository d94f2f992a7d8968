import Foundation

/// An HTTP/1.1 connection over a plain loopback socket, for what a test client hides: interim
/// responses, requests whose body is sent (or not) only after an answer. Blocking calls run on a
/// thread of their own, never on the concurrency pool that serves the requests.
final class RawHTTPConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private var buffered: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; a read waits at most `timeout` seconds.
    init(port: Int, timeout: TimeInterval = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw Failure(description: "cannot connect to port \(port)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) async throws {
        try await offPool {
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { throw Failure(description: "send failed after \(sent) bytes") }
                sent += count
            }
        }
    }

    /// The next response head: its status line and header lines, without the blank line.
    func readHead() async throws -> [String] {
        try await offPool {
            while true {
                if let end = self.headEnd() {
                    let head = String(decoding: self.buffered[..<end], as: UTF8.self)
                    self.buffered.removeFirst(end + 4)
                    return head.components(separatedBy: "\r\n")
                }
                try self.fill()
            }
        }
    }

    /// A response head and its `Content-Length` body.
    func readResponse() async throws -> (head: [String], body: String) {
        let head = try await readHead()
        let length = head.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let body = try await offPool {
            while self.buffered.count < length { try self.fill() }
            defer { self.buffered.removeFirst(length) }
            return String(decoding: self.buffered[..<length], as: UTF8.self)
        }
        return (head, body)
    }

    private func headEnd() -> Int? {
        guard buffered.count >= 4 else { return nil }
        for index in 0...(buffered.count - 4)
        where buffered[index] == 13 && buffered[index + 1] == 10 && buffered[index + 2] == 13 && buffered[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure(description: count == 0 ? "connection closed" : "read timed out or failed") }
        buffered.append(contentsOf: chunk[..<count])
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
