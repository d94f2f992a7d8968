import GRDB

/// Versioned schema. Append new migrations; never edit one that has shipped.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001_spine") { db in
            try db.execute(sql: """
                CREATE TABLE id_counters (
                    kind TEXT PRIMARY KEY,
                    value INTEGER NOT NULL
                );
                CREATE TABLE partners (
                    seq INTEGER PRIMARY KEY,
                    partner_id TEXT NOT NULL UNIQUE,
                    partner_name TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE api_keys (
                    seq INTEGER PRIMARY KEY,
                    key_id TEXT NOT NULL UNIQUE,
                    key_hash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    partner_id TEXT REFERENCES partners (partner_id),
                    label TEXT,
                    created_at DATETIME NOT NULL,
                    revoked_at DATETIME
                );
                CREATE TABLE feeds (
                    seq INTEGER PRIMARY KEY,
                    feed_id TEXT NOT NULL UNIQUE,
                    partner_id TEXT NOT NULL REFERENCES partners (partner_id),
                    partner_name TEXT NOT NULL,
                    feed_type TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size_bytes INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    status TEXT NOT NULL,
                    uploaded_at DATETIME NOT NULL,
                    submission_job_id TEXT NOT NULL,
                    validation_job_id TEXT NOT NULL,
                    raw_file_bucket TEXT NOT NULL,
                    raw_file_key TEXT NOT NULL UNIQUE
                );
                CREATE INDEX feeds_by_partner ON feeds (partner_name, seq);
                CREATE INDEX feeds_by_status ON feeds (status, seq);
                CREATE TABLE jobs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id TEXT NOT NULL UNIQUE,
                    job_type TEXT NOT NULL,
                    feed_id TEXT NOT NULL REFERENCES feeds (feed_id),
                    partner_name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    created_at DATETIME NOT NULL,
                    started_at DATETIME,
                    finished_at DATETIME,
                    rows_read INTEGER NOT NULL DEFAULT 0,
                    rows_total INTEGER,
                    inserted INTEGER,
                    updated INTEGER,
                    unchanged INTEGER,
                    skipped INTEGER,
                    deactivated INTEGER,
                    message TEXT,
                    error_code TEXT,
                    error_message TEXT,
                    lease_owner TEXT,
                    lease_expires_at DATETIME,
                    run_after DATETIME
                );
                CREATE INDEX jobs_by_status ON jobs (status, seq);
                CREATE INDEX jobs_by_feed ON jobs (feed_id);
                CREATE INDEX jobs_by_partner ON jobs (partner_name, seq);
                CREATE TABLE idempotency_keys (
                    partner_name TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    feed_id TEXT NOT NULL REFERENCES feeds (feed_id),
                    created_at DATETIME NOT NULL,
                    PRIMARY KEY (partner_name, idempotency_key)
                );
                """)
        }
        migrator.registerMigration("002_etl") { db in
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN run_requested_at DATETIME;
                CREATE INDEX jobs_runnable ON jobs (job_type, status, seq);
                CREATE TABLE products (
                    seq INTEGER PRIMARY KEY,
                    product_id TEXT NOT NULL UNIQUE,
                    partner_id TEXT NOT NULL REFERENCES partners (partner_id),
                    partner_name TEXT NOT NULL,
                    sku TEXT NOT NULL,
                    product_name TEXT NOT NULL,
                    description TEXT,
                    brand TEXT,
                    category TEXT,
                    price_units INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    availability TEXT NOT NULL,
                    quantity INTEGER,
                    image_urls TEXT NOT NULL,
                    attributes TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    status TEXT NOT NULL,
                    feed_id TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                    UNIQUE (partner_id, sku)
                );
                CREATE INDEX products_by_status ON products (status, seq);
                CREATE TABLE orders (
                    seq INTEGER PRIMARY KEY,
                    order_id TEXT NOT NULL UNIQUE,
                    partner_id TEXT NOT NULL REFERENCES partners (partner_id),
                    partner_name TEXT NOT NULL,
                    partner_order_id TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    ordered_at DATETIME NOT NULL,
                    feed_id TEXT,
                    created_at DATETIME NOT NULL,
                    UNIQUE (partner_id, partner_order_id)
                );
                CREATE TABLE order_lines (
                    order_seq INTEGER NOT NULL REFERENCES orders (seq),
                    sku TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    unit_price_units INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    ordered_at DATETIME NOT NULL,
                    content_hash TEXT NOT NULL,
                    feed_id TEXT,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                    PRIMARY KEY (order_seq, sku)
                );
                CREATE INDEX order_lines_by_time ON order_lines (ordered_at);
                CREATE TABLE job_errors (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    sku TEXT,
                    column_name TEXT,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL,
                    value TEXT
                );
                CREATE INDEX job_errors_by_job ON job_errors (job_id, seq);
                """)
        }
        migrator.registerMigration("003_diagnostics_by_line") { db in
            // Diagnostics page in line order, whether found while staging or while merging.
            try db.execute(sql: """
                DROP INDEX job_errors_by_job;
                CREATE UNIQUE INDEX job_errors_by_line ON job_errors (job_id, line);
                """)
        }
        SQLiteReadPathMigrations.register(&migrator)
        SQLiteAnalyticsMigrations.register(&migrator)
        SQLiteETLMigrations.register(&migrator)
        SQLiteTopProductsMigrations.register(&migrator)
        SQLiteQueueMigrations.register(&migrator)
        SQLiteDashboardMigrations.register(&migrator)
        SQLiteChangeFeedMigrations.register(&migrator)
        SQLiteEventMigrations.register(&migrator)
        SQLiteCatalogItemMigrations.register(&migrator)
        SQLiteFeedFormatMigrations.register(&migrator)
        SQLiteSourceMigrations.register(&migrator)
        SQLiteCatalogItemMigrations.registerItems(&migrator)
        return migrator
    }
}
