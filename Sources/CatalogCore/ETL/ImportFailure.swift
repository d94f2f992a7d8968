/// Why an import attempt stopped: transient failures are retried, permanent ones fail the job at once.
public struct ImportFailure: Error, Sendable, Equatable {
    public var failure: JobFailure
    public var isTransient: Bool

    public static func permanent(_ code: String, _ message: String) -> ImportFailure {
        ImportFailure(failure: JobFailure(code: code, message: message), isTransient: false)
    }

    public static func transient(_ code: String, _ message: String) -> ImportFailure {
        ImportFailure(failure: JobFailure(code: code, message: message), isTransient: true)
    }

    /// Classifies whatever an adapter threw.
    public static func from(_ error: any Error) -> ImportFailure {
        switch error {
        case let error as ImportFailure:
            return error
        case ObjectStoreError.notFound(let key):
            return .permanent("RAW_OBJECT_MISSING", "The raw file \(key) is missing from the object store.")
        case let error as ObjectStoreError where error.catalogError.code == .storageUnavailable:
            return .transient("STORAGE_UNAVAILABLE", error.catalogError.message)
        case let error as CatalogError where error.code == .storageUnavailable:
            return .transient("STORAGE_UNAVAILABLE", error.message)
        case let error as CatalogError:
            return .permanent(error.code.rawValue, error.message)
        default:
            return .transient("INTERNAL", "The import failed unexpectedly.")
        }
    }
}
