import GRDB

/// Vendor sources and their fetches (issue 19); feeds remember the source that fetched them.
enum SQLiteSourceMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("014_sources") { db in
            try db.execute(sql: """
                CREATE TABLE sources (
                    seq INTEGER PRIMARY KEY,
                    source_id TEXT NOT NULL UNIQUE,
                    partner_name TEXT NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    url TEXT NOT NULL,
                    format TEXT,
                    feed_type TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    schedule TEXT,
                    auth TEXT,
                    auth_sealed TEXT,
                    mapping TEXT,
                    api TEXT,
                    max_requests_per_minute INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    next_fetch_at DATETIME,
                    failures_in_a_row INTEGER NOT NULL DEFAULT 0,
                    etag TEXT,
                    last_modified TEXT,
                    last_sha256 TEXT,
                    last_fetch_id TEXT,
                    created_at DATETIME NOT NULL,
                    deleted_at DATETIME
                );
                CREATE TABLE source_fetches (
                    seq INTEGER PRIMARY KEY,
                    fetch_id TEXT NOT NULL UNIQUE,
                    source_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    schedule_key TEXT UNIQUE,
                    http_status INTEGER,
                    pages INTEGER NOT NULL DEFAULT 0,
                    bytes INTEGER NOT NULL DEFAULT 0,
                    feed_id TEXT,
                    error TEXT,
                    started_at DATETIME,
                    finished_at DATETIME,
                    created_at DATETIME NOT NULL
                );
                CREATE INDEX source_fetches_by_source ON source_fetches (source_id, seq);
                ALTER TABLE feeds ADD COLUMN source_id TEXT;
                ALTER TABLE feeds ADD COLUMN mapping TEXT;
                ALTER TABLE jobs ADD COLUMN deactivation_skipped INTEGER NOT NULL DEFAULT 0;
                """)
        }
    }
}
