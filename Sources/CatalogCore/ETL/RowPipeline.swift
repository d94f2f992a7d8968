/// A feed's records collected into batches between async flushes, each run of records with the reader
/// of its header: CSV and TSV have one header row; in JSON and NDJSON feeds each record names its own
/// fields, so records with the same names share a reader (and the fingerprint seed it holds).
struct RowPipeline<Reader> {
    struct Run {
        let reader: Reader
        var records: [CSVRecord]
    }

    private enum Decoder {
        case delimited(CSVParser)
        case json(JSONRecordSplitter)
    }

    private var decoder: Decoder
    private let makeReader: ([String]) -> Reader
    private let feedType: FeedType
    private let batchSize: Int
    /// CSV and TSV: the header row's reader, once it has been read.
    private var headerReader: Reader?
    /// JSON: a reader per set of field names (bounded: a feed whose every record differs rebuilds them).
    private var readers: [[String]: Reader] = [:]
    private var runs: [Run] = []
    private var lastHeader: [String]?
    /// Records that could not be read at all (not JSON, not an object), skipped with their diagnostic.
    private var problems: [RowDiagnostic] = []
    private var pending = 0
    private var jsonRecords = 0
    /// A source's mapping: each record is read through it (`SourceMapping`), CSV rows as objects of their columns.
    private let mapping: SourceMapping?
    /// CSV and TSV under a mapping: the vendor's header row.
    private var vendorHeader: [String]?

    init(format: FeedFormat, feedType: FeedType, batchSize: Int, mapping: SourceMapping? = nil, makeReader: @escaping ([String]) -> Reader) {
        self.mapping = mapping
        switch format {
        case .csv: decoder = .delimited(CSVParser())
        case .tsv: decoder = .delimited(CSVParser(separator: CSVParser.tab))
        case .json: decoder = .json(JSONRecordSplitter(.array))
        case .ndjson: decoder = .json(JSONRecordSplitter(.lines))
        }
        self.feedType = feedType
        self.batchSize = batchSize
        self.makeReader = makeReader
    }

    var hasBatch: Bool { pending >= batchSize }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        switch decoder {
        case .delimited(var parser):
            decoder = .delimited(CSVParser())
            defer { decoder = .delimited(parser) }
            try parser.consume(bytes) { record in try takeDelimited(record) }
        case .json(var splitter):
            decoder = .json(JSONRecordSplitter(.lines))
            defer { decoder = .json(splitter) }
            let layout = splitter.layout
            do { try splitter.consume(bytes) { position, bytes in takeJSON(position, bytes, layout) } } catch let failure as JSONRecordSplitter.Failure {
                throw TaskFailure.permanent("INVALID_FEED", failure.message)
            }
        }
    }

    mutating func finish() throws {
        switch decoder {
        case .delimited(var parser):
            decoder = .delimited(CSVParser())
            defer { decoder = .delimited(parser) }
            try parser.finish { record in try takeDelimited(record) }
            if headerReader == nil && vendorHeader == nil {
                throw TaskFailure.permanent("INVALID_FEED", "The raw file has no header row.")
            }
        case .json(var splitter):
            decoder = .json(JSONRecordSplitter(.lines))
            defer { decoder = .json(splitter) }
            let layout = splitter.layout
            do { try splitter.finish { position, bytes in takeJSON(position, bytes, layout) } } catch let failure as JSONRecordSplitter.Failure {
                throw TaskFailure.permanent("INVALID_FEED", failure.message)
            }
            if jsonRecords == 0 && layout == .lines {
                throw TaskFailure.permanent("INVALID_FEED", "The NDJSON feed has no records.")
            }
        }
    }

    private mutating func takeDelimited(_ record: borrowing CSVRecord) throws {
        guard !record.isBlank else { return }
        if let mapping {
            try takeMapped(record, mapping)
            return
        }
        guard let reader = headerReader else {
            guard record.malformation == nil else {
                throw TaskFailure.permanent("INVALID_FEED", "The header row is not valid CSV.")
            }
            let header = record.strings().map { $0 ?? "" }
            do { try FeedColumns.check(header: header, for: feedType) } catch let error as CatalogError {
                throw TaskFailure.permanent("INVALID_FEED", error.message)
            }
            headerReader = makeReader(header)
            return
        }
        append(record.detached(), header: nil, reader: reader)
    }

    /// A CSV or TSV row of a source with a mapping: the vendor's header names the row's fields, which
    /// the mapping reads as it reads a JSON object's members.
    private mutating func takeMapped(_ record: borrowing CSVRecord, _ mapping: SourceMapping) throws {
        guard let header = vendorHeader else {
            guard record.malformation == nil else {
                throw TaskFailure.permanent("INVALID_FEED", "The header row is not valid CSV.")
            }
            let names = record.strings().map { ($0 ?? "").trimmingWhitespace() }
            let missing = mapping.readNames.filter { !names.contains($0) }.sorted()
            guard missing.isEmpty else {
                throw TaskFailure.permanent(
                    "INVALID_FEED", "The header row lacks the columns the source's mapping reads: \(missing.joined(separator: ", ")).")
            }
            vendorHeader = names
            return
        }
        let values = record.strings()
        var members: [JSONFeedMember] = []
        members.reserveCapacity(header.count)
        for (index, name) in header.enumerated() where !name.isEmpty {
            members.append(JSONFeedMember(name: name, value: .string(index < values.count ? values[index] ?? "" : "")))
        }
        let line = record.line
        switch mapping.apply(to: .object(members), line: line, feedType: feedType) {
        case .success(let fields): takeFields(fields, position: line, byteCount: record.byteCount, sample: { values.compactMap { $0 }.joined(separator: ",") })
        case .failure(let diagnostic):
            problems.append(diagnostic)
            pending += 1
        }
    }

    /// A JSON record's fields (through the source's mapping, if any) become a record under its own header.
    private mutating func takeJSON(_ position: Int, _ bytes: [UInt8], _ layout: JSONRecordSplitter.Layout) {
        jsonRecords += 1
        let fields: [(name: String, text: String)]
        let read = if let mapping {
            JSONFeedRecord.object(bytes, position: position, layout: layout).flatMap { mapping.apply(to: $0, line: position, feedType: feedType) }
        } else {
            JSONFeedRecord.fields(bytes, position: position, layout: layout)
        }
        switch read {
        case .success(let found): fields = found
        case .failure(let diagnostic):
            problems.append(diagnostic)
            pending += 1
            return
        }
        takeFields(fields, position: position, byteCount: bytes.count, sample: { String(decoding: bytes.prefix(200), as: UTF8.self) })
    }

    /// Named fields become a record under their own header; the required columns they lack are added
    /// empty, so the row reader names what is missing as it does for CSV rows.
    private mutating func takeFields(_ fields: [(name: String, text: String)], position: Int, byteCount: Int, sample: () -> String) {
        var header = fields.map(\.name)
        var values = fields.map(\.text)
        let present = Set(header.map { FeedColumns.canonical($0, for: feedType) })
        for column in FeedColumns.required(feedType) where !present.contains(column) {
            header.append(column)
            values.append("")
        }
        let reader: Reader
        if let known = readers[header] {
            reader = known
        } else {
            do { try FeedColumns.check(header: header, for: feedType) } catch let error as CatalogError {
                problems.append(RowDiagnostic(
                    line: position, sku: nil, column: nil, code: "invalid_record", message: error.message, value: String(sample().prefix(200))))
                pending += 1
                return
            } catch {
                return
            }
            if readers.count >= 256 { readers.removeAll(keepingCapacity: true) }
            reader = makeReader(header)
            readers[header] = reader
        }
        append(CSVRecord(fields: values, line: position, byteCount: byteCount), header: header, reader: reader)
    }

    private mutating func append(_ record: CSVRecord, header: [String]?, reader: Reader) {
        pending += 1
        if !runs.isEmpty, header == lastHeader {
            runs[runs.count - 1].records.append(record)
        } else {
            runs.append(Run(reader: reader, records: [record]))
            lastHeader = header
        }
    }

    /// The records read since the last call, in file order, and the records that could not be read.
    mutating func takeBatch() -> (runs: [Run], problems: [RowDiagnostic]) {
        defer {
            runs.removeAll(keepingCapacity: true)
            problems.removeAll()
            pending = 0
            lastHeader = nil
        }
        return (runs, problems)
    }
}

extension RowPipeline.Run: Sendable where Reader: Sendable {}
