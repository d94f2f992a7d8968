import Crypto
import Foundation
import NIOCore
import Synchronization

/// Rows read so far by a running import, for heartbeats.
public final class ImportProgress: Sendable {
    private let rows = Atomic<Int64>(0)
    public init() {}
    public var rowsRead: Int64 { rows.load(ordering: .relaxed) }
    func add(_ count: Int64) { rows.add(count, ordering: .relaxed) }
}

/// The ETL of one validation job: stream the raw object, verify its checksum, validate rows,
/// stage them in batches and merge them in one transaction (§ETL).
public struct FeedImporter: Sendable {
    let store: any CatalogStore
    let objects: any ObjectStore
    let clock: any CatalogClock
    let batchSize: Int

    public init(store: any CatalogStore, objects: any ObjectStore, clock: any CatalogClock, batchSize: Int = 5_000) {
        self.store = store
        self.objects = objects
        self.clock = clock
        self.batchSize = batchSize
    }

    public func run(_ feed: Feed, jobID: String, progress: ImportProgress) async throws(ImportFailure) -> (JobSummary, String) {
        do {
            guard feed.feedType == .products else {
                throw ImportFailure.permanent("UNSUPPORTED_FEED_TYPE", "Orders feeds are not processed by this version yet.")
            }
            try await store.resetAttempt(jobID: jobID)
            let skipped = try await stageRows(of: feed, jobID: jobID, progress: progress)
            let counts = try await store.merge(jobID: jobID, feed: feed, now: clock.now())
            var summary = JobSummary()
            summary.inserted = counts.inserted
            summary.updated = counts.updated
            summary.unchanged = counts.unchanged
            summary.skipped = skipped
            summary.deactivated = counts.deactivated
            summary.rowsTotal = counts.inserted + counts.updated + counts.unchanged + skipped
            return (summary, Self.message(summary, mode: feed.mode))
        } catch {
            throw ImportFailure.from(error)
        }
    }

    static func message(_ summary: JobSummary, mode: FeedMode) -> String {
        var message = "ETL processing completed. Products processed: \(summary.rowsTotal). Inserted: \(summary.inserted). "
            + "Updated: \(summary.updated). Unchanged: \(summary.unchanged). Skipped: \(summary.skipped)."
        if mode == .full { message += " Deactivated: \(summary.deactivated)." }
        return message
    }

    /// Streams the object through the checksum, gzip and CSV reader into staging; returns the skipped count.
    /// Parsing the next batch overlaps with staging the previous one; at most one batch is in flight.
    private func stageRows(of feed: Feed, jobID: String, progress: ImportProgress) async throws -> Int64 {
        var pipeline = RowPipeline(batchSize: batchSize)
        var hasher = SHA256()
        var gzip: GzipInflater?
        var sniffed = false
        var skipped: Int64 = 0
        var inFlight: Task<Int64, any Error>?
        let store = self.store

        func drain() async throws {
            let (rows, invalid) = pipeline.takeBatch()
            if let previous = inFlight { skipped += try await previous.value }
            inFlight = Task {
                try await Self.stage(rows, invalid, jobID: jobID, store: store, progress: progress)
            }
        }

        do {
            for try await chunk in try await objects.read(key: feed.rawFileKey) {
                try Task.checkCancellation()
                try chunk.withUnsafeReadableBytes { bytes in
                    hasher.update(bufferPointer: bytes)
                    if !sniffed {
                        sniffed = true
                        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B { gzip = GzipInflater() }
                    }
                    if let gzip {
                        do { try gzip.inflate(bytes) { try pipeline.consume($0, feedType: feed.feedType) } } catch is GzipInflater.Failure {
                            throw ImportFailure.permanent("INVALID_FEED", "The raw file is not valid gzip data.")
                        }
                    } else {
                        try pipeline.consume(bytes, feedType: feed.feedType)
                    }
                }
                if pipeline.hasBatch { try await drain() }
            }
            do { try gzip?.finish() } catch {
                throw ImportFailure.permanent("INVALID_FEED", "The raw gzip data ends prematurely.")
            }
            try pipeline.finish(feedType: feed.feedType)
            try await drain()
            if let last = inFlight { skipped += try await last.value }
        } catch {
            inFlight?.cancel()
            _ = try? await inFlight?.value
            throw error
        }
        // Nothing staged becomes visible before this check: a tampered object changes no product.
        let digest = Hex.encode(hasher.finalize())
        guard digest == feed.sha256 else {
            try await store.resetAttempt(jobID: jobID)
            throw ImportFailure.permanent(
                "CHECKSUM_MISMATCH", "The raw file's SHA-256 is \(digest), not \(feed.sha256) as recorded at upload.")
        }
        return skipped
    }

    /// Stages valid rows and records the batch's diagnostics in line order; returns how many rows it skipped.
    private static func stage(
        _ rows: [StagedProduct], _ invalid: [RowDiagnostic], jobID: String, store: any CatalogStore, progress: ImportProgress
    ) async throws -> Int64 {
        var diagnostics = invalid
        if !rows.isEmpty {
            let duplicates = Set(try await store.stage(jobID: jobID, rows))
            for row in rows where duplicates.contains(row.line) {
                diagnostics.append(RowDiagnostic(
                    line: row.line, sku: row.record.sku, column: "sku", code: "duplicate_sku",
                    message: "This SKU appeared earlier in the file; the first occurrence counts.", value: row.record.sku))
            }
        }
        progress.add(Int64(rows.count + invalid.count))
        if !diagnostics.isEmpty {
            try await store.recordDiagnostics(jobID: jobID, diagnostics.sorted { $0.line < $1.line })
        }
        return Int64(diagnostics.count)
    }
}

/// CSV records → validated rows and diagnostics, accumulated between async flushes.
struct RowPipeline {
    private var parser = CSVParser()
    private var reader: ProductRowReader?
    private var rows: [StagedProduct] = []
    private var diagnostics: [RowDiagnostic] = []
    private let batchSize: Int
    private var headerProblem: ImportFailure?

    init(batchSize: Int) {
        self.batchSize = batchSize
    }

    var hasBatch: Bool { rows.count >= batchSize || diagnostics.count >= batchSize }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, feedType: FeedType) throws {
        var parser = CSVParser()
        swap(&parser, &self.parser)
        defer { swap(&parser, &self.parser) }
        try parser.consume(bytes) { record in try take(record, feedType: feedType) }
    }

    mutating func finish(feedType: FeedType) throws {
        var parser = CSVParser()
        swap(&parser, &self.parser)
        defer { swap(&parser, &self.parser) }
        try parser.finish { record in try take(record, feedType: feedType) }
        if reader == nil {
            throw ImportFailure.permanent("INVALID_FEED", "The raw file has no header row.")
        }
    }

    private mutating func take(_ record: borrowing CSVRecord, feedType: FeedType) throws {
        guard let reader else {
            guard !record.isBlank else { return }
            guard record.malformation == nil else {
                throw ImportFailure.permanent("INVALID_FEED", "The header row is not valid CSV.")
            }
            let header = record.strings().map { $0 ?? "" }
            do { try FeedColumns.check(header: header, for: feedType) } catch let error as CatalogError {
                throw ImportFailure.permanent("INVALID_FEED", error.message)
            }
            self.reader = ProductRowReader(header: header)
            return
        }
        guard !record.isBlank else { return }
        switch reader.read(record) {
        case .success(let product): rows.append(StagedProduct(line: record.line, record: product))
        case .failure(let diagnostic): diagnostics.append(diagnostic)
        }
    }

    mutating func takeBatch() -> ([StagedProduct], [RowDiagnostic]) {
        defer {
            rows.removeAll(keepingCapacity: true)
            diagnostics.removeAll(keepingCapacity: true)
        }
        return (rows, diagnostics)
    }
}
