import CatalogCurl
import Foundation

/// The few fields read from S3's XML answers; a full XML parser is not needed for these flat documents.
enum S3XML {
    /// The text of the first `<name>…</name>`, unescaped.
    static func value(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return unescape(String(text[open.upperBound..<close.lowerBound]))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension CurlResponse {
    /// S3's error code (`NoSuchKey`, `SignatureDoesNotMatch` …) when the body is an error document.
    var errorCode: String? { S3XML.value("Code", in: bodyText) }

    /// "403 SignatureDoesNotMatch: The request signature …", for messages.
    var errorSummary: String {
        let text = bodyText
        var summary = "HTTP \(status)"
        if let code = S3XML.value("Code", in: text) { summary += " \(code)" }
        if let message = S3XML.value("Message", in: text) { summary += ": \(message)" }
        return summary
    }
}
