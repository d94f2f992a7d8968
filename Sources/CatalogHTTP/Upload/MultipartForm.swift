import CatalogCore
import Foundation
import Hummingbird
import NIOCore

/// Streams a `multipart/form-data` body: small fields are kept, the `file` part is spooled to disk
/// (its fields may come after it, as curl sends them in command-line order).
struct MultipartForm {
    static let maxFieldBytes = 64 * 1024
    /// §Errors: a multipart body has at most 16 parts; the parser stops at the 17th, so a body of a
    /// million tiny fields costs no more than 17 of them.
    static let maxParts = 16
    static let spoolWriteSize = 256 * 1024

    var fields: [String: String] = [:]
    var fileName: String?
    /// The file part's own `Content-Type`, which may name its format.
    var fileContentType: String?
    var file: SpoolFile?

    static func read(_ body: RequestBody, boundary: String, spoolDirectory: String, maxFileBytes: Int64) async throws -> MultipartForm {
        var parser = MultipartStreamParser(boundary: boundary)
        var form = MultipartForm()
        var part: PartState?
        var events: [MultipartStreamParser.Event] = []
        var parts = 0
        for try await chunk in body {
            try parser.feed(chunk) { event in
                if case .partBegin = event {
                    parts += 1
                    guard parts <= maxParts else {
                        throw CatalogError(
                            .validationError, "The multipart body has more than \(maxParts) parts.",
                            details: ["parameter": .string("body"), "max_parts": .int(Int64(maxParts))])
                    }
                }
                events.append(event)
            }
            for event in events {
                switch event {
                case .partBegin(let headers):
                    part = try PartState(headers: headers)
                    if part?.name == "file" {
                        guard form.file == nil else { throw CatalogError.validation("Send exactly one 'file' part.", parameter: "file") }
                        part?.spool = try await SpoolFile(directory: spoolDirectory)
                    }
                case .body(let bytes):
                    try await part?.take(bytes, maxFileBytes: maxFileBytes)
                case .partEnd:
                    if var finished = part {
                        try await finished.flush()
                        try form.complete(finished)
                    }
                    part = nil
                }
            }
            events.removeAll(keepingCapacity: true)
            try await part?.flush()
        }
        try parser.finish()
        return form
    }

    private mutating func complete(_ part: PartState) throws {
        if let spool = part.spool {
            file = spool
            fileName = part.fileName
            fileContentType = part.contentType
            return
        }
        guard fields[part.name] == nil else {
            throw CatalogError.validation("Form field '\(part.name)' is given twice.", parameter: part.name)
        }
        guard let value = String(validating: part.value, as: UTF8.self) else {
            throw CatalogError.validation("Form field '\(part.name)' is not UTF-8 text.", parameter: part.name)
        }
        fields[part.name] = value
    }

    private struct PartState {
        let name: String
        let fileName: String?
        let contentType: String?
        var value: [UInt8] = []
        var spool: SpoolFile?
        /// File bytes not yet written, batched into larger writes.
        var pending = ByteBuffer()
        var fileBytes: Int64 = 0

        init(headers: [String: String]) throws {
            let disposition = headers["content-disposition"] ?? ""
            guard disposition.lowercased().hasPrefix("form-data"), let name = Self.parameter("name", in: disposition) else {
                throw MultipartStreamParser.malformed("a part without Content-Disposition: form-data; name=…")
            }
            self.name = name
            self.fileName = Self.parameter("filename", in: disposition)
            self.contentType = headers["content-type"]
        }

        mutating func take(_ bytes: ByteBuffer, maxFileBytes: Int64) async throws {
            guard spool != nil else {
                value.append(contentsOf: bytes.readableBytesView)
                guard value.count <= MultipartForm.maxFieldBytes else {
                    throw CatalogError.validation("Form field '\(name)' is too long.", parameter: name)
                }
                return
            }
            fileBytes += Int64(bytes.readableBytes)
            guard fileBytes <= maxFileBytes else {
                throw CatalogError(.payloadTooLarge, "The upload exceeds the maximum of \(maxFileBytes) bytes.",
                                   details: ["max_bytes": .int(maxFileBytes)])
            }
            pending.writeImmutableBuffer(bytes)
            if pending.readableBytes >= MultipartForm.spoolWriteSize { try await flush() }
        }

        mutating func flush() async throws {
            guard let spool, pending.readableBytes > 0 else { return }
            try await spool.write(pending)
            pending.clear()
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
}
