import struct Foundation.Date

/// The primary database's side of a node-local product cache. Products change only when a validation
/// job's merge commits, and every product a merge changes (inserted, updated, deactivated) carries that
/// feed's ID; so "what changed" is "the products of the feeds whose jobs completed since".
public protocol ProductChangeSource: Sendable {
    /// Active products with `seq > afterSeq`, in `seq` order, at most `limit`.
    func activeProducts(afterSeq: Int64, limit: Int) async throws -> [Product]

    /// Products (any status) last changed by `feedID`, with `seq > afterSeq`, in `seq` order, at most `limit`.
    func products(lastChangedBy feedID: String, afterSeq: Int64, limit: Int) async throws -> [Product]

    /// Validation jobs that completed at or after `since`.
    func completedJobs(since: Date) async throws -> [CompletedJob]
}

public struct CompletedJob: Sendable, Equatable {
    public var jobID: String
    public var feedID: String
    public var finishedAt: Date

    public init(jobID: String, feedID: String, finishedAt: Date) {
        self.jobID = jobID
        self.feedID = feedID
        self.finishedAt = finishedAt
    }
}

/// The node-local copy of the active products, read like the primary store.
public protocol ProductCacheStore: ProductReader {
    /// Stores the active products given and removes the inactive ones.
    func apply(_ products: [Product]) async throws

    /// Called once the first full copy is in: a store may build its indexes now rather than row by row.
    func copyFinished() async throws

    func count() async throws -> Int
}
