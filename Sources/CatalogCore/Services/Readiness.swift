/// `/ready`: which dependencies answer, and whether the data disk has room.
public struct Readiness: Sendable {
    public struct Report: Sendable, Equatable {
        public var database: String?
        public var objectStore: String?
        public var disk: String?
        public var isReady: Bool { database == nil && objectStore == nil && disk == nil }
    }

    let store: any StoreHealth
    let objects: any ObjectStore
    let disk: (any DiskSpaceProbe)?

    public init(store: any StoreHealth, objects: any ObjectStore, disk: (any DiskSpaceProbe)? = nil) {
        self.store = store
        self.objects = objects
        self.disk = disk
    }

    /// nil entries answered; otherwise the reason each failed, as its error's message says it.
    public func check() async -> Report {
        async let database: String? = {
            do { try await store.ping(); return nil } catch { return Self.reason(error) }
        }()
        async let objectStore: String? = {
            do { try await objects.ping(); return nil } catch { return Self.reason(error) }
        }()
        let disk: String? = {
            guard let probe = self.disk else { return nil }
            do { return try probe.space().shortage } catch { return Self.reason(error) }
        }()
        return await Report(database: database, objectStore: objectStore, disk: disk)
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as CatalogError: error.message
        case let error as ObjectStoreError: error.catalogError.message
        default: String(describing: error)
        }
    }
}
