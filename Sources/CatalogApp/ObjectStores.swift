import CatalogCore
import CatalogFileStore
import CatalogS3

/// The object store that the configuration names: a folder of the data directory, or an S3 bucket.
enum ObjectStores {
    static func make(_ settings: CatalogConfiguration) throws -> any ObjectStore {
        if let location = settings.objectStore {
            return try makeS3(location: location, settings.s3, spoolDirectory: settings.spoolDirectory)
        }
        do {
            return try FileObjectStore(root: settings.objectsDirectory)
        } catch let error as ObjectStoreError {
            throw CatalogError.storageUnavailable("Cannot use \(settings.objectsDirectory): \(error)")
        }
    }

    /// Uploads are spooled in `spoolDirectory` until they are sent (see `S3ObjectWriter`).
    static func makeS3(location: String, _ s3: S3Settings, spoolDirectory: String) throws -> S3ObjectStore {
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
        var configuration = S3Configuration(
            endpoint: s3.endpoint, region: s3.region, bucket: bucket, accessKeyID: accessKeyID, secretAccessKey: secretAccessKey)
        configuration.spoolDirectory = spoolDirectory
        if let threshold = s3.multipartThreshold {
            guard (0...S3Configuration.maxSinglePutBytes).contains(threshold) else {
                throw CatalogError.validation(
                    "CATALOG_S3_MULTIPART_THRESHOLD must be from 0 to \(S3Configuration.maxSinglePutBytes) bytes (5 GiB, S3's limit for one PUT).",
                    parameter: "CATALOG_S3_MULTIPART_THRESHOLD", value: String(threshold))
            }
            configuration.multipartThreshold = threshold
        }
        do {
            return try S3ObjectStore(configuration: configuration)
        } catch ObjectStoreError.unavailable(let reason) {
            throw CatalogError.validation("Cannot use \(location): \(reason).", parameter: "CATALOG_S3_ENDPOINT")
        }
    }

    /// At start: fail with one clear line when the object store does not answer (unreachable, credentials rejected, no bucket).
    static func check(_ objects: any ObjectStore) async throws {
        do {
            try await objects.ping()
        } catch ObjectStoreError.unavailable(let reason) {
            throw CatalogError.storageUnavailable("The object store is not usable: \(reason).")
        }
    }
}

