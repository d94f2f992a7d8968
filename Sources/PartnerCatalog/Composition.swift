import CatalogCore
import CatalogFileStore
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

    static func makeCatalog(_ settings: StoreSettings) throws -> Catalog {
        Catalog(store: try makeStore(settings), objects: try makeObjectStore(settings), maxUploadBytes: settings.maxUploadBytes)
    }

    private static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "an unparsable URL" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "a URL"
    }
}
