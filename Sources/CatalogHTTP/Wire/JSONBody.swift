import CatalogCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON request bodies, with decoding failures reported as 400s that name the field.
enum JSONBody {
    /// §Errors: JSON request bodies are at most 1 MiB.
    static let maxBytes = 1 << 20

    static let tooLarge = CatalogError(
        .payloadTooLarge, "The JSON body is larger than the maximum of \(maxBytes) bytes (1 MiB).",
        details: ["max_bytes": .int(Int64(maxBytes))])

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: CatalogRequestContext) async throws -> T {
        if let contentType = request.headers[.contentType], let media = MediaType(from: contentType),
           !(media.type == .application && (media.subType == "json" || media.subType.hasSuffix("+json")))
        {
            throw CatalogError(.unsupportedMediaType, "Send a JSON body (Content-Type: application/json).")
        }
        // A declared length over the limit is refused before a byte of the body is read.
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes { throw tooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw CatalogError.validation("Field '\(key.stringValue)' is required.", parameter: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw CatalogError.validation("Field '\(field)' has the wrong type.", parameter: field.isEmpty ? "body" : field)
        } catch {
            throw CatalogError.validation("The request body is not valid JSON.", parameter: "body")
        }
    }
}
