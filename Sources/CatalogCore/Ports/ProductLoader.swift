import struct Foundation.Date

/// A valid row on its way into the catalog.
public struct StagedProduct: Sendable {
    public var line: Int
    public var record: ProductRecord
    public var contentHash: String

    public init(line: Int, record: ProductRecord) {
        self.line = line
        self.record = record
        self.contentHash = record.contentHash
    }
}

public struct MergeCounts: Sendable, Equatable {
    public var inserted: Int64 = 0
    public var updated: Int64 = 0
    public var unchanged: Int64 = 0
    public var deactivated: Int64 = 0
    /// Rows the merge found to repeat an earlier row's key, and recorded as `DuplicateRows` diagnostics
    /// itself (stores that find duplicates while staging report them from `stage` instead).
    public var duplicates: Int64 = 0

    public init(inserted: Int64 = 0, updated: Int64 = 0, unchanged: Int64 = 0, deactivated: Int64 = 0, duplicates: Int64 = 0) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.deactivated = deactivated
        self.duplicates = duplicates
    }
}

/// Loads a feed's rows in two steps: batches are staged out of sight, then one transaction merges
/// them into the catalog, so readers see all of a feed's changes or none.
public protocol ProductLoader: Sendable {
    /// Forgets what an earlier attempt of this job staged or diagnosed.
    func resetAttempt(jobID: String) async throws

    /// Stages a batch of a feed of `partnerID`; returns the lines whose SKU this job staged before
    /// (duplicates, not staged), as far as the store checks while staging; any others are left to `merge`.
    /// A store may compare rows with the partner's products here and stage the unchanged ones by key
    /// alone: a partner's jobs run one at a time, so nothing else changes its products until `merge`.
    func stage(jobID: String, partnerID: String, _ batch: [StagedProduct]) async throws -> [Int]

    func recordDiagnostics(jobID: String, _ diagnostics: [RowDiagnostic]) async throws

    /// Applies the staged rows: inserts new SKUs, updates changed or inactive ones, leaves identical
    /// ones untouched, and in full mode deactivates the partner's active products the feed lacks.
    func merge(jobID: String, feed: Feed, now: Date) async throws -> MergeCounts

    /// The job's diagnostics in line order (a line has at most one); `PageRequest.after` is a line number.
    func diagnostics(jobID: String, _ page: PageRequest) async throws -> Page<RowDiagnostic>
}

/// The same two-step load for orders feeds, keyed by partner + order_id + sku.
public protocol OrderLoader: Sendable {
    /// Stages a batch; returns the lines whose order_id + sku this job staged before, as `stage` does.
    func stageOrderLines(jobID: String, _ batch: [StagedOrderLine]) async throws -> [Int]

    /// Creates orders first seen, inserts new lines, updates changed ones, leaves identical ones untouched.
    func mergeOrderLines(jobID: String, feed: Feed, now: Date) async throws -> MergeCounts
}
