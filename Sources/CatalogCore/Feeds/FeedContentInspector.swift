import NIOCore

/// Checks an upload as it streams past, before anything is committed: it is UTF-8 text (gzip-compressed
/// or not) in its format (a CSV or TSV header row with the feed type's columns; a JSON array or NDJSON
/// object at the start), and a gzip body does not inflate to more than `maxDecodedBytes` (413 as soon as
/// it does, without inflating the rest). JSON records are checked one by one by the ETL.
struct FeedContentInspector {
    private static let headerLimit = 4 << 20
    private struct HeaderFound: Error {}

    let feedType: FeedType
    let format: FeedFormat
    let maxDecodedBytes: Int64
    private(set) var isGzip = false
    private var sniffed: [UInt8] = []
    private var decided = false
    private var inflater: GzipInflater?
    private var utf8 = UTF8StreamValidator()
    private var csv: CSVParser
    /// JSON formats: whether the first character that is not white space (or a BOM) was seen.
    private var jsonStartSeen = false
    private(set) var header: [String]?
    private var headerProblem: CatalogError?
    private(set) var decodedBytes: Int64 = 0

    /// false for a source with a mapping: its header names the vendor's fields, which the mapping reads.
    let checksColumns: Bool

    init(feedType: FeedType, format: FeedFormat = .csv, maxDecodedBytes: Int64 = .max, checksColumns: Bool = true) {
        self.checksColumns = checksColumns
        self.feedType = feedType
        self.format = format
        self.maxDecodedBytes = maxDecodedBytes
        csv = CSVParser(maxRecordBytes: Self.headerLimit, separator: format == .tsv ? CSVParser.tab : CSVParser.comma)
    }

    /// Whether the next chunk costs more than a pass over its bytes: it is (or may start) gzip data,
    /// which inflates to up to about a thousand times its size.
    func inflates(_ chunk: ByteBuffer) -> Bool {
        decided ? isGzip : chunk.getInteger(at: chunk.readerIndex, as: UInt8.self) == 0x1F || sniffed.first == 0x1F
    }

    mutating func consume(_ chunk: ByteBuffer) throws {
        try chunk.withUnsafeReadableBytes { try consume($0) }
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        guard !decided else { return try route(bytes) }
        // Two bytes decide between gzip (1f 8b) and plain text.
        sniffed.append(contentsOf: bytes)
        guard sniffed.count >= 2 else { return }
        try decide()
    }

    private mutating func decide() throws {
        decided = true
        isGzip = sniffed.count >= 2 && sniffed[0] == 0x1F && sniffed[1] == 0x8B
        if isGzip { inflater = GzipInflater() }
        let pending = sniffed
        sniffed = []
        try pending.withUnsafeBytes { try route($0) }
    }

    private mutating func route(_ bytes: UnsafeRawBufferPointer) throws {
        guard let inflater else { return try inspectDecoded(bytes) }
        do {
            try inflater.inflate(bytes) { try inspectDecoded($0) }
        } catch is GzipInflater.Failure {
            throw CatalogError.invalidFeed("The body looks gzip-compressed but is not valid gzip data.")
        }
    }

    private mutating func inspectDecoded(_ bytes: UnsafeRawBufferPointer) throws {
        decodedBytes += Int64(bytes.count)
        if decodedBytes > maxDecodedBytes {
            throw CatalogError(
                .payloadTooLarge, "The upload inflates to more than the maximum of \(maxDecodedBytes) bytes.",
                details: ["max_bytes": .int(maxDecodedBytes), "decompressed": .bool(true)])
        }
        guard utf8.validate(bytes) else { throw notUTF8() }
        if format.isJSON { return try inspectJSONStart(bytes) }
        guard header == nil else { return }
        try parseHeader { parser, onRecord in try parser.consume(bytes, onRecord) }
    }

    /// A JSON feed starts with `[` (an array of objects), an NDJSON feed with `{` (its first object).
    private mutating func inspectJSONStart(_ bytes: UnsafeRawBufferPointer) throws {
        guard !jsonStartSeen else { return }
        var rest = bytes[...]
        if decodedBytes == Int64(bytes.count), rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        guard let first = rest.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else { return }
        jsonStartSeen = true
        let expected: UInt8 = format == .json ? UInt8(ascii: "[") : UInt8(ascii: "{")
        guard first == expected else {
            throw CatalogError.invalidFeed(format == .json
                ? "A JSON feed must be an array of objects: the body does not start with '['."
                : "An NDJSON feed holds one JSON object per line: the body does not start with '{'.")
        }
    }

    /// Runs the CSV parser until the first non-blank record, which becomes the header.
    private mutating func parseHeader(
        _ drive: (inout CSVParser, (borrowing CSVRecord) throws -> Void) throws -> Void
    ) throws {
        var parser = CSVParser()
        swap(&parser, &csv)
        defer { swap(&parser, &csv) }
        var candidate: (names: [String], problem: CatalogError?)?
        let type = feedType
        let checksColumns = self.checksColumns
        do {
            try drive(&parser) { record in
                guard !record.isBlank else { return }
                candidate = Self.headerCandidate(record, type, checksColumns: checksColumns)
                throw HeaderFound()
            }
        } catch is HeaderFound {}
        if let candidate {
            header = candidate.names
            headerProblem = candidate.problem
            if let problem = candidate.problem { throw problem }
        }
    }

    private static func headerCandidate(_ record: borrowing CSVRecord, _ type: FeedType, checksColumns: Bool) -> ([String], CatalogError?) {
        if let malformation = record.malformation {
            return ([], CatalogError.invalidFeed(
                "The header row (line \(record.line)) is not valid CSV: \(malformation.message)",
                details: ["line": .int(Int64(record.line)), "code": .string(malformation.code)]))
        }
        let names = record.strings().map { $0 ?? "" }
        if names.contains(where: { $0.utf8.contains(0) }) {
            return (names, CatalogError.invalidFeed("The header row contains NUL bytes; the body does not look like CSV text."))
        }
        guard checksColumns else { return (names, nil) }
        do {
            try FeedColumns.check(header: names, for: type)
            return (names, nil)
        } catch let error as CatalogError {
            return (names, error)
        } catch {
            return (names, CatalogError(.internal, "Unexpected header check failure."))
        }
    }

    /// Ends the body; throws `INVALID_FEED` when it was empty, truncated or had no usable header.
    mutating func finish() throws -> [String] {
        if !decided {
            if sniffed.isEmpty { throw CatalogError.invalidFeed("The upload is empty: a CSV feed needs at least a header row.") }
            try decide()
        }
        if let inflater {
            do { try inflater.finish() } catch {
                throw CatalogError.invalidFeed("The gzip data ends prematurely; the file looks truncated.")
            }
        }
        guard utf8.finish() else { throw notUTF8() }
        if format.isJSON {
            guard jsonStartSeen else {
                throw CatalogError.invalidFeed("The upload has no records: a \(format == .json ? "JSON" : "NDJSON") feed needs at least one object.")
            }
            return []
        }
        if header == nil {
            try parseHeader { parser, onRecord in try parser.finish(onRecord) }
        }
        if let headerProblem { throw headerProblem }
        guard let header else {
            throw CatalogError.invalidFeed("The upload has no header row: a CSV feed needs at least a header row.")
        }
        return header
    }

    private func notUTF8() -> CatalogError {
        CatalogError.invalidFeed(
            "The body is not UTF-8 text (invalid byte at offset \(utf8.invalidByteOffset ?? decodedBytes)); feeds must be UTF-8 text.",
            details: ["byte_offset": .int(utf8.invalidByteOffset ?? decodedBytes)])
    }
}
