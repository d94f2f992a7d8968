import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: JobRepository {
    public func job(id: String) async throws -> Job? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE job_id = ?", arguments: [id]).map(Self.job(from:))
        }
    }

    public func listJobs(_ filter: JobFilter, _ page: PageRequest) async throws -> Page<Job> {
        try await read { db in
            var conditions = ["seq < ?"]
            var arguments: StatementArguments = [page.after ?? Int64.max]
            let equalities: [(String, String?)] = [
                ("status", filter.status?.rawValue), ("job_type", filter.jobType?.rawValue),
                ("feed_id", filter.feedID), ("partner_name", filter.partnerName),
            ]
            for case let (column, value?) in equalities {
                conditions.append("\(column) = ?")
                _ = arguments.append(contentsOf: [value])
            }
            _ = arguments.append(contentsOf: [page.limit + 1])
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM jobs WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq DESC LIMIT ?
                """, arguments: arguments)
            return Self.page(rows, limit: page.limit, map: Self.job(from:))
        }
    }

    public func jobCounts() async throws -> [JobCount] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT job_type, status, count(*) AS n FROM jobs GROUP BY job_type, status").compactMap { row in
                guard let type = JobType(rawValue: row["job_type"]), let status = JobStatus(rawValue: row["status"]) else { return nil }
                return JobCount(jobType: type, status: status, count: row["n"])
            }
        }
    }

    static func job(from row: Row) -> Job {
        var summary: JobSummary?
        if let total: Int64 = row["rows_total"] {
            var value = JobSummary()
            value.rowsTotal = total
            value.inserted = row["inserted"] ?? 0
            value.updated = row["updated"] ?? 0
            value.unchanged = row["unchanged"] ?? 0
            value.skipped = row["skipped"] ?? 0
            value.deactivated = row["deactivated"] ?? 0
            value.deactivationSkipped = row["deactivation_skipped"] ?? false
            summary = value
        }
        let errorCode: String? = row["error_code"]
        return Job(
            jobID: row["job_id"], jobType: JobType(rawValue: row["job_type"]) ?? .validation, feedID: row["feed_id"],
            partnerName: row["partner_name"], status: JobStatus(rawValue: row["status"]) ?? .queued,
            attempts: row["attempts"], createdAt: row["created_at"], startedAt: row["started_at"],
            finishedAt: row["finished_at"], rowsRead: row["rows_read"], summary: summary, message: row["message"],
            error: errorCode.map { JobFailure(code: $0, message: row["error_message"] ?? "") },
            changePosition: row["change_position"])
    }
}
