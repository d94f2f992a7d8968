/// Where a node reads products from (§Products): the embedded store itself, or in PostgreSQL mode the
/// node's local SQLite copy that follows the change feed. One read path either way: the same queries
/// over the same indexes.
public protocol ProductReadModel: ProductReader {
    /// Returns once this node serves the changes committed at `position`, or `timeout` passed (false).
    func waitUntilApplied(_ position: Int64, timeout: Double) async -> Bool

    /// The change-feed position whose products this node serves (at least): list pages' ETags name it.
    func servedPosition() async throws -> Int64
}

/// The node's product cache as the read model, kept current by `follower`.
public struct FollowedProductCache: ProductReadModel {
    let cache: any ProductCacheStore
    let follower: ProductFeedFollower

    public init(cache: any ProductCacheStore, follower: ProductFeedFollower) {
        self.cache = cache
        self.follower = follower
    }

    public func product(id: String) async throws -> Product? { try await cache.product(id: id) }
    public func listProducts(_ query: ProductQuery) async throws -> ProductPage { try await cache.listProducts(query) }

    public func waitUntilApplied(_ position: Int64, timeout: Double) async -> Bool {
        await follower.waitUntilApplied(position, timeout: timeout)
    }

    public func servedPosition() async throws -> Int64 { follower.appliedPosition }
}
