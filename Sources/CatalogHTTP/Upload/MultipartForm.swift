import CatalogCore
import Foundation
import Hummingbird
import MultipartKit

/// Streams a `multipart/form-data` body: small fields are kept, the `file` part is spooled to disk
/// (its fields may come after it, as curl sends them in command-line order).
struct MultipartForm {
    static let maxFieldBytes = 64 * 1024

    var fields: [String: String] = [:]
    var fileName: String?
    var file: SpoolFile?

    private enum Event {
        case header(String, String)
        case body(ByteBuffer)
        case partComplete
    }

    private final class EventBuffer: @unchecked Sendable {
        var events: [Event] = []
    }

    static func read(_ body: RequestBody, boundary: String, spoolDirectory: String, maxFileBytes: Int64) async throws -> MultipartForm {
        let parser = MultipartParser(boundary: boundary)
        let buffer = EventBuffer()
        parser.onHeader = { buffer.events.append(.header($0, $1)) }
        parser.onBody = { buffer.events.append(.body($0)) }
        parser.onPartComplete = { buffer.events.append(.partComplete) }

        var form = MultipartForm()
        var part = PartState()
        var completedAny = false
        for try await chunk in body {
            do { try parser.execute(chunk) } catch { throw malformed() }
            let events = buffer.events
            buffer.events.removeAll(keepingCapacity: true)
            for event in events {
                switch event {
                case .header(let name, let value):
                    part.headers[name.lowercased()] = value
                case .body(let bytes):
                    try await form.take(bytes, into: &part, spoolDirectory: spoolDirectory, maxFileBytes: maxFileBytes)
                case .partComplete:
                    try await part.flush()
                    try await form.complete(&part, spoolDirectory: spoolDirectory)
                    completedAny = true
                    part = PartState()
                }
            }
            try await part.flush()
        }
        guard completedAny else { throw malformed() }
        return form
    }

    private struct PartState {
        var headers: [String: String] = [:]
        var value: [UInt8] = []
        var spool: SpoolFile?
        /// File bytes not yet written: the parser hands over one piece per CR, so pieces are batched.
        var pending = ByteBuffer()
        var fileBytes: Int64 = 0

        mutating func flush() async throws {
            guard let spool, pending.readableBytes > 0 else { return }
            try await spool.write(pending)
            pending.clear()
        }

        private var parsedDisposition: (name: String?, fileName: String?)?

        /// Parsed once: the parser reports body pieces only after a part's headers are complete.
        var disposition: (name: String?, fileName: String?) {
            mutating get {
                if let parsedDisposition { return parsedDisposition }
                let header = headers["content-disposition"] ?? ""
                let parsed = (Self.parameter("name", in: header), Self.parameter("filename", in: header))
                parsedDisposition = parsed
                return parsed
            }
        }

        static func parameter(_ name: String, in header: String) -> String? {
            for piece in header.split(separator: ";").dropFirst() {
                let pair = piece.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
                var value = pair[1].trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                return value
            }
            return nil
        }
    }

    private mutating func take(_ bytes: ByteBuffer, into part: inout PartState, spoolDirectory: String, maxFileBytes: Int64) async throws {
        let (name, _) = part.disposition
        if name == "file" {
            if part.spool == nil {
                guard file == nil else {
                    throw CatalogError.validation("Send exactly one 'file' part.", parameter: "file")
                }
                part.spool = try await SpoolFile(directory: spoolDirectory)
            }
            part.fileBytes += Int64(bytes.readableBytes)
            part.pending.writeImmutableBuffer(bytes)
            if part.pending.readableBytes >= 256 * 1024 { try await part.flush() }
            if part.fileBytes > maxFileBytes {
                throw CatalogError(.payloadTooLarge, "The upload exceeds the maximum of \(maxFileBytes) bytes.",
                                   details: ["max_bytes": .int(maxFileBytes)])
            }
        } else {
            part.value.append(contentsOf: bytes.readableBytesView)
            guard part.value.count <= Self.maxFieldBytes else {
                throw CatalogError.validation("Form field '\(name ?? "")' is too long.", parameter: name ?? "form")
            }
        }
    }

    private mutating func complete(_ part: inout PartState, spoolDirectory: String) async throws {
        let (name, partFileName) = part.disposition
        guard let name else { throw Self.malformed() }
        if name == "file" {
            guard file == nil else { throw CatalogError.validation("Send exactly one 'file' part.", parameter: "file") }
            if let spool = part.spool {
                file = spool
            } else {
                file = try await SpoolFile(directory: spoolDirectory)
            }
            fileName = partFileName
        } else {
            guard fields[name] == nil else {
                throw CatalogError.validation("Form field '\(name)' is given twice.", parameter: name)
            }
            guard let value = String(validating: part.value, as: UTF8.self) else {
                throw CatalogError.validation("Form field '\(name)' is not UTF-8 text.", parameter: name)
            }
            fields[name] = value
        }
    }

    static func malformed() -> CatalogError {
        CatalogError.validation("The multipart/form-data body is malformed.", parameter: "body")
    }
}
