import CatalogCore
import Foundation
import NIOCore

/// A streaming `multipart/form-data` parser (RFC 7578). Body bytes are handed on as slices of the
/// input without per-line work, so CRLF-heavy files cost no more than others.
struct MultipartStreamParser {
    enum Event: Equatable {
        case partBegin(headers: [String: String])
        case body(ByteBuffer)
        case partEnd
    }

    private enum State {
        case preamble, afterBoundary, headers, body, epilogue
    }

    static let maxHeaderBytes = 16 * 1024

    private let delimiter: [UInt8]
    private var pending = ByteBuffer()
    private var state = State.preamble

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    var isComplete: Bool { if case .epilogue = state { true } else { false } }

    /// Parses `chunk`, calling `onEvent` for what it completes; keeps at most a delimiter's worth of bytes back.
    mutating func feed(_ chunk: ByteBuffer, _ onEvent: (Event) throws -> Void) throws {
        if pending.readableBytes == 0 {
            pending = chunk
        } else {
            pending.writeImmutableBuffer(chunk)
        }
        while try step(onEvent) {}
        if pending.readerIndex > 64 * 1024 { pending.discardReadBytes() }
    }

    /// Throws when the body ended before the closing boundary.
    func finish() throws {
        guard isComplete else { throw Self.malformed("the body ends before the closing boundary") }
    }

    /// One transition; false when more input is needed.
    private mutating func step(_ onEvent: (Event) throws -> Void) throws -> Bool {
        switch state {
        case .preamble:
            // The first boundary may open the body directly, without the leading CRLF.
            if pending.readableBytes >= delimiter.count - 2,
               pending.readableBytesView.starts(with: delimiter.dropFirst(2))
            {
                pending.moveReaderIndex(forwardBy: delimiter.count - 2)
                state = .afterBoundary
                return true
            }
            guard let index = find(delimiter) else {
                guard pending.readableBytes < Self.maxHeaderBytes else { throw Self.malformed("no opening boundary") }
                return false
            }
            pending.moveReaderIndex(forwardBy: index + delimiter.count)
            state = .afterBoundary
            return true
        case .afterBoundary:
            guard let marker = pending.getBytes(at: pending.readerIndex, length: 2) else { return false }
            pending.moveReaderIndex(forwardBy: 2)
            switch marker {
            case [0x2D, 0x2D]:
                state = .epilogue
            case [0x0D, 0x0A]:
                state = .headers
            default:
                throw Self.malformed("unexpected bytes after a boundary")
            }
            return true
        case .headers:
            // A part may have no headers at all: then the blank line follows the boundary at once.
            let noHeaders = pending.readableBytesView.starts(with: [0x0D, 0x0A])
            guard let end = noHeaders ? -2 : find([0x0D, 0x0A, 0x0D, 0x0A]) else {
                guard pending.readableBytes < Self.maxHeaderBytes else { throw Self.malformed("part headers are too long") }
                return false
            }
            let block = end < 0 ? "" : String(decoding: pending.readableBytesView.prefix(end), as: UTF8.self)
            pending.moveReaderIndex(forwardBy: end + 4)
            try onEvent(.partBegin(headers: try Self.headers(block)))
            state = .body
            return true
        case .body:
            if let index = find(delimiter) {
                if index > 0 { try onEvent(.body(pending.readSlice(length: index)!)) }
                pending.moveReaderIndex(forwardBy: delimiter.count)
                try onEvent(.partEnd)
                state = .afterBoundary
                return true
            }
            // Everything but a possible partial delimiter at the end is body.
            let safe = pending.readableBytes - (delimiter.count - 1)
            if safe > 0 { try onEvent(.body(pending.readSlice(length: safe)!)) }
            return false
        case .epilogue:
            pending.moveReaderIndex(forwardBy: pending.readableBytes)
            return false
        }
    }

    /// The offset of `needle` in the readable bytes; scans with memchr for its first byte.
    private func find(_ needle: [UInt8]) -> Int? {
        pending.withUnsafeReadableBytes { haystack -> Int? in
            guard let base = haystack.baseAddress, haystack.count >= needle.count else { return nil }
            var offset = 0
            let last = haystack.count - needle.count
            while offset <= last {
                guard let hit = memchr(base + offset, Int32(needle[0]), last - offset + 1) else { return nil }
                let position = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + position, needle, needle.count) == 0 { return position }
                offset = position + 1
            }
            return nil
        }
    }

    private static func headers(_ block: String) throws -> [String: String] {
        var headers: [String: String] = [:]
        for line in block.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw malformed("a part header without a colon") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    static func malformed(_ reason: String) -> CatalogError {
        CatalogError.validation("The multipart/form-data body is malformed: \(reason).", parameter: "body")
    }
}
