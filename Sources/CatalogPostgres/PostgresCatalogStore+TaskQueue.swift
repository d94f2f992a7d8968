import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: TaskQueue {
    /// Serialises claims across processes, so that two workers never start tasks of one serial key
    /// together (row locks alone cannot see a claim another transaction has not committed yet).
    static let claimLock: Int64 = 0x7061_7274_6e65_7202

    public func enqueue(_ tasks: [NewTask]) async throws -> Int {
        guard !tasks.isEmpty else { return 0 }
        return try await transaction { connection in try await Self.insert(tasks, connection, self.logger) }
    }

    public func claim(kinds: Set<TaskKind>, owner: String, now: Date, leaseFor: TimeInterval) async throws -> ClaimedTask? {
        guard !kinds.isEmpty else { return nil }
        let kindList = kinds.map(\.rawValue).sorted()
        return try await transaction { connection in
            let logger = self.logger
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLock))", logger: logger).drain()
            // Leases that ran out first (their tasks were due longest ago), then due tasks in order.
            var candidate = try await connection.query("""
                SELECT t.seq FROM tasks t
                WHERE t.state = 'running' AND t.lease_expires_at < \(now) AND t.kind = ANY(\(kindList))
                  AND (t.serial_key IS NULL OR NOT EXISTS (
                      SELECT 1 FROM tasks r WHERE r.serial_key = t.serial_key AND r.state = 'running'
                        AND r.lease_expires_at >= \(now) AND r.seq <> t.seq))
                ORDER BY t.lease_expires_at, t.seq LIMIT 1
                FOR UPDATE SKIP LOCKED
                """, logger: logger).one(Int64.self)
            if candidate == nil {
                candidate = try await connection.query("""
                    SELECT t.seq FROM tasks t
                    WHERE t.state = 'waiting' AND t.run_at <= \(now) AND t.kind = ANY(\(kindList))
                      AND (t.serial_key IS NULL OR NOT EXISTS (
                          SELECT 1 FROM tasks r WHERE r.serial_key = t.serial_key AND r.state = 'running'
                            AND r.lease_expires_at >= \(now)))
                    ORDER BY t.run_at, t.seq LIMIT 1
                    FOR UPDATE SKIP LOCKED
                    """, logger: logger).one(Int64.self)
            }
            guard let candidate else { return nil }
            guard let row = try await connection.query("""
                UPDATE tasks SET state = 'running', lease_owner = \(owner), lease_expires_at = \(now.addingTimeInterval(leaseFor)),
                    attempts = attempts + 1
                WHERE seq = \(candidate)
                RETURNING seq, kind, payload, attempts, last_error, created_at
                """, logger: logger).first()
            else { return nil }
            return ClaimedTask(
                lease: TaskLease(taskID: try row.value("seq"), owner: owner), kind: TaskKind(rawValue: try row.value("kind")),
                payload: try row.value("payload"), attempt: Int(try row.value("attempts", Int32.self)),
                lastError: try row.optional("last_error"), createdAt: try row.value("created_at"))
        }
    }

    public func heartbeat(_ lease: TaskLease, now: Date, leaseFor: TimeInterval) async throws -> Bool {
        try await withConnection { connection in
            try await connection.query("""
                UPDATE tasks SET lease_expires_at = \(now.addingTimeInterval(leaseFor))
                WHERE seq = \(lease.taskID) AND lease_owner = \(lease.owner) AND state = 'running'
                RETURNING 1
                """, logger: self.logger).one(Int.self) != nil
        }
    }

    public func finish(_ lease: TaskLease, _ outcome: TaskOutcome, now: Date) async throws -> Bool {
        try await withConnection { connection in try await Self.finish(lease, outcome, now: now, connection, self.logger) }
    }

    public func pruneTasks(finishedBefore date: Date) async throws -> Int {
        try await withConnection(.upTo(.seconds(300))) { connection in
            Int(try await connection.query("""
                WITH gone AS (DELETE FROM tasks WHERE state IN ('completed', 'failed') AND finished_at < \(date) RETURNING 1)
                SELECT count(*) FROM gone
                """, logger: self.logger).one(Int64.self) ?? 0)
        }
    }

    /// Inside the transactions that add tasks beside other changes (feeds, events); wakes idle
    /// workers in every process once the transaction commits.
    static func insert(_ tasks: [NewTask], _ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        var added = 0
        for task in tasks {
            let inserted = try await connection.query("""
                INSERT INTO tasks (kind, payload, unique_key, serial_key, state, run_at)
                VALUES (\(task.kind.rawValue), \(task.payload), \(task.uniqueKey), \(task.serialKey), 'waiting', \(task.runAt))
                ON CONFLICT (unique_key) DO NOTHING
                RETURNING 1
                """, logger: logger).one(Int.self)
            if inserted != nil { added += 1 }
        }
        if added > 0 { try await notify(.taskQueued, payload: "", connection, logger) }
        return added
    }

    /// Ends an attempt inside the caller's transaction; false when `lease` is not held.
    static func finish(_ lease: TaskLease, _ outcome: TaskOutcome, now: Date, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Bool
    {
        let updated: Int?
        switch outcome {
        case .completed:
            updated = try await connection.query("""
                UPDATE tasks SET state = 'completed', finished_at = \(now), lease_owner = NULL, lease_expires_at = NULL
                WHERE seq = \(lease.taskID) AND lease_owner = \(lease.owner) AND state = 'running'
                RETURNING 1
                """, logger: logger).one(Int.self)
        case .retry(let at, let error):
            updated = try await connection.query("""
                UPDATE tasks SET state = 'waiting', run_at = \(at), last_error = \(error), lease_owner = NULL, lease_expires_at = NULL
                WHERE seq = \(lease.taskID) AND lease_owner = \(lease.owner) AND state = 'running'
                RETURNING 1
                """, logger: logger).one(Int.self)
        case .failed(let error):
            updated = try await connection.query("""
                UPDATE tasks SET state = 'failed', finished_at = \(now), last_error = \(error), lease_owner = NULL,
                    lease_expires_at = NULL
                WHERE seq = \(lease.taskID) AND lease_owner = \(lease.owner) AND state = 'running'
                RETURNING 1
                """, logger: logger).one(Int.self)
        }
        return updated != nil
    }

    static func holds(_ lease: TaskLease, _ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        try await connection.query("""
            SELECT 1 FROM tasks WHERE seq = \(lease.taskID) AND lease_owner = \(lease.owner) AND state = 'running'
            """, logger: logger).one(Int.self) != nil
    }
}
