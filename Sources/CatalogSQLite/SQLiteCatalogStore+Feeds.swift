import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: FeedRepository {
    private static let feedSelect = """
        SELECT f.*, j.status AS validation_status, j.message AS validation_message
        FROM feeds f JOIN jobs j ON j.job_id = f.validation_job_id
        """

    public func createFeed(_ new: NewFeed) async throws -> Feed {
        try await write { db in
            let partner: Partner
            if let existing = try Self.partner(named: new.partnerName, db) {
                partner = existing
            } else if new.createPartnerIfMissing {
                partner = try Self.insertPartner(name: new.partnerName, displayName: new.partnerName, at: new.uploadedAt, db)
            } else {
                throw CatalogError.notFound("Partner", new.partnerName)
            }
            let submissionID = try Self.allocate(.submissionJob, db)
            let validationID = try Self.allocate(.validationJob, db)
            try db.execute(sql: """
                INSERT INTO feeds (seq, feed_id, partner_id, partner_name, feed_type, mode, file_name, content_type,
                    size_bytes, sha256, status, uploaded_at, submission_job_id, validation_job_id, raw_file_bucket, raw_file_key,
                    format, source_id, mapping)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    IDKind.feed.number(of: new.feedID), new.feedID, partner.partnerID, partner.partnerName,
                    new.feedType.rawValue, new.mode.rawValue, new.fileName, new.contentType, new.sizeBytes, new.sha256,
                    FeedStatus.uploaded.rawValue, new.uploadedAt, submissionID, validationID, new.rawFileBucket, new.rawFileKey,
                    new.format.rawValue, new.sourceID, new.mappingJSON,
                ])
            try db.execute(sql: """
                INSERT INTO jobs (job_id, job_type, feed_id, partner_name, status, attempts, created_at, started_at,
                    finished_at, message)
                VALUES (?, 'submission', ?, ?, 'completed', 1, ?, ?, ?, ?)
                """, arguments: [
                    submissionID, new.feedID, partner.partnerName, new.uploadedAt, new.uploadedAt, new.uploadedAt,
                    "Feed received: \(new.sizeBytes) bytes stored as \(new.rawFileKey). Validation job \(validationID) queued.",
                ])
            try db.execute(sql: """
                INSERT INTO jobs (job_id, job_type, feed_id, partner_name, status, attempts, created_at, message, runs)
                VALUES (?, 'validation', ?, ?, 'queued', 0, ?, ?, ?)
                """, arguments: [validationID, new.feedID, partner.partnerName, new.uploadedAt, "Queued for validation.",
                                 new.runValidation ? 1 : 0])
            if new.runValidation {
                _ = try Self.insert([FeedValidation.task(jobID: validationID, partnerID: partner.partnerID, run: 1, at: new.uploadedAt)], db)
            }
            if let idempotency = new.idempotency {
                try db.execute(sql: """
                    DELETE FROM idempotency_keys WHERE partner_name = ? AND idempotency_key = ? AND created_at < ?
                    """, arguments: [
                        idempotency.partnerName, idempotency.key,
                        idempotency.createdAt.addingTimeInterval(-FeedUploadService.idempotencyWindow),
                    ])
                do {
                    try db.execute(sql: """
                        INSERT INTO idempotency_keys (partner_name, idempotency_key, fingerprint, feed_id, created_at)
                        VALUES (?, ?, ?, ?, ?)
                        """, arguments: [
                            idempotency.partnerName, idempotency.key, idempotency.fingerprint, idempotency.feedID,
                            idempotency.createdAt,
                        ])
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                    throw CatalogError(.idempotencyConflict, "Idempotency-Key '\(idempotency.key)' is in use.")
                }
            }
            let feed = try Self.feed(id: new.feedID, db)!
            try Self.record(.feedUploaded(feed), db)
            return feed
        }
    }

    public func feed(id: String) async throws -> Feed? {
        try await read { db in try Self.feed(id: id, db) }
    }

    public func listFeeds(_ filter: FeedFilter, _ page: PageRequest) async throws -> Page<Feed> {
        try await read { db in
            var conditions = ["f.seq < ?"]
            var arguments: StatementArguments = [page.after ?? Int64.max]
            if let partnerName = filter.partnerName {
                conditions.append("f.partner_name = ?")
                _ = arguments.append(contentsOf: [partnerName])
            }
            if let status = filter.status {
                conditions.append("f.status = ?")
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let feedType = filter.feedType {
                conditions.append("f.feed_type = ?")
                _ = arguments.append(contentsOf: [feedType.rawValue])
            }
            _ = arguments.append(contentsOf: [page.limit + 1])
            let rows = try Row.fetchAll(db, sql: """
                \(Self.feedSelect) WHERE \(conditions.joined(separator: " AND ")) ORDER BY f.seq DESC LIMIT ?
                """, arguments: arguments)
            return Self.page(rows, limit: page.limit, map: Self.feed(from:))
        }
    }

    public func idempotencyRecord(partnerName: String, key: String, notBefore: Date) async throws -> IdempotencyRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM idempotency_keys WHERE partner_name = ? AND idempotency_key = ? AND created_at >= ?
                """, arguments: [partnerName, key, notBefore]).map { row in
                IdempotencyRecord(
                    partnerName: row["partner_name"], key: row["idempotency_key"], fingerprint: row["fingerprint"],
                    feedID: row["feed_id"], createdAt: row["created_at"])
            }
        }
    }

    static func feed(id: String, _ db: Database) throws -> Feed? {
        try Row.fetchOne(db, sql: "\(feedSelect) WHERE f.feed_id = ?", arguments: [id]).map(feed(from:))
    }

    static func feed(from row: Row) -> Feed {
        Feed(
            feedID: row["feed_id"], partnerID: row["partner_id"], partnerName: row["partner_name"],
            feedType: FeedType(rawValue: row["feed_type"]) ?? .products, mode: FeedMode(rawValue: row["mode"]) ?? .delta,
            fileName: row["file_name"], contentType: row["content_type"], sizeBytes: row["size_bytes"],
            sha256: row["sha256"], status: FeedStatus(rawValue: row["status"]) ?? .uploaded, uploadedAt: row["uploaded_at"],
            submissionJobID: row["submission_job_id"], validationJobID: row["validation_job_id"],
            validationStatus: JobStatus(rawValue: row["validation_status"]) ?? .queued,
            validationMessage: row["validation_message"], rawFileBucket: row["raw_file_bucket"],
            rawFileKey: row["raw_file_key"], format: FeedFormat(rawValue: row["format"]) ?? .csv,
            sourceID: row["source_id"], mappingJSON: row["mapping"])
    }
}
