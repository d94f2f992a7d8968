/// The error codes of the contract's envelope.
public enum ErrorCode: String, Sendable, Codable {
    case validationError = "VALIDATION_ERROR"
    case unauthenticated = "UNAUTHENTICATED"
    case forbidden = "FORBIDDEN"
    case notFound = "NOT_FOUND"
    case conflict = "CONFLICT"
    case idempotencyConflict = "IDEMPOTENCY_CONFLICT"
    case payloadTooLarge = "PAYLOAD_TOO_LARGE"
    case unsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
    case invalidFeed = "INVALID_FEED"
    case rateLimited = "RATE_LIMITED"
    case headersTooLarge = "HEADERS_TOO_LARGE"
    case storageUnavailable = "STORAGE_UNAVAILABLE"
    case overloaded = "OVERLOADED"
    case `internal` = "INTERNAL"
}

/// Every failure a use case reports to its caller; adapters map it to their protocol.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var details: [String: JSONValue]

    public init(_ code: ErrorCode, _ message: String, details: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func validation(_ message: String, parameter: String, value: String? = nil) -> CatalogError {
        var details: [String: JSONValue] = ["parameter": .string(parameter)]
        if let value { details["value"] = .string(String(value.prefix(200))) }
        return CatalogError(.validationError, message, details: details)
    }

    public static let unauthenticated = CatalogError(.unauthenticated, "A valid API key is required (X-API-Key header).")

    public static func forbidden(_ message: String) -> CatalogError { CatalogError(.forbidden, message) }

    public static func notFound(_ what: String, _ id: String) -> CatalogError {
        CatalogError(.notFound, "\(what) '\(id)' was not found.")
    }

    public static func conflict(_ message: String) -> CatalogError { CatalogError(.conflict, message) }

    public static func invalidFeed(_ message: String, details: [String: JSONValue] = [:]) -> CatalogError {
        CatalogError(.invalidFeed, message, details: details)
    }

    public static func storageUnavailable(_ message: String) -> CatalogError {
        CatalogError(.storageUnavailable, message)
    }

    /// `details.retry_after_seconds` becomes the response's `Retry-After`.
    public static func rateLimited(_ message: String, retryAfterSeconds: Int) -> CatalogError {
        CatalogError(.rateLimited, message, details: ["retry_after_seconds": .int(Int64(max(1, retryAfterSeconds)))])
    }

    /// Seconds the client should wait before trying again, when the error says so.
    public var retryAfterSeconds: Int? {
        if case .int(let seconds)? = details["retry_after_seconds"] { return Int(seconds) }
        return nil
    }
}
