import CatalogCore
import CatalogFileStore
import CatalogS3
import CatalogSQLite
import Foundation

/// The composition root: picks the adapters that the configuration names.
enum Composition {
    static func makeStore(_ settings: StoreSettings) throws -> SQLiteCatalogStore {
        if let url = settings.databaseURL {
            throw CatalogError.validation(
                "CATALOG_DATABASE_URL is set (\(redacted(url))), but this build serves the embedded SQLite store only; unset it.",
                parameter: "CATALOG_DATABASE_URL")
        }
        return try SQLiteCatalogStore(path: settings.databasePath)
    }

    static func makeObjectStore(_ settings: StoreSettings) throws -> any ObjectStore {
        if let location = settings.objectStore {
            return try makeS3Store(location: location, settings.s3)
        }
        do {
            return try FileObjectStore(root: settings.objectsDirectory)
        } catch let error as ObjectStoreError {
            throw CatalogError.storageUnavailable("Cannot use \(settings.objectsDirectory): \(error)")
        }
    }

    static func makeCatalog(_ settings: StoreSettings) throws -> Catalog {
        Catalog(store: try makeStore(settings), objects: try makeObjectStore(settings), maxUploadBytes: settings.maxUploadBytes)
    }

    static func makeS3Store(location: String, _ s3: S3Settings) throws -> S3ObjectStore {
        var bucket = location.hasPrefix("s3://") ? String(location.dropFirst(5)) : ""
        if bucket.hasSuffix("/") { bucket.removeLast() }
        guard S3Configuration.isValidBucketName(bucket) else {
            throw CatalogError.validation(
                "CATALOG_OBJECT_STORE must be s3://BUCKET with an S3 bucket name (got '\(location)'); unset it to keep raw files in the data folder.",
                parameter: "CATALOG_OBJECT_STORE", value: location)
        }
        guard let accessKeyID = s3.accessKeyID, let secretAccessKey = s3.secretAccessKey else {
            throw CatalogError.validation(
                "CATALOG_OBJECT_STORE=\(location) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment.",
                parameter: s3.accessKeyID == nil ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")
        }
        do {
            return try S3ObjectStore(configuration: S3Configuration(
                endpoint: s3.endpoint, region: s3.region, bucket: bucket, accessKeyID: accessKeyID, secretAccessKey: secretAccessKey))
        } catch ObjectStoreError.unavailable(let reason) {
            throw CatalogError.validation("Cannot use \(location): \(reason).", parameter: "CATALOG_S3_ENDPOINT")
        }
    }

    /// At start: fail with one clear line when the object store does not answer (unreachable, credentials rejected, no bucket).
    static func checkObjectStore(_ objects: any ObjectStore) async throws {
        do {
            try await objects.ping()
        } catch ObjectStoreError.unavailable(let reason) {
            throw CatalogError.storageUnavailable("The object store is not usable: \(reason).")
        }
    }

    private static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "an unparsable URL" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "a URL"
    }
}
