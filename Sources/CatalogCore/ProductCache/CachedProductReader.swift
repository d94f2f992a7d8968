/// Active products from the node's cache; inactive ones (`status=all|inactive`, a single product the
/// cache lacks) from the primary store.
public struct CachedProductReader: ProductReader {
    let cache: any ProductReader
    let primary: any ProductReader

    public init(cache: any ProductReader, primary: any ProductReader) {
        self.cache = cache
        self.primary = primary
    }

    public func product(id: String) async throws -> Product? {
        if let cached = try await cache.product(id: id) { return cached }
        return try await primary.product(id: id)
    }

    public func listProducts(_ query: ProductQuery) async throws -> ProductPage {
        query.filter.status == .active ? try await cache.listProducts(query) : try await primary.listProducts(query)
    }
}
