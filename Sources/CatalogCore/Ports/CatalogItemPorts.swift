/// The read model's catalog items (§Unified catalog): kept current from the change feed's products.
public protocol CatalogItemIndex: Sendable {
    /// Notes changed products (any status): the items they leave and join are regrouped by
    /// `refreshPending` (or chunk by chunk), once the products are visible.
    func productsChanged(_ products: [Product]) async throws

    /// Brings up to date some of the items noted by `productsChanged` (a chunk, in one
    /// transaction); true when others remain.
    func refreshPendingChunk() async throws -> Bool

    /// Groups every active product afresh (at start-up); returns how many items there are.
    @discardableResult
    func rebuild() async throws -> Int
}

public protocol CatalogItemReader: Sendable {
    func listItems(_ query: CatalogItemQuery) async throws -> CatalogItemPage

    /// The item as `scope` sees it, with its offers (cheapest first); nil when it has none there.
    func item(id: String, scope: String) async throws -> (CatalogItem, [Product])?
}

extension CatalogItemIndex {
    /// Brings up to date every item noted by `productsChanged`.
    public func refreshPending() async throws {
        while try await refreshPendingChunk() {}
    }
}
