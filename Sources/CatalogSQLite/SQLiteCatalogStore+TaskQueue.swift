import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: TaskQueue {
    public func enqueue(_ tasks: [NewTask]) async throws -> Int {
        try await write { db in try Self.insert(tasks, db) }
    }

    public func claim(kinds: Set<TaskKind>, owner: String, now: Date, leaseFor: TimeInterval) async throws -> ClaimedTask? {
        guard !kinds.isEmpty else { return nil }
        return try await write { db in
            let kindList = kinds.map(\.rawValue).sorted()
            let placeholders = Array(repeating: "?", count: kindList.count).joined(separator: ", ")
            let free = """
                (t.serial_key IS NULL OR NOT EXISTS (
                    SELECT 1 FROM tasks r WHERE r.serial_key = t.serial_key AND r.state = 'running'
                      AND r.lease_expires_at >= ? AND r.seq <> t.seq))
                """
            // Leases that ran out first (their tasks were due longest ago), then due tasks in order.
            let expired = try Int64.fetchOne(db, sql: """
                SELECT t.seq FROM tasks t
                WHERE t.state = 'running' AND t.lease_expires_at < ? AND t.kind IN (\(placeholders)) AND \(free)
                ORDER BY t.lease_expires_at, t.seq LIMIT 1
                """, arguments: StatementArguments([now] + kindList + [now]))
            let candidate = try expired ?? Int64.fetchOne(db, sql: """
                SELECT t.seq FROM tasks t
                WHERE t.state = 'waiting' AND t.run_at <= ? AND t.kind IN (\(placeholders)) AND \(free)
                ORDER BY t.run_at, t.seq LIMIT 1
                """, arguments: StatementArguments([now] + kindList + [now]))
            guard let candidate else { return nil }
            let row = try Row.fetchOne(db, sql: """
                UPDATE tasks SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1
                WHERE seq = ?
                RETURNING seq, kind, payload, attempts, last_error, created_at
                """, arguments: [owner, now.addingTimeInterval(leaseFor), candidate])!
            return ClaimedTask(
                lease: TaskLease(taskID: row["seq"], owner: owner), kind: TaskKind(rawValue: row["kind"]), payload: row["payload"],
                attempt: row["attempts"], lastError: row["last_error"], createdAt: row["created_at"])
        }
    }

    public func heartbeat(_ lease: TaskLease, now: Date, leaseFor: TimeInterval) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE tasks SET lease_expires_at = ? WHERE seq = ? AND lease_owner = ? AND state = 'running'
                """, arguments: [now.addingTimeInterval(leaseFor), lease.taskID, lease.owner])
            return db.changesCount > 0
        }
    }

    public func finish(_ lease: TaskLease, _ outcome: TaskOutcome, now: Date) async throws -> Bool {
        try await write { db in try Self.finish(lease, outcome, now: now, db) }
    }

    public func pruneTasks(finishedBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM tasks WHERE state IN ('completed', 'failed') AND finished_at < ?", arguments: [date])
            return db.changesCount
        }
    }

    /// Inside the transactions that add tasks beside other changes (feeds, events).
    static func insert(_ tasks: [NewTask], _ db: Database) throws -> Int {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO tasks (kind, payload, unique_key, serial_key, state, run_at, created_at)
            VALUES (?, ?, ?, ?, 'waiting', ?, ?)
            ON CONFLICT (unique_key) DO NOTHING
            """)
        var added = 0
        let now = Date()
        for task in tasks {
            try insert.execute(arguments: [task.kind.rawValue, task.payload, task.uniqueKey, task.serialKey, task.runAt, now])
            added += db.changesCount
        }
        return added
    }

    /// Ends an attempt inside the caller's transaction; false when `lease` is not held.
    static func finish(_ lease: TaskLease, _ outcome: TaskOutcome, now: Date, _ db: Database) throws -> Bool {
        let held = "seq = ? AND lease_owner = ? AND state = 'running'"
        switch outcome {
        case .completed:
            try db.execute(sql: """
                UPDATE tasks SET state = 'completed', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL WHERE \(held)
                """, arguments: [now, lease.taskID, lease.owner])
        case .retry(let at, let error):
            try db.execute(sql: """
                UPDATE tasks SET state = 'waiting', run_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE \(held)
                """, arguments: [at, error, lease.taskID, lease.owner])
        case .failed(let error):
            try db.execute(sql: """
                UPDATE tasks SET state = 'failed', finished_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE \(held)
                """, arguments: [now, error, lease.taskID, lease.owner])
        }
        return db.changesCount > 0
    }

    static func holds(_ lease: TaskLease, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM tasks WHERE seq = ? AND lease_owner = ? AND state = 'running')
            """, arguments: [lease.taskID, lease.owner]) ?? false
    }
}
