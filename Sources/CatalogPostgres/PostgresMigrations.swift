/// Versioned schema. Append new migrations; never edit one that has shipped.
enum PostgresMigrations {
    struct Migration {
        let name: String
        let sql: String
    }

    /// Held (as a transaction-level advisory lock) while migrating, so that nodes starting together
    /// apply each migration once.
    static let advisoryLock: Int64 = 0x7061_7274_6e65_7201

    static let all: [Migration] = [
        Migration(name: "001_spine", sql: """
            CREATE TABLE id_counters (
                kind TEXT PRIMARY KEY,
                value BIGINT NOT NULL
            );
            -- A prefix plus at least five digits, as IDKind.format writes it.
            CREATE FUNCTION catalog_id(prefix TEXT, n BIGINT) RETURNS TEXT
                LANGUAGE sql IMMUTABLE STRICT
                AS $$ SELECT prefix || CASE WHEN n < 100000 THEN lpad(n::text, 5, '0') ELSE n::text END $$;
            CREATE TABLE partners (
                seq BIGINT PRIMARY KEY,
                partner_id TEXT NOT NULL UNIQUE,
                partner_name TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE api_keys (
                seq BIGINT PRIMARY KEY,
                key_id TEXT NOT NULL UNIQUE,
                key_hash TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                partner_id TEXT REFERENCES partners (partner_id),
                label TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                revoked_at TIMESTAMPTZ
            );
            CREATE TABLE feeds (
                seq BIGINT PRIMARY KEY,
                feed_id TEXT NOT NULL UNIQUE,
                partner_id TEXT NOT NULL REFERENCES partners (partner_id),
                partner_name TEXT NOT NULL,
                feed_type TEXT NOT NULL,
                mode TEXT NOT NULL,
                file_name TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size_bytes BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                status TEXT NOT NULL,
                uploaded_at TIMESTAMPTZ NOT NULL,
                submission_job_id TEXT NOT NULL,
                validation_job_id TEXT NOT NULL,
                raw_file_bucket TEXT NOT NULL,
                raw_file_key TEXT NOT NULL UNIQUE
            );
            CREATE INDEX feeds_by_partner ON feeds (partner_name, seq);
            CREATE INDEX feeds_by_status ON feeds (status, seq);
            CREATE TABLE jobs (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id TEXT NOT NULL UNIQUE,
                job_type TEXT NOT NULL,
                feed_id TEXT NOT NULL REFERENCES feeds (feed_id),
                partner_name TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at TIMESTAMPTZ NOT NULL,
                started_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ,
                rows_read BIGINT NOT NULL DEFAULT 0,
                rows_total BIGINT,
                inserted BIGINT,
                updated BIGINT,
                unchanged BIGINT,
                skipped BIGINT,
                deactivated BIGINT,
                message TEXT,
                error_code TEXT,
                error_message TEXT,
                lease_owner TEXT,
                lease_expires_at TIMESTAMPTZ,
                run_after TIMESTAMPTZ,
                run_requested_at TIMESTAMPTZ
            );
            CREATE INDEX jobs_by_status ON jobs (status, seq);
            CREATE INDEX jobs_by_feed ON jobs (feed_id);
            CREATE INDEX jobs_by_partner ON jobs (partner_name, seq);
            CREATE INDEX jobs_runnable ON jobs (job_type, status, seq);
            CREATE TABLE idempotency_keys (
                partner_name TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                feed_id TEXT NOT NULL REFERENCES feeds (feed_id),
                created_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (partner_name, idempotency_key)
            );
            """),
        Migration(name: "002_etl", sql: """
            CREATE TABLE products (
                seq BIGINT PRIMARY KEY,
                product_id TEXT NOT NULL UNIQUE,
                partner_id TEXT NOT NULL REFERENCES partners (partner_id),
                partner_name TEXT NOT NULL,
                sku TEXT NOT NULL,
                product_name TEXT NOT NULL,
                description TEXT,
                brand TEXT,
                category TEXT,
                price_units BIGINT NOT NULL,
                currency TEXT NOT NULL,
                availability TEXT NOT NULL,
                quantity BIGINT,
                image_urls TEXT NOT NULL,
                attributes TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                status TEXT NOT NULL,
                feed_id TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                UNIQUE (partner_id, sku)
            );
            CREATE INDEX products_by_status ON products (status, seq);
            CREATE TABLE orders (
                seq BIGINT PRIMARY KEY,
                order_id TEXT NOT NULL UNIQUE,
                partner_id TEXT NOT NULL REFERENCES partners (partner_id),
                partner_name TEXT NOT NULL,
                partner_order_id TEXT NOT NULL,
                currency TEXT NOT NULL,
                ordered_at TIMESTAMPTZ NOT NULL,
                feed_id TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                UNIQUE (partner_id, partner_order_id)
            );
            CREATE TABLE order_lines (
                order_seq BIGINT NOT NULL REFERENCES orders (seq),
                sku TEXT NOT NULL,
                quantity BIGINT NOT NULL,
                unit_price_units BIGINT NOT NULL,
                currency TEXT NOT NULL,
                ordered_at TIMESTAMPTZ NOT NULL,
                content_hash TEXT NOT NULL,
                feed_id TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (order_seq, sku)
            );
            CREATE INDEX order_lines_by_time ON order_lines (ordered_at);
            CREATE TABLE job_errors (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id TEXT NOT NULL,
                line BIGINT NOT NULL,
                sku TEXT,
                column_name TEXT,
                code TEXT NOT NULL,
                message TEXT NOT NULL,
                value TEXT
            );
            CREATE INDEX job_errors_by_job ON job_errors (job_id, seq);
            -- Staged rows of running jobs: unlogged (never WAL-written; a crash empties them, like the
            -- attempt that staged them), keyed by job so that duplicates within a feed are found on insert.
            CREATE UNLOGGED TABLE product_staging (
                job_id TEXT NOT NULL,
                sku TEXT NOT NULL,
                line BIGINT NOT NULL,
                product_name TEXT NOT NULL,
                description TEXT,
                brand TEXT,
                category TEXT,
                price_units BIGINT NOT NULL,
                currency TEXT NOT NULL,
                availability TEXT NOT NULL,
                quantity BIGINT,
                image_urls TEXT NOT NULL,
                attributes TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                PRIMARY KEY (job_id, sku)
            );
            CREATE UNLOGGED TABLE order_staging (
                job_id TEXT NOT NULL,
                order_id TEXT NOT NULL,
                sku TEXT NOT NULL,
                line BIGINT NOT NULL,
                quantity BIGINT NOT NULL,
                unit_price_units BIGINT NOT NULL,
                currency TEXT NOT NULL,
                ordered_at TIMESTAMPTZ NOT NULL,
                content_hash TEXT NOT NULL,
                PRIMARY KEY (job_id, order_id, sku)
            );
            """),
        // Keys compare byte-wise: the database's locale (often a glibc one) makes every index
        // comparison of text several times slower, and these keys need no linguistic order.
        Migration(name: "003_byte_order_keys", sql: """
            ALTER TABLE products ALTER COLUMN partner_id TYPE TEXT COLLATE "C", ALTER COLUMN sku TYPE TEXT COLLATE "C",
                ALTER COLUMN product_id TYPE TEXT COLLATE "C", ALTER COLUMN status TYPE TEXT COLLATE "C";
            ALTER TABLE orders ALTER COLUMN partner_id TYPE TEXT COLLATE "C", ALTER COLUMN order_id TYPE TEXT COLLATE "C",
                ALTER COLUMN partner_order_id TYPE TEXT COLLATE "C";
            ALTER TABLE order_lines ALTER COLUMN sku TYPE TEXT COLLATE "C";
            ALTER TABLE product_staging ALTER COLUMN job_id TYPE TEXT COLLATE "C", ALTER COLUMN sku TYPE TEXT COLLATE "C";
            ALTER TABLE order_staging ALTER COLUMN job_id TYPE TEXT COLLATE "C", ALTER COLUMN order_id TYPE TEXT COLLATE "C",
                ALTER COLUMN sku TYPE TEXT COLLATE "C";
            ALTER TABLE job_errors ALTER COLUMN job_id TYPE TEXT COLLATE "C";
            """),
        // Staging takes plain COPY: no key to maintain per row. Duplicates within a feed are found
        // once, at merge, and diagnostics page in line order wherever they were found. Products and
        // orders drop their partner foreign key: its per-row trigger was a fifth of a million-row
        // merge, and the merge only ever writes the partner of the feed it is merging.
        Migration(name: "004_copy_staging", sql: """
            ALTER TABLE products DROP CONSTRAINT products_partner_id_fkey;
            ALTER TABLE orders DROP CONSTRAINT orders_partner_id_fkey;
            ALTER TABLE product_staging DROP CONSTRAINT product_staging_pkey;
            ALTER TABLE order_staging DROP CONSTRAINT order_staging_pkey;
            DROP INDEX job_errors_by_job;
            CREATE UNIQUE INDEX job_errors_by_line ON job_errors (job_id, line);
            """),
    ] + PostgresReadPathMigrations.all + PostgresAnalyticsMigrations.all + PostgresInventoryMigrations.all + PostgresETLMigrations.all
        + PostgresTopProductsMigrations.all + PostgresQueueMigrations.all + PostgresDashboardMigrations.all
        + PostgresChangeFeedMigrations.all + PostgresEventMigrations.all + PostgresCatalogItemMigrations.all
        + PostgresFeedFormatMigrations.all + PostgresSourceMigrations.all + PostgresCatalogItemMigrations.items
}
