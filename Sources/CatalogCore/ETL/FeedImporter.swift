import CoreMetrics
import Crypto
import Foundation
import NIOCore
import Synchronization

/// The ETL of one validation job: stream the raw object, verify its checksum, validate rows,
/// stage them in batches and merge them in one transaction (§ETL).
public struct FeedImporter: Sendable {
    let store: any ProductLoader & OrderLoader
    let objects: any ObjectStore
    let clock: any CatalogClock
    let batchSize: Int

    public init(store: any ProductLoader & OrderLoader, objects: any ObjectStore, clock: any CatalogClock, batchSize: Int = 5_000) {
        self.store = store
        self.objects = objects
        self.clock = clock
        self.batchSize = batchSize
    }

    /// Runs the ETL; its merge completes the job and the task that `lease` holds, in one transaction
    /// with its changes. Throws `TaskLeaseLost` when the lease was lost meanwhile (nothing committed).
    public func run(_ feed: Feed, jobID: String, progress: TaskProgress, lease: TaskLease) async throws -> (JobSummary, String) {
        do {
            try await store.resetAttempt(jobID: jobID)
            let store = self.store
            let skipped: Int64
            let counts: MergeCounts
            switch feed.feedType {
            case .products:
                let partnerID = feed.partnerID
                let lookups = FingerprintLookups()
                skipped = try await stageRows(
                    of: feed, jobID: jobID, progress: progress, makeReader: ProductRowReader.init(header:),
                    prepare: { reader, records in
                        try await Self.prepareProducts(records, reader: reader, partnerID: partnerID, store: store, lookups: lookups)
                    },
                    stage: { rows in try await store.stage(jobID: jobID, partnerID: partnerID, rows.map(\.row)) },
                    duplicate: { line, row in DuplicateRows.sku(line: line, sku: row.sku) })
                let guarded = try await fullFeedGuard(feed, valid: progress.value - skipped)
                var merged = feed
                if guarded != nil { merged.mode = .delta }
                counts = try await store.merge(
                    jobID: jobID, feed: merged, now: clock.now(),
                    completing: Self.completion(lease, clock: clock, skipped: skipped, feed: feed, deactivationSkipped: guarded))
            case .orders:
                skipped = try await stageRows(
                    of: feed, jobID: jobID, progress: progress, makeReader: OrderRowReader.init(header:),
                    prepare: { reader, records in Self.validate(records) { reader.read($0) } },
                    stage: { rows in
                        try await store.stageOrderLines(jobID: jobID, rows.map { StagedOrderLine(line: $0.line, record: $0.row) })
                    },
                    duplicate: { line, row in DuplicateRows.orderLine(line: line, orderID: row.orderID, sku: row.sku) })
                counts = try await store.mergeOrderLines(
                    jobID: jobID, feed: feed, now: clock.now(), completing: Self.completion(lease, clock: clock, skipped: skipped, feed: feed))
            }
            return FeedValidation.summary(counts, skipped: skipped, feed: feed)
        } catch let error as TaskLeaseLost {
            throw error
        } catch {
            await store.releaseSpaceAfterFailure()
            throw TaskFailure.from(error)
        }
    }

    static func completion(
        _ lease: TaskLease, clock: any CatalogClock, skipped: Int64, feed: Feed, deactivationSkipped: String? = nil
    ) -> AttemptCompletion {
        AttemptCompletion(lease: lease, finishedAt: { clock.now() }) { counts in
            var (summary, message) = FeedValidation.summary(counts, skipped: skipped, feed: feed)
            if let reason = deactivationSkipped {
                summary.deactivationSkipped = true
                message += " " + reason
            }
            return (summary, message)
        }
    }

    /// §Sources: a source's `full` feed with fewer than half as many valid rows as the partner has
    /// active products deactivates nothing (a truncated vendor file must not empty a catalog); the
    /// reason, or nil when the feed may deactivate.
    func fullFeedGuard(_ feed: Feed, valid: Int64) async throws -> String? {
        guard feed.mode == .full, feed.sourceID != nil else { return nil }
        let active = try await store.activeProductCount(partnerID: feed.partnerID)
        guard valid * 2 < active else { return nil }
        return "Deactivation skipped: the fetched feed has \(valid) valid rows, fewer than half of the partner's \(active) active products, "
            + "so it looks truncated; nothing was deactivated."
    }

    typealias Prepared<Row> = (rows: [(line: Int, row: Row)], diagnostics: [RowDiagnostic])

    /// Rows whose fingerprint their active product carries are staged unchanged, unread; the others
    /// are validated and staged whole, with their fingerprint. `lookups` decides which batches are
    /// looked up at all.
    static func prepareProducts(
        _ records: [CSVRecord], reader: ProductRowReader, partnerID: String, store: any ProductLoader & OrderLoader, lookups: FingerprintLookups
    ) async throws -> Prepared<StagedProduct> {
        let fingerprints = records.map { reader.fingerprint($0) }
        let known = fingerprints.compactMap { $0 }
        var unchanged: [Int64?] = []
        if !known.isEmpty, lookups.shouldLookUp() {
            unchanged = try await store.unchangedProducts(partnerID: partnerID, known)
            lookups.record(found: unchanged.contains { $0 != nil })
        }
        var next = unchanged.makeIterator()
        var prepared: Prepared<StagedProduct> = ([], [])
        prepared.rows.reserveCapacity(records.count)
        for (record, fingerprint) in zip(records, fingerprints) {
            if let fingerprint, case .some(.some(let product)) = next.next() {
                prepared.rows.append((record.line, .unchanged(line: record.line, fingerprint, product: product)))
                continue
            }
            switch reader.read(record) {
            case .success(let row): prepared.rows.append((record.line, StagedProduct(line: record.line, record: row, fingerprint: fingerprint?.digest)))
            case .failure(let diagnostic): prepared.diagnostics.append(diagnostic)
            }
        }
        return prepared
    }

    static func validate<Row>(_ records: [CSVRecord], _ read: (CSVRecord) -> Result<Row, RowDiagnostic>) -> Prepared<Row> {
        var prepared: Prepared<Row> = ([], [])
        prepared.rows.reserveCapacity(records.count)
        for record in records {
            switch read(record) {
            case .success(let row): prepared.rows.append((record.line, row))
            case .failure(let diagnostic): prepared.diagnostics.append(diagnostic)
            }
        }
        return prepared
    }

    /// Streams the object through the checksum, gzip and the feed's format into staging; returns the skipped count.
    /// A batch is prepared (looked up, validated) while the one before it is staged, and the next is
    /// parsed meanwhile; at most one batch is being staged.
    private func stageRows<Reader: Sendable, Row: Sendable>(
        of feed: Feed, jobID: String, progress: TaskProgress,
        makeReader: @escaping @Sendable ([String]) -> Reader,
        prepare: @escaping @Sendable (Reader, [CSVRecord]) async throws -> Prepared<Row>,
        stage: @escaping @Sendable ([(line: Int, row: Row)]) async throws -> [Int],
        duplicate: @escaping @Sendable (Int, Row) -> RowDiagnostic
    ) async throws -> Int64 {
        let mapping = feed.mappingJSON.flatMap { SourceMapping.decode($0, feedType: feed.feedType) }
        var pipeline = RowPipeline<Reader>(
            format: feed.format, feedType: feed.feedType, batchSize: batchSize, mapping: mapping, makeReader: makeReader)
        var hasher = SHA256()
        var gzip: GzipInflater?
        var sniffed = false
        var skipped: Int64 = 0
        var inFlight: Task<Int64, any Error>?
        let store = self.store

        func drain() async throws {
            let (runs, unreadable) = pipeline.takeBatch()
            guard !runs.isEmpty || !unreadable.isEmpty else { return }
            let preparing = Task {
                var prepared: Prepared<Row> = ([], unreadable)
                for run in runs {
                    let part = try await prepare(run.reader, run.records)
                    prepared.rows += part.rows
                    prepared.diagnostics += part.diagnostics
                }
                return prepared
            }
            if let previous = inFlight {
                do { skipped += try await previous.value } catch {
                    // Awaited so that no lookup outlives the failed job.
                    preparing.cancel()
                    _ = try? await preparing.value
                    throw error
                }
            }
            let recordCount = runs.reduce(unreadable.count) { $0 + $1.records.count }
            inFlight = Task {
                let (rows, invalid) = try await preparing.value
                var diagnostics = invalid
                if !rows.isEmpty {
                    let duplicateLines = try await stage(rows)
                    if !duplicateLines.isEmpty {
                        let duplicates = Set(duplicateLines)
                        for row in rows where duplicates.contains(row.line) { diagnostics.append(duplicate(row.line, row.row)) }
                    }
                }
                progress.add(Int64(recordCount))
                Counter(label: "catalog_etl_rows", dimensions: [("feed_type", feed.feedType.rawValue)])
                    .increment(by: recordCount)
                if !diagnostics.isEmpty {
                    try await store.recordDiagnostics(jobID: jobID, diagnostics.sorted { $0.line < $1.line })
                }
                return Int64(diagnostics.count)
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
                        do { try gzip.inflate(bytes) { try pipeline.consume($0) } } catch is GzipInflater.Failure {
                            throw TaskFailure.permanent("INVALID_FEED", "The raw file is not valid gzip data.")
                        }
                    } else {
                        try pipeline.consume(bytes)
                    }
                }
                if pipeline.hasBatch { try await drain() }
            }
            do { try gzip?.finish() } catch {
                throw TaskFailure.permanent("INVALID_FEED", "The raw gzip data ends prematurely.")
            }
            try pipeline.finish()
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
            throw TaskFailure.permanent(
                "CHECKSUM_MISMATCH", "The raw file's SHA-256 is \(digest), not \(feed.sha256) as recorded at upload.")
        }
        return skipped
    }

}
