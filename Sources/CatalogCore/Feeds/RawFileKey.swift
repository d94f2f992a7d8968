/// Where a feed's raw bytes live in the object store, and the file name users see.
public enum RawFileKey {
    public static func key(partnerName: String, feedID: String, fileName: String) -> String {
        "raw/partners/\(partnerName)/feeds/\(feedID)/\(fileName)"
    }

    /// The feed ID in a key of this layout; nil for other keys.
    public static func feedID(in key: String) -> String? {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 6, segments[0] == "raw", segments[1] == "partners", segments[3] == "feeds" else { return nil }
        return String(segments[4])
    }

    /// Reduces a client-supplied name to its last path segment over `[A-Za-z0-9._-]`, at most 200 characters.
    public static func sanitize(_ raw: String?, gzip: Bool, format: FeedFormat = .csv) -> String {
        let fallback = "upload.\(format.rawValue)" + (gzip ? ".gz" : "")
        guard let raw else { return fallback }
        let lastSegment = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(lastSegment.unicodeScalars.map { scalar -> Character in
            let allowed = scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
            return allowed ? Character(scalar) : "_"
        })
        if name.count > 200 {
            let ext = name.split(separator: ".", omittingEmptySubsequences: false).dropFirst().last.map { "." + $0 } ?? ""
            let keep = ext.count < 20 ? ext : ""
            name = String(name.prefix(200 - keep.count)) + keep
        }
        if name.allSatisfy({ $0 == "." }) { return fallback }
        return name
    }
}
