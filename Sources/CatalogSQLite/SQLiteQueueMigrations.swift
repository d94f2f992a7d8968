import GRDB

/// The one task queue (issue 20): every kind of background work in one table.
enum SQLiteQueueMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("008_task_queue") { db in
            try db.execute(sql: """
                CREATE TABLE tasks (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    unique_key TEXT UNIQUE,
                    serial_key TEXT,
                    state TEXT NOT NULL,
                    run_at DATETIME NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_expires_at DATETIME,
                    last_error TEXT,
                    created_at DATETIME NOT NULL,
                    finished_at DATETIME
                );
                CREATE INDEX tasks_due ON tasks (run_at, seq) WHERE state = 'waiting';
                CREATE INDEX tasks_leased ON tasks (lease_expires_at) WHERE state = 'running';
                CREATE INDEX tasks_serial ON tasks (serial_key) WHERE state = 'running';
                ALTER TABLE jobs ADD COLUMN runs INTEGER NOT NULL DEFAULT 0;
                -- Jobs requested before, or running when the last process stopped, carry on as tasks.
                UPDATE jobs SET status = 'queued', runs = 1
                WHERE job_type = 'validation' AND (status = 'running' OR (status = 'queued' AND run_requested_at IS NOT NULL));
                INSERT INTO tasks (kind, payload, unique_key, serial_key, state, run_at, created_at)
                SELECT 'feed.validate', json_object('job_id', j.job_id), j.job_id || '#1', f.partner_id, 'waiting',
                    coalesce(j.run_after, j.created_at), j.created_at
                FROM jobs j JOIN feeds f ON f.feed_id = j.feed_id
                WHERE j.job_type = 'validation' AND j.status = 'queued' AND j.runs = 1;
                DROP INDEX jobs_runnable;
                ALTER TABLE jobs DROP COLUMN lease_owner;
                ALTER TABLE jobs DROP COLUMN lease_expires_at;
                ALTER TABLE jobs DROP COLUMN run_after;
                ALTER TABLE jobs DROP COLUMN run_requested_at;
                """)
        }
    }
}
