import GRDB

/// What the ETL keeps beside products to recognise rows it has read before.
enum SQLiteETLMigrations {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("006_row_fingerprints") { db in
            // The digest of the feed row that last wrote the product (`ProductFingerprint`); NULL
            // until a feed writes it again.
            try db.execute(sql: "ALTER TABLE products ADD COLUMN row_fingerprint TEXT")
        }
    }
}
