/// Streaming RFC 4180 parser. Feed chunks with `consume`, then call `finish`.
/// If `onRecord` throws, the parser must not be used again.
public struct CSVParser: Sendable {
    public typealias RecordHandler = (borrowing CSVRecord) throws -> Void

    enum State: UInt8 { case fieldStart, unquoted, quoted, quoteInQuoted, afterCR, skipLine }

    public static let comma: UInt8 = 0x2C, tab: UInt8 = 0x09, quote: UInt8 = 0x22, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

    public let maxRecordBytes: Int
    public let maxFields: Int
    /// `,` for CSV, a tab for TSV (quoting works the same in both).
    public let separator: UInt8
    /// Bytes above this are never special in an unquoted field: the scan's fast path.
    let plainAbove: UInt8
    public private(set) var bytesConsumed: Int64 = 0
    var record = CSVRecord(line: 1)
    var state = State.fieldStart
    var position: Int64 = 0
    var recordStart: Int64 = 0
    var line = 1
    var discarding = false
    var previousByteWasCR = false
    var bomMatched = 0
    var bomDecided = false

    public init(maxRecordBytes: Int = 64 << 20, maxFields: Int = 100_000, separator: UInt8 = CSVParser.comma) {
        precondition(maxRecordBytes >= 0 && maxFields >= 1)
        precondition(separator != Self.quote && separator != Self.cr && separator != Self.lf, "not a field separator")
        self.maxRecordBytes = maxRecordBytes
        self.maxFields = maxFields
        self.separator = separator
        self.plainAbove = max(separator, Self.quote, Self.cr, Self.lf)
    }

    /// Feeds the next chunk; calls `onRecord` for every record completed within it.
    /// The record passed is only valid during the call (it is reused).
    public mutating func consume(_ chunk: UnsafeRawBufferPointer, _ onRecord: RecordHandler) rethrows {
        bytesConsumed += Int64(chunk.count)
        try chunk.withMemoryRebound(to: UInt8.self) { buffer in
            var rest = buffer[...]
            if !bomDecided {
                try matchBOM(&rest, onRecord)
            }
            try process(UnsafeBufferPointer(rebasing: rest), onRecord)
        }
    }

    /// Ends the stream; emits the last record if any (with `.unterminatedQuote` if EOF fell inside quotes).
    public mutating func finish(_ onRecord: RecordHandler) rethrows {
        if !bomDecided {
            try replayBOMPrefix(onRecord)
        }
        switch state {
        case .fieldStart:
            guard position > recordStart else { return }
            endField(at: position)
        case .unquoted, .quoteInQuoted:
            endField(at: position)
        case .quoted:
            flag(.unterminatedQuote)
            endField(at: position)
        case .afterCR, .skipLine:
            break
        }
        try emit(end: position, onRecord)
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func matchBOM(_ rest: inout Slice<UnsafeBufferPointer<UInt8>>, _ onRecord: RecordHandler) rethrows {
        while let byte = rest.first {
            guard byte == Self.bom[bomMatched] else {
                try replayBOMPrefix(onRecord)
                return
            }
            rest.removeFirst()
            bomMatched += 1
            if bomMatched == 3 {
                bomDecided = true
                position = 3
                recordStart = 3
                return
            }
        }
    }

    /// Bytes that looked like the start of a BOM but were not one are ordinary data.
    private mutating func replayBOMPrefix(_ onRecord: RecordHandler) rethrows {
        bomDecided = true
        try Self.bom.withUnsafeBufferPointer {
            try process(UnsafeBufferPointer(rebasing: $0[..<bomMatched]), onRecord)
        }
    }
}

extension CSVParser {
    mutating func process(_ buffer: UnsafeBufferPointer<UInt8>, _ onRecord: RecordHandler) rethrows {
        guard let p = buffer.baseAddress, buffer.count > 0 else { return }
        let n = buffer.count
        let base = position
        let separator = self.separator, plainAbove = self.plainAbove
        var i = 0
        while i < n {
            switch state {
            case .fieldStart:
                let b = p[i]
                if b == Self.quote {
                    if record.fieldEnds.isEmpty { record.firstFieldQuoted = true }
                    state = .quoted
                    i += 1
                } else if b == separator || b == Self.cr || b == Self.lf {
                    try delimiter(b, at: base + Int64(i), onRecord)
                    i += 1
                } else {
                    state = .unquoted
                }

            case .unquoted:
                let start = i
                while i < n {
                    let b = p[i]
                    if b > plainAbove { i += 1; continue }
                    if b == separator || b == Self.quote || b == Self.cr || b == Self.lf { break }
                    i += 1
                }
                store(p + start, i - start, end: base + Int64(i))
                guard i < n, state == .unquoted else { continue }
                let b = p[i]
                i += 1
                if b == Self.quote {
                    flag(.strayQuote)
                    state = .skipLine
                } else {
                    try delimiter(b, at: base + Int64(i - 1), onRecord)
                }

            case .quoted:
                let start = i
                while i < n {
                    let b = p[i]
                    if b > Self.quote { i += 1; continue }
                    if b == Self.quote { break }
                    if b == Self.cr || (b == Self.lf && !(i > 0 ? p[i - 1] == Self.cr : previousByteWasCR)) {
                        line += 1
                    }
                    i += 1
                }
                store(p + start, i - start, end: base + Int64(i))
                if i < n {
                    state = .quoteInQuoted
                    i += 1
                }

            case .quoteInQuoted:
                let b = p[i]
                if b == Self.quote {
                    state = .quoted
                    store(p + i, 1, end: base + Int64(i + 1))
                    i += 1
                } else if b == separator || b == Self.cr || b == Self.lf {
                    try delimiter(b, at: base + Int64(i), onRecord)
                    i += 1
                } else {
                    flag(.textAfterClosingQuote)
                    state = .skipLine
                }

            case .afterCR:
                if p[i] == Self.lf { i += 1 }
                try emit(end: base + Int64(i), onRecord)

            case .skipLine:
                while i < n, p[i] != Self.lf, p[i] != Self.cr { i += 1 }
                guard i < n else { continue }
                let b = p[i]
                i += 1
                line += 1
                if b == Self.lf {
                    try emit(end: base + Int64(i), onRecord)
                } else {
                    state = .afterCR
                }
            }
        }
        position = base + Int64(n)
        previousByteWasCR = p[n - 1] == Self.cr
    }

    /// Handles `,`, CR or LF found outside quotes at stream offset `offset`.
    private mutating func delimiter(_ b: UInt8, at offset: Int64, _ onRecord: RecordHandler) rethrows {
        state = .fieldStart
        endField(at: offset)
        guard b != separator else { return }
        line += 1
        if b == Self.lf {
            try emit(end: offset + 1, onRecord)
        } else {
            state = .afterCR
        }
    }

    private mutating func store(_ source: UnsafePointer<UInt8>, _ count: Int, end: Int64) {
        guard count > 0, !discarding else { return }
        if end - recordStart > Int64(maxRecordBytes) {
            exceedLimit(.recordTooLarge)
            return
        }
        record.bytes.append(contentsOf: UnsafeBufferPointer(start: source, count: count))
    }

    mutating func endField(at offset: Int64) {
        guard !discarding else { return }
        if offset - recordStart > Int64(maxRecordBytes) {
            exceedLimit(.recordTooLarge)
        } else if record.fieldEnds.count >= maxFields {
            exceedLimit(.tooManyFields)
        } else {
            record.fieldEnds.append(record.bytes.count)
        }
    }

    /// Stops buffering. Outside quotes the rest of the line is skipped; inside quotes scanning
    /// stays quote-aware so an embedded newline does not end the record early.
    private mutating func exceedLimit(_ malformation: CSVMalformation) {
        flag(malformation)
        discarding = true
        if state != .quoted && state != .quoteInQuoted {
            state = .skipLine
        }
    }

    mutating func flag(_ malformation: CSVMalformation) {
        if record.malformation == nil { record.malformation = malformation }
    }

    mutating func emit(end: Int64, _ onRecord: RecordHandler) rethrows {
        record.byteOffset = recordStart
        record.byteCount = Int(end - recordStart)
        try onRecord(record)
        recordStart = end
        state = .fieldStart
        discarding = false
        record.line = line
        record.malformation = nil
        record.firstFieldQuoted = false
        if record.bytes.capacity > 1 << 20 {
            record.bytes = []
        } else {
            record.bytes.removeAll(keepingCapacity: true)
        }
        if record.fieldEnds.capacity > 1 << 12 {
            record.fieldEnds = []
        } else {
            record.fieldEnds.removeAll(keepingCapacity: true)
        }
    }
}
