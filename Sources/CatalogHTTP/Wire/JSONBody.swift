import CatalogCore
import Foundation
import HTTPTypes
import Hummingbird

/// JSON request bodies, with decoding failures reported as 400s that name the field.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: CatalogRequestContext) async throws -> T {
        if let contentType = request.headers[.contentType], let media = MediaType(from: contentType),
           !(media.type == .application && (media.subType == "json" || media.subType.hasSuffix("+json")))
        {
            throw CatalogError(.unsupportedMediaType, "Send a JSON body (Content-Type: application/json).")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
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
