/// How a feed's rows are written (§Sources, end): CSV, TSV, a JSON array of objects, or NDJSON (one
/// object per line), each optionally gzip-compressed. JSON fields are named as the CSV columns.
public enum FeedFormat: String, Sendable, Codable, CaseIterable {
    case csv
    case tsv
    case json
    case ndjson

    /// The media type a raw upload declares it with, and the raw object's type when not compressed.
    public var mediaType: String {
        switch self {
        case .csv: "text/csv"
        case .tsv: "text/tab-separated-values"
        case .json: "application/json"
        case .ndjson: "application/x-ndjson"
        }
    }

    /// The format a `Content-Type` names (parameters ignored), or nil for one that names none
    /// (`application/octet-stream`, gzip, a multipart part's missing type).
    public static func named(byMediaType contentType: String?) -> FeedFormat? {
        guard let contentType else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
        switch type {
        case "text/csv", "application/csv": return .csv
        case "text/tab-separated-values", "text/tsv": return .tsv
        case "application/json", "text/json": return .json
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines":
            return .ndjson
        default: return nil
        }
    }

    /// The format a file name's extension names, `.gz` looked through (`spring.ndjson.gz`).
    public static func named(byFileName fileName: String?) -> FeedFormat? {
        guard var name = fileName?.lowercased() else { return nil }
        if name.hasSuffix(".gz") { name.removeLast(3) }
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[name.index(after: dot)...] {
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        case "json": return .json
        case "ndjson", "jsonl": return .ndjson
        default: return nil
        }
    }

    /// A declared media type first, then the file name's extension, else CSV.
    public static func of(contentType: String?, fileName: String?) -> FeedFormat {
        named(byMediaType: contentType) ?? named(byFileName: fileName) ?? .csv
    }

    var isJSON: Bool { self == .json || self == .ndjson }
}
