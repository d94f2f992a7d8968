import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The target rule of §Webhooks and §Sources: resolves the host and refuses it when any address it
/// resolves to is loopback, private, link-local, unspecified or cloud metadata, unless private
/// targets are allowed.
public struct ResolvingTargetPolicy: TargetPolicy {
    public let allowPrivateTargets: Bool

    public init(allowPrivateTargets: Bool) {
        self.allowPrivateTargets = allowPrivateTargets
    }

    public func check(host: String) async throws {
        guard !allowPrivateTargets else { return }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await Task.detached { try Self.resolve(bare) }.value
        if let refused = addresses.first(where: NetworkAddress.isNonPublic) {
            throw CatalogError.validation(
                "url's host \(host) resolves to \(refused), a loopback, private, link-local or metadata address; "
                    + "such targets are refused unless CATALOG_ALLOW_PRIVATE_TARGETS=true.",
                parameter: "url", value: host)
        }
    }

    static func resolve(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &results) == 0, let first = results else {
            throw CatalogError.validation("url's host \(host) does not resolve.", parameter: "url", value: host)
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(cString: buffer))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}

/// Classifies numeric IP addresses (v4 and v6).
public enum NetworkAddress {
    /// True for loopback, private, carrier-grade NAT, link-local (cloud metadata among them),
    /// unspecified, multicast and reserved addresses, and their IPv4-mapped IPv6 forms.
    public static func isNonPublic(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return isNonPublic(v4: withUnsafeBytes(of: v4.s_addr) { Array($0) })
        }
        var v6 = in6_addr()
        let text = address.split(separator: "%").first.map(String.init) ?? address
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return true }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return isNonPublic(v4: Array(bytes[12..<16])) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
        if bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80 { return true }  // fe80::/10 link-local
        if (bytes[0] & 0xFE) == 0xFC { return true }  // fc00::/7 unique local
        if bytes[0] == 0xFF { return true }  // multicast
        if bytes[0] == 0xFD && bytes[1] == 0x00 && bytes[2] == 0x0E && bytes[3] == 0xC2 { return true }  // fd00:ec2::/32 (AWS metadata)
        return false
    }

    static func isNonPublic(v4 b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true  // carrier-grade NAT
        case (169, 254): return true  // link-local, cloud metadata
        case (172, 16...31), (192, 168): return true
        case (192, 0) where b[2] == 0 || b[2] == 2: return true
        case (198, 18...19): return true
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return true
        case (224...255, _): return true  // multicast, reserved, broadcast
        default: return false
        }
    }
}
