import CatalogCore
import CatalogFileStore
import CatalogPostgres
import CatalogSQLite
import Foundation
import Logging
import ServiceLifecycle

/// The composition root: picks the adapters that the configuration names.
enum Composition {
    /// A catalog and what must run beside it for as long as it is used.
    struct Runtime {
        let catalog: Catalog
        /// Background services the store needs (PostgreSQL's job notifications).
        let services: [any Service]
        /// Where the data lives, for start-up logs.
        let storeDescription: String
        /// The schema migrations in place, oldest first.
        let migrations: [String]
    }

    static func makeRuntime(_ settings: StoreSettings, logger: Logger = Logger(label: "partner-catalog")) async throws -> Runtime {
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
            let catalog = Catalog(store: store, objects: objects, maxUploadBytes: settings.maxUploadBytes, events: events)
            return Runtime(
                catalog: catalog,
                services: [PostgresListenerService(listener: PostgresJobListener(store: store, events: events, logger: logger))],
                storeDescription: store.redactedURL, migrations: try await store.appliedMigrations())
        }
        let store = try SQLiteCatalogStore(path: settings.databasePath)
        let catalog = Catalog(store: store, objects: objects, maxUploadBytes: settings.maxUploadBytes, events: events)
        return Runtime(catalog: catalog, services: [], storeDescription: settings.databasePath, migrations: try store.appliedMigrations())
    }

    static func makeCatalog(_ settings: StoreSettings) async throws -> Catalog {
        try await makeRuntime(settings).catalog
    }

    static func makeObjectStore(_ settings: StoreSettings) throws -> any ObjectStore {
        if let location = settings.objectStore {
            throw CatalogError.validation(
                "CATALOG_OBJECT_STORE is set (\(location)), but this build stores raw files in the local folder only; unset it.",
                parameter: "CATALOG_OBJECT_STORE")
        }
        do {
            return try FileObjectStore(root: settings.objectsDirectory)
        } catch let error as ObjectStoreError {
            throw CatalogError.storageUnavailable("Cannot use \(settings.objectsDirectory): \(error)")
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
