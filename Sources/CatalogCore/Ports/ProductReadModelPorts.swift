/// The system of record's product change feed (§Products "Product changes"): each merge that changes
/// products records a batch at the next position, in commit order, and every product names the batch
/// of its latest change, so the feed is compacted (a product appears once, at its latest change).
public protocol ProductChangeLog: Sendable {
    /// Batches at `position` or later, in position order; only `partnerName`'s when given.
    func changeBatches(from position: Int64, partnerName: String?, limit: Int) async throws -> [ChangeBatch]

    /// The products, of any status, whose latest change is batch `batchID`, after `afterSeq`, in `seq` order.
    func changedProducts(batchID: Int64, afterSeq: Int64, limit: Int) async throws -> [Product]

    /// The position of the last committed batch (0 when there is none).
    func latestChangePosition() async throws -> Int64
}

/// What a node's read model copies at start: every product as of one snapshot.
public protocol ProductSnapshotSource: Sendable {
    /// Hands every product, of any status, to `body` in `seq` order and batches of at most `batchSize`,
    /// all read in one snapshot; returns the position of the last batch that snapshot holds.
    func snapshot(batchSize: Int, _ body: @escaping @Sendable ([Product]) async throws -> Void) async throws -> Int64
}

/// A node's local copy of the products (PostgreSQL mode), read like the embedded store.
public protocol ProductCacheStore: ProductReader, CatalogItemReader, CatalogItemIndex {
    /// Stores products as they now are (any status), each replacing its earlier version.
    func apply(_ products: [Product]) async throws

    /// Stores one batch's products out of sight, to be made visible together by `publishPending`.
    func stagePending(_ products: [Product]) async throws

    /// Makes everything `stagePending` holds visible in one transaction.
    func publishPending() async throws

    /// Called once the first full copy is in: a store may build its indexes now rather than row by row.
    func copyFinished() async throws

    func count() async throws -> Int
}
