/// Where a node reads products from (§Products): the embedded store itself, or in PostgreSQL mode the
/// node's local SQLite copy that follows the change feed. One read path either way: the same queries
/// over the same indexes.
public protocol ProductReadModel: ProductReader, CatalogItemReader {
    /// Returns once this node serves the changes committed at `position`, or `timeout` passed (false).
    func waitUntilApplied(_ position: Int64, timeout: Double) async -> Bool

    /// The change-feed position whose products this node serves (at least): list pages' ETags name it.
    func servedPosition() async throws -> Int64

    /// Returns once this node serves what a job changed (`changes` products at `position`), or `timeout` passed.
    func waitUntilServed(_ position: Int64, changes: Int64, timeout: Double) async -> Bool
}

extension ProductReadModel {
    public func waitUntilServed(_ position: Int64, changes: Int64, timeout: Double) async -> Bool {
        await waitUntilApplied(position, timeout: timeout)
    }
}

/// A read model kept current by `follower`: the node's product cache (PostgreSQL mode), or the embedded
/// store, whose products are current at commit but whose catalog items follow the feed; either way a
/// finished job is served once the follower has applied it.
public struct FollowedReadModel: ProductReadModel {
    let reader: any ProductReader & CatalogItemReader
    let follower: ProductFeedFollower
    /// The embedded store: its products are served from their commit.
    let servesProductsAtCommit: Bool

    public init(reader: any ProductReader & CatalogItemReader, follower: ProductFeedFollower, servesProductsAtCommit: Bool = false) {
        self.reader = reader
        self.follower = follower
        self.servesProductsAtCommit = servesProductsAtCommit
    }

    /// Where products are served from their commit, only a small job is waited for: its items are
    /// regrouped with it, while a large one's follow its products (`ProductFeedFollower`).
    public func waitUntilServed(_ position: Int64, changes: Int64, timeout: Double) async -> Bool {
        if servesProductsAtCommit, !ProductFeedFollower.regroupsItemsWithProducts(changes: changes) { return true }
        return await follower.waitUntilApplied(position, timeout: timeout)
    }

    public func product(id: String) async throws -> Product? { try await reader.product(id: id) }
    public func listProducts(_ query: ProductQuery) async throws -> ProductPage { try await reader.listProducts(query) }
    public func listItems(_ query: CatalogItemQuery) async throws -> CatalogItemPage { try await reader.listItems(query) }
    public func item(id: String, scope: String) async throws -> (CatalogItem, [Product])? { try await reader.item(id: id, scope: scope) }

    public func waitUntilApplied(_ position: Int64, timeout: Double) async -> Bool {
        await follower.waitUntilApplied(position, timeout: timeout)
    }

    public func servedPosition() async throws -> Int64 { follower.appliedPosition }
}
