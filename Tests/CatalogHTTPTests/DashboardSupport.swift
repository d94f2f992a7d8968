import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The analysts' page as the tests read it: tables by id, their rows' `data-*` attributes and their
/// cells' `data-field`/`data-value` pairs (unescaped), and the text of each such cell.
struct DashboardHTML {
    let text: String

    init(_ response: TestResponse) { text = String(buffer: response.body) }

    struct Row {
        var attributes: [String: String] = [:]
        var fields: [String: String] = [:]
        /// The text shown in each `data-field` cell.
        var shown: [String: String] = [:]
        var html: String = ""
    }

    /// The part of the page from `<tag … id="id"` to the tag's end.
    func element(_ tag: String, id: String) -> String? {
        guard let start = text.range(of: "<\(tag) "), let open = text.range(of: "id=\"\(id)\"", range: start.lowerBound..<text.endIndex)
        else { return nil }
        guard let begin = text.range(of: "<\(tag) ", options: .backwards, range: text.startIndex..<open.lowerBound),
              let end = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[begin.lowerBound..<end.upperBound])
    }

    func rows(_ tableID: String) -> [Row] {
        guard let table = element("table", id: tableID), let body = table.range(of: "<tbody>") else { return [] }
        return Self.matches(#"<tr([^>]*)>(.*?)</tr>"#, in: String(table[body.upperBound...])).map { groups in
            var row = Row(html: groups[2])
            for attribute in Self.matches(#"data-([a-z_]+)="([^"]*)""#, in: groups[1]) {
                row.attributes[attribute[1]] = Self.unescape(attribute[2])
            }
            for cell in Self.matches(#"data-field="([a-z_]+)" data-value="([^"]*)">(.*?)</td>"#, in: groups[2]) {
                row.fields[cell[1]] = Self.unescape(cell[2])
                row.shown[cell[1]] = Self.unescape(cell[3])
            }
            return row
        }
    }

    func count(_ needle: String, in part: String? = nil) -> Int {
        (part ?? text).components(separatedBy: needle).count - 1
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let expression = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.matches(in: text, range: range).map { match in
            (0..<match.numberOfRanges).map { index in
                Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// How the page must show an exact decimal, worked out here independently: the integer part grouped
    /// by thousands, at least two fraction digits, none dropped.
    static func shownAmount(_ value: String) -> String {
        let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
        var integer = ""
        for (index, digit) in parts[0].reversed().enumerated() {
            if index > 0, index % 3 == 0 { integer = "," + integer }
            integer = String(digit) + integer
        }
        var fraction = parts.count > 1 ? parts[1] : ""
        while fraction.count < 2 { fraction += "0" }
        return integer + "." + fraction
    }
}

/// The raw text of every `"field":value` in a JSON body, `null` included (exact decimals, never a Double).
func jsonRawValues(_ field: String, in body: String) -> [String] {
    DashboardHTML.matches("\"\(field)\":(null|[0-9.eE+-]+)", in: body).map { $0[1] }
}

let formContentType: [HTTPField.Name: String] = [.contentType: "application/x-www-form-urlencoded"]

extension TestClientProtocol {
    func dashboardLogin(
        _ key: String, fields: String = "", extra: [HTTPField.Name: String] = [:]
    ) async throws -> TestResponse {
        var headers = HTTPFields()
        for (name, value) in formContentType.merging(extra, uniquingKeysWith: { $1 }) { headers[name] = value }
        let body = "api_key=" + (key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key) + (fields.isEmpty ? "" : "&" + fields)
        return try await execute(uri: "/dashboard/login", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Logs in and returns the session cookie's value.
    func dashboardSession(_ key: String) async throws -> String {
        let response = try await dashboardLogin(key)
        guard response.status == .seeOther, let cookie = sessionCookie(response), !cookie.isEmpty else {
            throw ReadPathTestError(description: "login failed: \(response.status) \(String(buffer: response.body))")
        }
        return cookie
    }

    func dashboard(_ query: String = "", session: String?, extra: [HTTPField.Name: String] = [:]) async throws -> TestResponse {
        var headers = HTTPFields()
        if let session { headers[.cookie] = "catalog_session=\(session)" }
        for (name, value) in extra { headers[name] = value }
        return try await execute(uri: "/dashboard" + (query.isEmpty ? "" : "?" + query), method: .get, headers: headers)
    }

    func dashboardLogout(session: String?, extra: [HTTPField.Name: String] = [:]) async throws -> TestResponse {
        var headers = HTTPFields()
        if let session { headers[.cookie] = "catalog_session=\(session)" }
        for (name, value) in extra { headers[name] = value }
        return try await execute(uri: "/dashboard/logout", method: .post, headers: headers)
    }
}

/// The `catalog_session` value a response sets, if it sets one.
func sessionCookie(_ response: TestResponse) -> String? {
    setCookieHeader(response).flatMap { header in
        header.split(separator: ";").first.map { String($0.dropFirst("catalog_session=".count)) }
    }
}

func setCookieHeader(_ response: TestResponse) -> String? {
    response.headers[values: .setCookie].first { $0.hasPrefix("catalog_session=") }
}

extension HTTPField.Name {
    static let origin = HTTPField.Name("Origin")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
