import CatalogCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Turns every failure into the contract's envelope: `{"error": {"code", "message", "details"}}`.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let catalogError = Self.catalogError(for: error, request: request)
            if catalogError.code == .internal {
                context.logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error))])
            }
            return ErrorEnvelope.response(for: catalogError)
        }
    }

    static func catalogError(for error: any Error, request: Request) -> CatalogError {
        switch error {
        case let error as CatalogError:
            return error
        case let error as HTTPError:
            return catalogError(for: error, request: request)
        case is DecodingError:
            return CatalogError(.validationError, "The request body is not valid JSON for this endpoint.")
        case is NIOTooManyBytesError:
            return JSONBody.tooLarge
        default:
            return CatalogError(.internal, "An internal error occurred.")
        }
    }

    private static func catalogError(for error: HTTPError, request: Request) -> CatalogError {
        switch error.status {
        case .notFound:
            return CatalogError(.notFound, "No route for \(request.method.rawValue) \(request.uri.path).")
        case .methodNotAllowed:
            return CatalogError(.notFound, "No route for \(request.method.rawValue) \(request.uri.path).")
        case .contentTooLarge:
            return CatalogError(.payloadTooLarge, error.body ?? "The request body is too large.")
        case .unsupportedMediaType:
            return CatalogError(.unsupportedMediaType, error.body ?? "Unsupported media type.")
        case .badRequest:
            return CatalogError(.validationError, error.body ?? "The request is malformed.")
        case .unauthorized:
            return .unauthenticated
        case .forbidden:
            return .forbidden(error.body ?? "Forbidden.")
        case .conflict:
            return .conflict(error.body ?? "Conflict.")
        case .serviceUnavailable:
            return .storageUnavailable(error.body ?? "Service unavailable.")
        default:
            return CatalogError(.internal, "An internal error occurred.")
        }
    }
}

enum ErrorEnvelope {
    struct Body: Encodable {
        struct Inner: Encodable {
            var code: String
            var message: String
            var details: [String: JSONValue]
        }
        var error: Inner
    }

    static func status(for code: ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .validationError: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict, .idempotencyConflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .invalidFeed: .unprocessableContent
        case .rateLimited: .tooManyRequests
        case .headersTooLarge: .requestHeaderFieldsTooLarge
        case .storageUnavailable, .overloaded: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    static func response(for error: CatalogError) -> Response {
        Response(status: status(for: error.code), headers: headers(for: error), body: .init(byteBuffer: ByteBuffer(bytes: json(for: error))))
    }

    static func json(for error: CatalogError) -> Data {
        let body = Body(error: .init(code: error.code.rawValue, message: error.message, details: error.details))
        return (try? JSONResponse.encoder.encode(body)) ?? Data(#"{"error":{"code":"INTERNAL","message":"","details":{}}}"#.utf8)
    }

    static func headers(for error: CatalogError) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if error.code == .unauthenticated { headers[.wwwAuthenticate] = "ApiKey header=\"X-API-Key\"" }
        if let seconds = error.retryAfterSeconds {
            headers[.retryAfter] = String(seconds)
        } else if error.code == .storageUnavailable || error.code == .overloaded {
            headers[.retryAfter] = "5"
        }
        return headers
    }
}
