import Foundation
import HTTPTypes
import Hummingbird

/// What the dashboard reads from a request beside its parameters: the session cookie, whether it came
/// over TLS, whether a form post comes from this site, and a url-encoded form body.
enum DashboardRequest {
    static let cookieName = "catalog_session"

    static func sessionToken(_ request: Request) -> String? {
        request.cookies[cookieName]?.value
    }

    /// The service speaks plain HTTP; behind a TLS-terminating proxy `X-Forwarded-Proto: https` (or
    /// `Forwarded: proto=https`) says the browser used TLS, and the cookie is then `Secure`.
    static func isSecure(_ request: Request) -> Bool {
        if request.head.scheme?.lowercased() == "https" { return true }
        if let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.split(separator: ",").first,
           proto.trimmingCharacters(in: .whitespaces).lowercased() == "https" { return true }
        if let forwarded = request.headers[HTTPField.Name("Forwarded")!]?.lowercased(),
           forwarded.replacingOccurrences(of: " ", with: "").contains("proto=https") { return true }
        return false
    }

    static func sessionCookie(_ token: String, expiresAt: Date, lifetime: TimeInterval, secure: Bool) -> Cookie {
        Cookie(
            name: cookieName, value: token, expires: expiresAt, maxAge: Int(lifetime), path: "/dashboard", secure: secure,
            httpOnly: true, sameSite: .strict)
    }

    static func clearedCookie(secure: Bool) -> Cookie {
        Cookie(
            name: cookieName, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/dashboard", secure: secure,
            httpOnly: true, sameSite: .strict)
    }

    /// CSRF defence beside `SameSite=Strict`: a form post whose `Origin` (or, without one, `Referer`)
    /// names another site is refused. Browsers send `Origin` on every cross-site POST; a request with
    /// neither (curl, scripts) carries no browser's cookies and is let through.
    static func isSameOrigin(_ request: Request) -> Bool {
        let hosts = [request.head.authority, request.headers[HTTPField.Name("X-Forwarded-Host")!]].compactMap { $0 }
        if let origin = request.headers[HTTPField.Name("Origin")!] { return hosts.contains { names(origin, host: $0) } }
        if let referer = request.headers[.referer] { return hosts.contains { names(referer, host: $0) } }
        return true
    }

    /// Whether `url` (an origin or a referrer) is on `host` (a `Host` header: `name[:port]`).
    static func names(_ url: String, host: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let name = components.host?.lowercased(), !name.isEmpty
        else { return false }
        let defaultPort = scheme == "https" ? 443 : 80
        var hostName = Substring(host.lowercased())
        var hostPort: Int?
        if hostName.hasPrefix("[") {
            guard let end = hostName.firstIndex(of: "]") else { return false }
            let rest = hostName[hostName.index(after: end)...]
            hostPort = rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil
            hostName = hostName[hostName.index(after: hostName.startIndex)..<end]
        } else if let colon = hostName.lastIndex(of: ":") {
            hostPort = Int(hostName[hostName.index(after: colon)...])
            hostName = hostName[..<colon]
        }
        let urlName = name.hasPrefix("[") ? String(name.dropFirst().dropLast()) : name
        return urlName == hostName && (components.port ?? defaultPort) == (hostPort ?? defaultPort)
    }

    /// `application/x-www-form-urlencoded` fields (the first of a repeated name); nil when malformed.
    static func formFields(_ body: ByteBuffer) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static func isForm(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    /// `/dashboard` with the given parameters, percent-encoded strictly (a safe `Location`).
    static func dashboardURL(_ parameters: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:")
        let query = parameters.compactMap { name, value -> String? in
            guard let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
            return "\(name)=\(encoded)"
        }
        return query.isEmpty ? "/dashboard" : "/dashboard?" + query.joined(separator: "&")
    }
}
