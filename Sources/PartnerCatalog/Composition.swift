import CatalogCore
import CatalogFileStore
import CatalogPostgres
import CatalogS3
import CatalogSQLite
import Foundation
import Logging
import ServiceLifecycle

/// The composition root: picks the adapters that the configuration names.
enum Composition {
    /// A catalog and what must run beside it for as long as it is used.
    struct Runtime {
        var catalog: Catalog
        /// Background services the store needs (PostgreSQL's job notifications).
        var services: [any Service]
        /// Where the data lives, for start-up logs.
        let storeDescription: String
        /// The schema migrations in place, oldest first.
        let migrations: [String]

        func adding(_ service: any Service) -> Runtime {
            var runtime = self
            runtime.services.append(service)
            return runtime
        }
    }

    /// `autoRun`: feeds stored through this catalog queue their validation job at once (`CATALOG_AUTO_RUN`).
    static func makeRuntime(
        _ settings: StoreSettings, autoRun: Bool = false, logger: Logger = Logger(label: "partner-catalog")
    ) async throws -> Runtime {
        let objects = try makeObjectStore(settings)
        let events = JobEvents()
        if let url = settings.databaseURL {
            let store = try PostgresCatalogStore(url: url, logger: logger)
            do {
                try await store.migrate()
            } catch let error as CatalogError where error.code == .storageUnavailable {
                store.shutdown()
                throw CatalogError.storageUnavailable("Cannot reach PostgreSQL at \(store.redactedURL): \(error.message)")
            }
            let catalog = Catalog(
                store: store, objects: objects, maxUploadBytes: settings.maxUploadBytes, events: events, autoRun: autoRun,
                targets: ResolvingTargetPolicy(allowPrivateTargets: settings.allowPrivateTargets))
                .sealingSecrets(with: SecretBox(secretKey: settings.secretKey))
            return Runtime(
                catalog: catalog,
                services: [PostgresListenerService(listener: PostgresJobListener(store: store, events: events, logger: logger))],
                storeDescription: store.redactedURL, migrations: try await store.appliedMigrations())
        }
        let store = try SQLiteCatalogStore(path: settings.databasePath)
        let catalog = Catalog(
            store: store, objects: objects, maxUploadBytes: settings.maxUploadBytes, events: events, autoRun: autoRun,
            targets: ResolvingTargetPolicy(allowPrivateTargets: settings.allowPrivateTargets))
            .sealingSecrets(with: SecretBox(secretKey: settings.secretKey))
        return Runtime(catalog: catalog, services: [], storeDescription: settings.databasePath, migrations: try store.appliedMigrations())
    }

    /// A process that fetches sources refuses to start when some have credentials it could not open.
    static func checkSecretKey(_ catalog: Catalog) async throws {
        guard catalog.secretBox == nil else { return }
        let count = try await catalog.store.countSourcesWithCredentials()
        guard count == 0 else {
            throw CatalogError.validation(
                "CATALOG_SECRET_KEY is not set, and \(count) source(s) have credentials sealed with it. Set it to the key they were saved with.",
                parameter: "CATALOG_SECRET_KEY")
        }
    }

    static func makeCatalog(_ settings: StoreSettings) async throws -> Catalog {
        try await makeRuntime(settings).catalog
    }

    static func makeObjectStore(_ settings: StoreSettings) throws -> any ObjectStore {
        if let location = settings.objectStore {
            return try makeS3Store(location: location, settings.s3, spoolDirectory: settings.spoolDirectory)
        }
        do {
            return try FileObjectStore(root: settings.objectsDirectory)
        } catch let error as ObjectStoreError {
            throw CatalogError.storageUnavailable("Cannot use \(settings.objectsDirectory): \(error)")
        }
    }

    /// Uploads are spooled in `spoolDirectory` until they are sent (see `S3ObjectWriter`).
    static func makeS3Store(location: String, _ s3: S3Settings, spoolDirectory: String) throws -> S3ObjectStore {
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
    static func checkObjectStore(_ objects: any ObjectStore) async throws {
        do {
            try await objects.ping()
        } catch ObjectStoreError.unavailable(let reason) {
            throw CatalogError.storageUnavailable("The object store is not usable: \(reason).")
        }
    }
}

/// PostgreSQL LISTEN/NOTIFY as a lifecycle service.
struct PostgresListenerService: Service {
    let listener: PostgresJobListener

    func run() async throws {
        try await cancelWhenGracefulShutdown { await listener.run() }
    }
}
