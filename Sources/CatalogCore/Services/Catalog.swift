/// The application's use cases over one set of adapters; the composition root builds it.
public struct Catalog: Sendable {
    public let store: any CatalogStore
    public let objects: any ObjectStore
    public let clock: any CatalogClock
    public let maxUploadBytes: Int64
    public let events: JobEvents
    /// Validation jobs are queued to run as soon as their feed is stored (`CATALOG_AUTO_RUN`).
    public let autoRun: Bool
    /// Which hosts webhooks and sources may call (`CATALOG_ALLOW_PRIVATE_TARGETS`).
    public let targets: any TargetPolicy
    /// Told of product changes as this node's follower reads them (the live streams).
    public let changeListeners = ProductChangeListeners()

    public init(
        store: any CatalogStore, objects: any ObjectStore, clock: any CatalogClock = SystemClock(), maxUploadBytes: Int64,
        events: JobEvents = JobEvents(), autoRun: Bool = false, targets: any TargetPolicy = ResolvingTargetPolicy(allowPrivateTargets: false)
    ) {
        self.events = events
        self.targets = targets
        self.autoRun = autoRun
        self.store = store
        self.objects = objects
        self.clock = clock
        self.maxUploadBytes = maxUploadBytes
    }

    public var partners: PartnerService { PartnerService(store: store, clock: clock, keys: keys) }
    public var keys: KeyService { KeyService(store: store, clock: clock, table: keyTable) }

    /// The node's in-memory API keys (`serve`, and the tests that serve); nil: each check asks the store.
    public private(set) var keyTable: KeyTable?

    public func keepingKeysInMemory(_ table: KeyTable) -> Catalog {
        var catalog = self
        catalog.keyTable = table
        return catalog
    }
    public var uploads: FeedUploadService {
        FeedUploadService(store: store, objects: objects, clock: clock, maxUploadBytes: maxUploadBytes, autoRun: autoRun)
    }
    public var interruptedUploads: InterruptedUploads { InterruptedUploads(store: store, objects: objects) }
    public var feeds: FeedQueries { FeedQueries(store: store, objects: objects) }
    public var jobs: JobQueries { JobQueries(store: store) }
    public var products: ProductQueries { ProductQueries(reader: readModel) }
    public var catalogItems: CatalogItemQueries { CatalogItemQueries(reader: readModel) }
    public var changes: ProductChangeQueries { ProductChangeQueries(log: store) }
    public var eventLog: EventQueries { EventQueries(log: store) }
    public var webhooks: WebhookService { WebhookService(store: store, clock: clock, targets: targets) }
    public var sources: SourceService { SourceService(store: store, clock: clock, targets: targets, secrets: secretBox) }

    /// Seals and opens sources' credentials (`CATALOG_SECRET_KEY`); nil: sources cannot have any.
    public private(set) var secretBox: SecretBox?

    public func sealingSecrets(with box: SecretBox?) -> Catalog {
        var catalog = self
        catalog.secretBox = box
        return catalog
    }

    /// Where this node reads products: the embedded store itself unless `withReadModel` gave another
    /// (the node's copy that follows the change feed, in PostgreSQL mode).
    public var readModel: any ProductReadModel { ownReadModel ?? (store as? any ProductReadModel) ?? NoReadModel() }
    private var ownReadModel: (any ProductReadModel)?

    public func withReadModel(_ readModel: any ProductReadModel) -> Catalog {
        var catalog = self
        catalog.ownReadModel = readModel
        return catalog
    }
    public var orders: OrderService { OrderService(store: store, clock: clock) }
    public var analytics: AnalyticsService { AnalyticsService(queries: store) }
    public var readiness: Readiness { Readiness(store: store, objects: objects, disk: dataDisk) }

    /// The disk of the data folder, which `/ready` reports on.
    public private(set) var dataDisk: (any DiskSpaceProbe)?

    public func checkingDisk(_ probe: any DiskSpaceProbe) -> Catalog {
        var catalog = self
        catalog.dataDisk = probe
        return catalog
    }
    public var importer: FeedImporter { FeedImporter(store: store, objects: objects, clock: clock) }
    public var runs: JobRunService { JobRunService(store: store, clock: clock, events: events, readModel: readModel) }
}

/// A process that serves no products (a `worker`): reading them is a programming error.
struct NoReadModel: ProductReadModel {
    func product(id: String) async throws -> Product? { throw CatalogError(.internal, "This process has no product read model.") }
    func listProducts(_ query: ProductQuery) async throws -> ProductPage { throw CatalogError(.internal, "This process has no product read model.") }
    func waitUntilApplied(_ position: Int64, timeout: Double) async -> Bool { true }
    func servedPosition() async throws -> Int64 { throw CatalogError(.internal, "This process has no product read model.") }
    func listItems(_ query: CatalogItemQuery) async throws -> CatalogItemPage { throw CatalogError(.internal, "This process has no product read model.") }
    func item(id: String, scope: String) async throws -> (CatalogItem, [Product])? { throw CatalogError(.internal, "This process has no product read model.") }
}
