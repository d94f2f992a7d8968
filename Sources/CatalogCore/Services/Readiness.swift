/// `/ready`: which dependencies answer.
public struct Readiness: Sendable {
    public struct Report: Sendable, Equatable {
        public var database: String?
        public var objectStore: String?
        public var isReady: Bool { database == nil && objectStore == nil }
    }

    let store: any CatalogStore
    let objects: any ObjectStore

    public init(store: any CatalogStore, objects: any ObjectStore) {
        self.store = store
        self.objects = objects
    }

    /// nil entries answered; otherwise the reason each failed, as its error's message says it.
    public func check() async -> Report {
        async let database: String? = {
            do { try await store.ping(); return nil } catch { return Self.reason(error) }
        }()
        async let objectStore: String? = {
            do { try await objects.ping(); return nil } catch { return Self.reason(error) }
        }()
        return await Report(database: database, objectStore: objectStore)
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as CatalogError: error.message
        case let error as ObjectStoreError: error.catalogError.message
        default: String(describing: error)
        }
    }
}
