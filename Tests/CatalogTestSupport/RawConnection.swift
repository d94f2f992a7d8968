import Foundation

/// A plain TCP connection to a loopback port, for what an HTTP client library would not send:
/// partial heads, oversized headers, invalid bytes, connections that just sit there. Non-blocking;
/// waits poll with short sleeps so that no thread of the server's pools is held.
public final class RawConnection: @unchecked Sendable {
    private let fd: Int32
    public private(set) var received: [UInt8] = []
    public private(set) var isClosedByPeer = false

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawConnectionError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RawConnectionError("connect: \(reason)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    /// Sends all of `bytes` (false when the peer has closed or reset the connection).
    @discardableResult
    public func send(_ bytes: [UInt8]) async -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try? await Task.sleep(for: .milliseconds(2))
            } else {
                return false
            }
        }
        return true
    }

    public func send(_ text: String) async -> Bool { await send(Array(text.utf8)) }

    /// Ends the sending side (a FIN), as a client does that has nothing more to send.
    public func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads what has arrived; notes when the peer has closed (EOF or reset).
    public func drain() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 * 1024) { buffer in
            while true {
                let count = recv(fd, buffer.baseAddress, buffer.count, 0)
                if count > 0 {
                    received.append(contentsOf: buffer[0..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    isClosedByPeer = true
                    return
                } else {
                    return
                }
            }
        }
    }

    /// Waits until the peer closes the connection; returns how long that took, nil if it did not within `timeout`.
    public func waitForClose(timeout: Duration) async -> Duration? {
        let start = ContinuousClock.now
        // Reads once more after the deadline: on a loaded machine one sleep can outlast the whole wait.
        while true {
            drain()
            if isClosedByPeer { return ContinuousClock.now - start }
            if ContinuousClock.now - start >= timeout { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until a whole response (head and a Content-Length body) has arrived or the peer closed.
    public func waitForResponse(timeout: Duration = .seconds(10)) async -> RawResponse? {
        let start = ContinuousClock.now
        while true {
            drain()
            if let response = RawResponse(received) { return response }
            if isClosedByPeer || ContinuousClock.now - start >= timeout { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Forgets the bytes of the response(s) read so far.
    public func consume(_ count: Int) { received.removeFirst(min(count, received.count)) }
}

/// One HTTP/1.1 response parsed from the start of some bytes.
public struct RawResponse {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    /// Bytes of head and body together.
    public var length: Int

    public init?(_ bytes: [UInt8]) {
        guard let headEnd = bytes.indices.dropLast(3).first(where: { bytes[$0...$0 + 3].elementsEqual([13, 10, 13, 10]) }) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/1.1 "), let status = Int(statusLine.dropFirst(9).prefix(3)) else {
            return nil
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyLength = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= headEnd + 4 + bodyLength else { return nil }
        self.status = status
        self.headers = headers
        self.body = Array(bytes[(headEnd + 4)..<(headEnd + 4 + bodyLength)])
        self.length = headEnd + 4 + bodyLength
    }

    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    public var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

public struct RawConnectionError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
