import CatalogCore
import CatalogCurl
import CatalogFileStore
import CatalogPostgres
import CatalogSQLite
import Foundation
import Logging
import ServiceLifecycle

/// Builds the application from one configuration, for every process: the CLI's commands, `worker`,
/// `serve` and the tests. Migrations run here, once, before any service starts (PostgreSQL's under
/// an advisory lock; the embedded file's when it is opened).
public struct CatalogBuilder: Sendable {
    public var configuration: CatalogConfiguration
    public var logger: Logger
    /// Seams for tests; the defaults are production's.
    public var clock: any CatalogClock = SystemClock()
    public var wrapObjects: @Sendable (any ObjectStore) -> any ObjectStore = { $0 }
    /// Free space of the data folder's disk; nil: measured with statvfs.
    public var disk: (any DiskSpaceProbe)?
    /// How often the read model looks at the change feed without a notification; nil: the mode's default.
    public var catchUpInterval: TimeInterval?
    /// The PostgreSQL-mode node's read model file; nil: one per process in `{data dir}/cache`.
    public var cacheFile: String?
    /// How long a request may wait for PostgreSQL before it answers 503.
    public var postgresRequestTimeout: Duration = .seconds(5)
    /// `serve` refuses to start when the object store does not answer; tests of an outage build without the check.
    public var checksObjectStoreAtStart = true

    public init(_ configuration: CatalogConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The store (migrated), the object store and the catalog over them: what a command needs.
    public func catalog() async throws -> BuiltCatalog {
        let objects = wrapObjects(try ObjectStores.make(configuration))
        let events = JobEvents()
        let store: any CatalogStore
        var services: [any Service] = []
        let description: String
        let migrations: [String]
        if let url = configuration.databaseURL {
            let postgres = try PostgresCatalogStore(url: url, requestTimeout: postgresRequestTimeout, logger: logger)
            do {
                try await postgres.migrate()
            } catch let error as CatalogError where error.code == .storageUnavailable {
                postgres.shutdown()
                throw CatalogError.storageUnavailable("Cannot reach PostgreSQL at \(postgres.redactedURL): \(error.message)")
            }
            services.append(PostgresListenerService(listener: PostgresJobListener(store: postgres, events: events, logger: logger)))
            (store, description, migrations) = (postgres, postgres.redactedURL, try await postgres.appliedMigrations())
        } else {
            try? FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            let embedded = try SQLiteCatalogStore(path: configuration.databasePath)
            (store, description, migrations) = (embedded, configuration.databasePath, try embedded.appliedMigrations())
        }
        let catalog = Catalog(
            store: store, objects: objects, clock: clock, maxUploadBytes: configuration.maxUploadBytes, events: events,
            autoRun: configuration.autoRun, targets: ResolvingTargetPolicy(allowPrivateTargets: configuration.allowPrivateTargets))
            .checkingDisk(disk ?? LocalDiskSpace(path: configuration.dataDirectory))
            .sealingSecrets(with: SecretBox(secretKey: configuration.secretKey))
        return BuiltCatalog(catalog: catalog, storeDescription: description, migrations: migrations, services: services)
    }

    /// A `worker` process: the catalog, refusing to start without the key its sources' credentials need.
    public func worker() async throws -> BuiltCatalog {
        let built = try await catalog()
        try await Self.checkSecretKey(built.catalog)
        return built
    }

    /// A `serve` node: the catalog with its read model built and followed, API keys kept in memory, the
    /// object store checked, uploads cut off by a crash recovered and the admin key bootstrapped.
    public func node() async throws -> CatalogNode {
        var built = try await catalog()
        let (catalog, readModel) = try await ReadModels.attach(to: built.catalog, builder: self)
        // Keys are checked from memory; the table is loaded before the node listens and follows every change.
        let keyTable = KeyTable()
        try await keyTable.refresh(from: catalog.store, force: true)
        built.catalog = catalog.keepingKeysInMemory(keyTable)
        if checksObjectStoreAtStart { try await ObjectStores.check(built.catalog.objects) }
        try await Self.checkSecretKey(built.catalog)
        try await built.catalog.interruptedUploads.recover(logger: logger)
        let admin = try await built.catalog.keys.bootstrapAdmin(configuredKey: configuration.adminKey)
        return CatalogNode(built: built, readModel: readModel, keyTable: keyTable, adminKey: admin)
    }

    /// The task workers for `catalog`: `configuration.workers` for validation jobs, and the other kinds' own.
    public func workers(for catalog: Catalog) -> WorkerService {
        WorkerService(
            catalog: catalog, count: configuration.workers, http: CurlHTTPClient(threads: WorkerService.outboundThreads), allowPrivateTargets: configuration.allowPrivateTargets,
            logger: logger)
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
}

/// A catalog and what must run beside it for as long as it is used.
public struct BuiltCatalog: Sendable {
    public var catalog: Catalog
    /// Where the data lives, for start-up logs.
    public let storeDescription: String
    /// The schema migrations in place, oldest first.
    public let migrations: [String]
    /// Background services the store needs (PostgreSQL's job notifications).
    public var services: [any Service]
}

/// What `serve` runs: the catalog, its read model and key table, and the outcome of the admin key's bootstrap.
public struct CatalogNode: Sendable {
    public var built: BuiltCatalog
    public let readModel: ReadModelParts
    public let keyTable: KeyTable
    public let adminKey: KeyService.BootstrapResult

    public var catalog: Catalog { built.catalog }
    public var follower: ProductFeedFollower { readModel.follower }

    /// The node's services: the store's, the read model's follower and the key table's.
    public func services(logger: Logger) -> [any Service] {
        built.services + [
            ReadModelService(follower: readModel.follower, cache: readModel.cache),
            KeyTableService(table: keyTable, store: catalog.store, logger: logger),
        ]
    }
}
