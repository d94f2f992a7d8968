import Foundation

/// RFC 8288 `Link` headers: the target of `rel="next"`, resolved against the page's URL.
enum LinkHeader {
    static func next(in header: String, base: String) -> String? {
        for link in split(header) {
            guard let open = link.firstIndex(of: "<"), let close = link[open...].firstIndex(of: ">") else { continue }
            let target = String(link[link.index(after: open)..<close])
            let parameters = link[link.index(after: close)...].split(separator: ";")
            let isNext = parameters.contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { return false }
                let relations = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased().split(separator: " ")
                return relations.contains("next")
            }
            if isNext { return URL(string: target, relativeTo: URL(string: base))?.absoluteString }
        }
        return nil
    }

    /// Splits on the commas between links, not those inside `<…>` or quotes.
    private static func split(_ header: String) -> [Substring] {
        var parts: [Substring] = []
        var start = header.startIndex
        var inAngle = false
        var inQuote = false
        for index in header.indices {
            switch header[index] {
            case "<" where !inQuote: inAngle = true
            case ">" where !inQuote: inAngle = false
            case "\"" where !inAngle: inQuote.toggle()
            case "," where !inAngle && !inQuote:
                parts.append(header[start..<index])
                start = header.index(after: index)
            default: break
            }
        }
        parts.append(header[start...])
        return parts
    }
}
