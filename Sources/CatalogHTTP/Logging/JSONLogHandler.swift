import CatalogCore
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler that writes one JSON object per line:
/// `{"time":"2026-11-21T15:04:05.123Z","level":"info","logger":"partner-catalog","message":"request","duration_ms":3.2,…}`.
///
/// `time` is UTC with milliseconds; metadata (the logger's, its provider's, then the call's own, later
/// ones winning) follows as top-level fields in key order. Integer, floating-point and Boolean values
/// given with `.stringConvertible` are written as JSON numbers and Booleans, everything else as strings;
/// nested dictionaries and arrays as JSON objects and arrays. A metadata key that would shadow one of
/// the four fixed fields is written with a `metadata.` prefix instead.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: JSONLogOutput

    public init(
        label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        output: JSONLogOutput = .standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output.write(Self.line(
            time: Date(), level: event.level, label: label, message: event.message.description,
            metadata: merged(event.metadata), error: event.error))
    }

    private func merged(_ explicit: Logger.Metadata?) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { all.merge(provided) { $1 } }
        if let explicit, !explicit.isEmpty { all.merge(explicit) { $1 } }
        return all
    }

    static let fixedFields: Set<String> = ["time", "level", "logger", "message"]

    /// One line of output, newline included.
    static func line(
        time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, error: (any Error)? = nil
    ) -> [UInt8] {
        var json = JSONLineWriter()
        json.bytes.reserveCapacity(256)
        json.open()
        json.field("time") { $0.string(UTCMicroseconds.iso8601(time)) }
        json.field("level") { $0.string(level.rawValue) }
        json.field("logger") { $0.string(label) }
        json.field("message") { $0.string(message) }
        var metadata = metadata
        if let error, metadata["error"] == nil { metadata["error"] = .string(String(describing: error)) }
        for key in metadata.keys.sorted() {
            json.field(fixedFields.contains(key) ? "metadata." + key : key) { $0.value(metadata[key]!) }
        }
        json.close()
        json.bytes.append(0x0A)
        return json.bytes
    }
}

/// Where `JSONLogHandler` lines go. Each line is handed over whole, under a lock, and `standardError`
/// writes it with a single write(2), so lines from different threads never interleave (nor, up to
/// PIPE_BUF = 4096 bytes, lines from different processes sharing a pipe or an `O_APPEND` file).
public struct JSONLogOutput: Sendable {
    private let sink: @Sendable ([UInt8]) -> Void

    public init(_ sink: @escaping @Sendable ([UInt8]) -> Void) {
        self.sink = sink
    }

    func write(_ line: [UInt8]) { sink(line) }

    public static let standardError = JSONLogOutput.fileDescriptor(2)

    /// Writes each line with write(2) on `descriptor`, retrying on EINTR and after short writes.
    public static func fileDescriptor(_ descriptor: Int32) -> JSONLogOutput {
        let lock = Mutex(())
        return JSONLogOutput { line in
            lock.withLock { _ in
                line.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                        if written > 0 {
                            offset += written
                        } else if written < 0 && errno == EINTR {
                            continue
                        } else {
                            return  // EAGAIN, EPIPE, a closed descriptor: a log line is not worth blocking or crashing for.
                        }
                    }
                }
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}

/// Appends JSON text to a byte array: strings escaped per RFC 8259 (plus U+2028/U+2029, for
/// JavaScript readers), numbers only when they are finite.
struct JSONLineWriter {
    var bytes: [UInt8] = []
    private var needsComma = false

    mutating func open() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func close() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func field(_ key: String, _ value: (inout JSONLineWriter) -> Void) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        string(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
        value(&self)
        needsComma = true
    }

    mutating func value(_ value: Logger.Metadata.Value) {
        switch value {
        case .string(let text):
            string(text)
        case .stringConvertible(let convertible):
            scalar(convertible)
        case .dictionary(let dictionary):
            open()
            for key in dictionary.keys.sorted() { field(key) { $0.value(dictionary[key]!) } }
            close()
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                self.value(element)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    private mutating func scalar(_ value: any CustomStringConvertible & Sendable) {
        switch value {
        case let flag as Bool:
            bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case let integer as any BinaryInteger:
            bytes.append(contentsOf: integer.description.utf8)
        case let number as Double where number.isFinite:
            bytes.append(contentsOf: number.description.utf8)
        case let number as Float where number.isFinite:
            bytes.append(contentsOf: number.description.utf8)
        default:
            string(value.description)
        }
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": bytes.append(contentsOf: [0x5C, 0x22])
            case "\\": bytes.append(contentsOf: [0x5C, 0x5C])
            case "\n": bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case "\r": bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case "\t": bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case "\u{08}": bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case "\u{0C}": bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                bytes.append(contentsOf: Array("\\u".utf8))
                let hex = Array("0123456789abcdef".utf8)
                let value = Int(scalar.value)
                for shift in [12, 8, 4, 0] { bytes.append(hex[(value >> shift) & 0xF]) }
            default:
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
