/// Reading the catalog's products (§Products).
public protocol ProductReader: Sendable {
    func product(id: String) async throws -> Product?

    /// One page of a keyset walk: the products matching `query.filter` that come after `query.after`
    /// in `query.sort` / `query.order` order, ties broken by sequence number in the same direction.
    func listProducts(_ query: ProductQuery) async throws -> ProductPage
}
