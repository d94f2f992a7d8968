import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: JobRepository {
    public func job(id: String) async throws -> Job? {
        try await withConnection { connection in try await Self.job(id: id, connection, self.logger) }
    }

    public func listJobs(_ filter: JobFilter, _ page: PageRequest) async throws -> Page<Job> {
        try await withConnection { connection in
            var binds = PostgresBindings()
            binds.append(page.after ?? Int64.max)
            var conditions = ["seq < $1"]
            let equalities: [(String, String?)] = [
                ("status", filter.status?.rawValue), ("job_type", filter.jobType?.rawValue),
                ("feed_id", filter.feedID), ("partner_name", filter.partnerName),
            ]
            for case let (column, value?) in equalities {
                binds.append(value)
                conditions.append("\(column) = $\(binds.count)")
            }
            binds.append(page.limit + 1)
            let sql = "SELECT * FROM jobs WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq DESC LIMIT $\(binds.count)"
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).rows()
            return try Self.page(rows, limit: page.limit, map: Self.job(from:))
        }
    }

    public func jobCounts() async throws -> [JobCount] {
        try await withConnection { connection in
            try await connection.query("SELECT job_type, status, count(*) AS n FROM jobs GROUP BY job_type, status", logger: self.logger)
                .rows().compactMap { row in
                    guard let type = JobType(rawValue: try row.value("job_type")),
                          let status = JobStatus(rawValue: try row.value("status"))
                    else { return nil }
                    return JobCount(jobType: type, status: status, count: try row.value("n"))
                }
        }
    }

    static func job(id: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Job? {
        try await connection.query("SELECT * FROM jobs WHERE job_id = \(id)", logger: logger).first().map(job(from:))
    }

    static func job(from row: PostgresRandomAccessRow) throws -> Job {
        var summary: JobSummary?
        if let total: Int64 = try row.optional("rows_total") {
            var value = JobSummary()
            value.rowsTotal = total
            value.inserted = try row.optional("inserted") ?? 0
            value.updated = try row.optional("updated") ?? 0
            value.unchanged = try row.optional("unchanged") ?? 0
            value.skipped = try row.optional("skipped") ?? 0
            value.deactivated = try row.optional("deactivated") ?? 0
            value.deactivationSkipped = try row.optional("deactivation_skipped") ?? false
            summary = value
        }
        let errorCode: String? = try row.optional("error_code")
        let errorMessage: String? = try row.optional("error_message")
        return Job(
            jobID: try row.value("job_id"), jobType: JobType(rawValue: try row.value("job_type")) ?? .validation,
            feedID: try row.value("feed_id"), partnerName: try row.value("partner_name"),
            status: JobStatus(rawValue: try row.value("status")) ?? .queued, attempts: try row.value("attempts"),
            createdAt: try row.value("created_at"), startedAt: try row.optional("started_at"),
            finishedAt: try row.optional("finished_at"), rowsRead: try row.value("rows_read"), summary: summary,
            message: try row.optional("message"), error: errorCode.map { JobFailure(code: $0, message: errorMessage ?? "") },
            changePosition: try row.optional("change_position"))
    }
}
