import CatalogCore
import Foundation
import Logging
import PostgresNIO

/// What a node's product cache reads from the primary database.
extension PostgresCatalogStore: ProductChangeSource {
    public func activeProducts(afterSeq: Int64, limit: Int) async throws -> [Product] {
        try await withConnection(.upTo(.seconds(120))) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.productColumns) FROM products
                WHERE status = 'active' AND seq > \(afterSeq) ORDER BY seq LIMIT \(limit)
                """, logger: self.logger).rows().map(Self.product(from:))
        }
    }

    public func products(lastChangedBy feedID: String, afterSeq: Int64, limit: Int) async throws -> [Product] {
        try await withConnection(.upTo(.seconds(120))) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.productColumns) FROM products
                WHERE feed_id = \(feedID) AND seq > \(afterSeq) ORDER BY seq LIMIT \(limit)
                """, logger: self.logger).rows().map(Self.product(from:))
        }
    }

    public func completedJobs(since: Date) async throws -> [CompletedJob] {
        try await withConnection { connection in
            try await connection.query("""
                SELECT job_id, feed_id, finished_at FROM jobs
                WHERE job_type = 'validation' AND status = 'completed' AND finished_at >= \(since)
                """, logger: self.logger).rows().map { row in
                CompletedJob(
                    jobID: try row[0].decode(String.self), feedID: try row[1].decode(String.self),
                    finishedAt: try row[2].decode(Date.self))
            }
        }
    }
}
