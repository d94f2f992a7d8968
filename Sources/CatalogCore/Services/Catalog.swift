/// The application's use cases over one set of adapters; the composition root builds it.
public struct Catalog: Sendable {
    public let store: any CatalogStore
    public let objects: any ObjectStore
    public let clock: any CatalogClock
    public let maxUploadBytes: Int64
    public let events: JobEvents

    public init(
        store: any CatalogStore, objects: any ObjectStore, clock: any CatalogClock = SystemClock(), maxUploadBytes: Int64,
        events: JobEvents = JobEvents()
    ) {
        self.events = events
        self.store = store
        self.objects = objects
        self.clock = clock
        self.maxUploadBytes = maxUploadBytes
    }

    public var partners: PartnerService { PartnerService(store: store, clock: clock) }
    public var keys: KeyService { KeyService(store: store, clock: clock) }
    public var uploads: FeedUploadService {
        FeedUploadService(store: store, objects: objects, clock: clock, maxUploadBytes: maxUploadBytes)
    }
    public var interruptedUploads: InterruptedUploads { InterruptedUploads(store: store, objects: objects) }
    public var feeds: FeedQueries { FeedQueries(store: store, objects: objects) }
    public var jobs: JobQueries { JobQueries(store: store) }
    public var products: ProductQueries { ProductQueries(reader: productReader ?? store) }

    /// Where products are read from when not from `store`: a node-local cache in front of it.
    public private(set) var productReader: (any ProductReader)?

    public func readingProducts(from reader: any ProductReader) -> Catalog {
        var catalog = self
        catalog.productReader = reader
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
    public var runs: JobRunService { JobRunService(store: store, clock: clock, events: events) }
}
