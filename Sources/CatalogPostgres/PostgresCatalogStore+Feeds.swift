import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: FeedRepository {
    static let feedSelect = """
        SELECT f.*, j.status AS validation_status, j.message AS validation_message
        FROM feeds f JOIN jobs j ON j.job_id = f.validation_job_id
        """

    public func createFeed(_ new: NewFeed) async throws -> Feed {
        try await transaction { connection in
            let logger = self.logger
            let partner: Partner
            if let existing = try await Self.partner(named: new.partnerName, connection, logger) {
                partner = existing
            } else if new.createPartnerIfMissing {
                partner = try await Self.insertPartner(
                    name: new.partnerName, displayName: new.partnerName, at: new.uploadedAt, connection, logger)
            } else {
                throw CatalogError.notFound("Partner", new.partnerName)
            }
            let submissionID = try await Self.allocate(.submissionJob, count: 1, connection, logger).formatted
            let validationID = try await Self.allocate(.validationJob, count: 1, connection, logger).formatted
            let feedSeq = IDKind.feed.number(of: new.feedID) ?? 0
            try await connection.query("""
                INSERT INTO feeds (seq, feed_id, partner_id, partner_name, feed_type, mode, file_name, content_type,
                    size_bytes, sha256, status, uploaded_at, submission_job_id, validation_job_id, raw_file_bucket, raw_file_key,
                    format, source_id, mapping)
                VALUES (\(feedSeq), \(new.feedID), \(partner.partnerID), \(partner.partnerName), \(new.feedType.rawValue),
                    \(new.mode.rawValue), \(new.fileName), \(new.contentType), \(new.sizeBytes), \(new.sha256),
                    \(FeedStatus.uploaded.rawValue), \(new.uploadedAt), \(submissionID), \(validationID),
                    \(new.rawFileBucket), \(new.rawFileKey), \(new.format.rawValue), \(new.sourceID), \(new.mappingJSON))
                """, logger: logger).drain()
            let receipt = "Feed received: \(new.sizeBytes) bytes stored as \(new.rawFileKey). Validation job \(validationID) queued."
            try await connection.query("""
                INSERT INTO jobs (job_id, job_type, feed_id, partner_name, status, attempts, created_at, started_at,
                    finished_at, message)
                VALUES (\(submissionID), 'submission', \(new.feedID), \(partner.partnerName), 'completed', 1, \(new.uploadedAt),
                    \(new.uploadedAt), \(new.uploadedAt), \(receipt))
                """, logger: logger).drain()
            try await connection.query("""
                INSERT INTO jobs (job_id, job_type, feed_id, partner_name, status, attempts, created_at, message, runs)
                VALUES (\(validationID), 'validation', \(new.feedID), \(partner.partnerName), 'queued', 0, \(new.uploadedAt),
                    'Queued for validation.', \(new.runValidation ? 1 : 0))
                """, logger: logger).drain()
            if new.runValidation {
                let task = FeedValidation.task(jobID: validationID, partnerID: partner.partnerID, run: 1, at: new.uploadedAt)
                _ = try await Self.insert([task], connection, logger)
            }
            if let idempotency = new.idempotency {
                let expired = idempotency.createdAt.addingTimeInterval(-FeedUploadService.idempotencyWindow)
                try await connection.query("""
                    DELETE FROM idempotency_keys
                    WHERE partner_name = \(idempotency.partnerName) AND idempotency_key = \(idempotency.key) AND created_at < \(expired)
                    """, logger: logger).drain()
                let inserted = try await connection.query("""
                    INSERT INTO idempotency_keys (partner_name, idempotency_key, fingerprint, feed_id, created_at)
                    VALUES (\(idempotency.partnerName), \(idempotency.key), \(idempotency.fingerprint), \(idempotency.feedID),
                        \(idempotency.createdAt))
                    ON CONFLICT DO NOTHING
                    RETURNING 1
                    """, logger: logger).one(Int.self)
                if inserted == nil {
                    throw CatalogError(.idempotencyConflict, "Idempotency-Key '\(idempotency.key)' is in use.")
                }
            }
            guard let feed = try await Self.feed(id: new.feedID, connection, logger) else {
                throw CatalogError(.internal, "The new feed \(new.feedID) was not stored.")
            }
            try await Self.record(.feedUploaded(feed), connection, logger)
            return feed
        }
    }

    public func feed(id: String) async throws -> Feed? {
        try await withConnection { connection in try await Self.feed(id: id, connection, self.logger) }
    }

    public func listFeeds(_ filter: FeedFilter, _ page: PageRequest) async throws -> Page<Feed> {
        try await withConnection { connection in
            var conditions = ["f.seq < $1"]
            var binds = PostgresBindings()
            binds.append(page.after ?? Int64.max)
            for (column, value) in [("f.partner_name", filter.partnerName), ("f.status", filter.status?.rawValue),
                                    ("f.feed_type", filter.feedType?.rawValue)] {
                guard let value else { continue }
                binds.append(value)
                conditions.append("\(column) = $\(binds.count)")
            }
            binds.append(page.limit + 1)
            let sql = "\(Self.feedSelect) WHERE \(conditions.joined(separator: " AND ")) ORDER BY f.seq DESC LIMIT $\(binds.count)"
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).rows()
            return try Self.page(rows, limit: page.limit, map: Self.feed(from:))
        }
    }

    public func idempotencyRecord(partnerName: String, key: String, notBefore: Date) async throws -> IdempotencyRecord? {
        try await withConnection { connection in
            try await connection.query("""
                SELECT * FROM idempotency_keys
                WHERE partner_name = \(partnerName) AND idempotency_key = \(key) AND created_at >= \(notBefore)
                """, logger: self.logger).first().map { row in
                IdempotencyRecord(
                    partnerName: try row.value("partner_name"), key: try row.value("idempotency_key"),
                    fingerprint: try row.value("fingerprint"), feedID: try row.value("feed_id"), createdAt: try row.value("created_at"))
            }
        }
    }

    static func feed(id: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Feed? {
        try await connection.query("\(unescaped: feedSelect) WHERE f.feed_id = \(id)", logger: logger).first().map(feed(from:))
    }

    static func feed(from row: PostgresRandomAccessRow) throws -> Feed {
        Feed(
            feedID: try row.value("feed_id"), partnerID: try row.value("partner_id"), partnerName: try row.value("partner_name"),
            feedType: FeedType(rawValue: try row.value("feed_type")) ?? .products,
            mode: FeedMode(rawValue: try row.value("mode")) ?? .delta,
            fileName: try row.value("file_name"), contentType: try row.value("content_type"), sizeBytes: try row.value("size_bytes"),
            sha256: try row.value("sha256"), status: FeedStatus(rawValue: try row.value("status")) ?? .uploaded,
            uploadedAt: try row.value("uploaded_at"), submissionJobID: try row.value("submission_job_id"),
            validationJobID: try row.value("validation_job_id"),
            validationStatus: JobStatus(rawValue: try row.value("validation_status")) ?? .queued,
            validationMessage: try row.optional("validation_message"), rawFileBucket: try row.value("raw_file_bucket"),
            rawFileKey: try row.value("raw_file_key"), format: FeedFormat(rawValue: try row.value("format")) ?? .csv,
            sourceID: try row.optional("source_id"), mappingJSON: try row.optional("mapping"))
    }
}
