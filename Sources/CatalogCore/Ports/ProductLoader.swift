import struct Foundation.Date

/// A valid row on its way into the catalog.
public struct StagedProduct: Sendable {
    public enum Content: Sendable {
        /// The row's fingerprint is its active product's: unchanged, staged by key alone. `product` is
        /// the store's key of that product, as `unchangedProducts` gave it.
        case unchanged(product: Int64)
        case record(ProductRecord, contentHash: String)
    }

    public var line: Int
    public var sku: String
    /// The row's `ProductFingerprint.digest`, kept with the product it inserts or updates.
    public var fingerprint: String?
    public var content: Content

    public init(line: Int, record: ProductRecord, fingerprint: String? = nil) {
        self.line = line
        self.sku = record.sku
        self.fingerprint = fingerprint
        self.content = .record(record, contentHash: record.contentHash)
    }

    public static func unchanged(line: Int, _ fingerprint: ProductFingerprint, product: Int64) -> StagedProduct {
        StagedProduct(line: line, sku: fingerprint.sku, fingerprint: fingerprint.digest, content: .unchanged(product: product))
    }

    private init(line: Int, sku: String, fingerprint: String?, content: Content) {
        self.line = line
        self.sku = sku
        self.fingerprint = fingerprint
        self.content = content
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

    /// After a failed attempt: gives back the disk its rolled-back writes took (the embedded store
    /// truncates its write-ahead log, which a merge that failed on a full disk leaves at full size).
    func releaseSpaceAfterFailure() async

    /// Stages a batch of a feed of `partnerID`; returns the lines whose SKU this job staged before
    /// (duplicates, not staged), as far as the store checks while staging; any others are left to `merge`.
    /// A store may compare rows with the partner's products here and stage the unchanged ones by key
    /// alone: a partner's jobs run one at a time, so nothing else changes its products until `merge`.
    func stage(jobID: String, partnerID: String, _ batch: [StagedProduct]) async throws -> [Int]

    /// For each fingerprint, the key of the partner's active product of that SKU carrying it, if any.
    /// Rows found so are staged `.unchanged`, unread; the answer must hold until `merge`, which a
    /// partner's jobs running one at a time ensures.
    func unchangedProducts(partnerID: String, _ fingerprints: [ProductFingerprint]) async throws -> [Int64?]

    func recordDiagnostics(jobID: String, _ diagnostics: [RowDiagnostic]) async throws

    /// How many of the partner's products are active (the full-feed guard of §Sources).
    func activeProductCount(partnerID: String) async throws -> Int64

    /// Applies the staged rows: inserts new SKUs, updates changed or inactive ones, leaves identical
    /// ones untouched, and in full mode deactivates the partner's active products the feed lacks; in
    /// the same transaction records `completion`.
    func merge(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts

    /// The job's diagnostics in line order (a line has at most one); `PageRequest.after` is a line number.
    func diagnostics(jobID: String, _ page: PageRequest) async throws -> Page<RowDiagnostic>
}

/// The same two-step load for orders feeds, keyed by partner + order_id + sku.
public protocol OrderLoader: Sendable {
    /// Stages a batch; returns the lines whose order_id + sku this job staged before, as `stage` does.
    func stageOrderLines(jobID: String, _ batch: [StagedOrderLine]) async throws -> [Int]

    /// Creates orders first seen, inserts new lines, updates changed ones, leaves identical ones untouched.
    func mergeOrderLines(jobID: String, feed: Feed, now: Date, completing completion: AttemptCompletion) async throws -> MergeCounts
}
