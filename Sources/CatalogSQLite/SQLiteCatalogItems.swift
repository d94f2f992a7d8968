import CatalogCore
import Foundation
import GRDB

/// The catalog items of a read model (§Unified catalog), beside its `products` table: the embedded
/// store's own, or a node's cache. Derived data, rebuilt at start-up and kept current from the change
/// feed's products; the figures come from `CatalogItemGrouping`, stored per audience (`scope`).
struct SQLiteCatalogItems: Sendable {
    let pool: DatabasePool

    /// `item_members`: which item each active product is an offer of, as last applied (the products
    /// table may already hold the next state, in the embedded store). `item_pending`: items to refresh.
    static let schema = """
        CREATE TABLE IF NOT EXISTS item_members (product_seq INTEGER PRIMARY KEY, item_seq INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS item_members_by_item ON item_members (item_seq);
        CREATE TABLE IF NOT EXISTS item_pending (item_seq INTEGER PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS item_views (
            item_seq INTEGER NOT NULL,
            scope TEXT NOT NULL,
            gtin TEXT,
            brand TEXT,
            mpn TEXT,
            product_name TEXT NOT NULL,
            category TEXT,
            image_urls TEXT NOT NULL,
            offers INTEGER NOT NULL,
            currency TEXT NOT NULL,
            best_units INTEGER NOT NULL,
            availabilities INTEGER NOT NULL,
            search TEXT NOT NULL,
            PRIMARY KEY (item_seq, scope)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS item_prices (
            item_seq INTEGER NOT NULL,
            scope TEXT NOT NULL,
            currency TEXT NOT NULL,
            min_units INTEGER NOT NULL,
            max_units INTEGER NOT NULL,
            offers INTEGER NOT NULL,
            best_product_seq INTEGER NOT NULL,
            best_product_id TEXT NOT NULL,
            best_partner TEXT NOT NULL,
            best_units INTEGER NOT NULL,
            best_availability TEXT NOT NULL,
            PRIMARY KEY (item_seq, scope, currency)
        ) WITHOUT ROWID;
        """

    /// The sort indexes: dropped while a rebuild loads every item, built after (far faster than row by row).
    static let sortIndexes = """
        CREATE INDEX IF NOT EXISTS item_views_by_name ON item_views (scope, product_name, item_seq);
        CREATE INDEX IF NOT EXISTS item_views_by_price ON item_views (scope, best_units, item_seq);
        CREATE INDEX IF NOT EXISTS item_views_by_offers ON item_views (scope, offers, item_seq);
        CREATE INDEX IF NOT EXISTS item_prices_by_price ON item_prices (scope, currency, best_units, item_seq);
        """
    static let dropSortIndexes = """
        DROP INDEX IF EXISTS item_views_by_name; DROP INDEX IF EXISTS item_views_by_price;
        DROP INDEX IF EXISTS item_views_by_offers; DROP INDEX IF EXISTS item_prices_by_price;
        """

    init(pool: DatabasePool) throws {
        self.pool = pool
        try pool.write { db in
            try db.execute(sql: Self.schema)
            try db.execute(sql: Self.sortIndexes)
        }
    }

    /// Items refreshed per transaction: few commits, and a large feed's refresh never holds the writer long.
    static let refreshChunk = 5000

    func productsChanged(_ products: [Product]) async throws {
        try await pool.write { db in
            let member = try db.cachedStatement(sql: "SELECT item_seq FROM item_members WHERE product_seq = ?")
            let join = try db.cachedStatement(sql: "INSERT OR REPLACE INTO item_members (product_seq, item_seq) VALUES (?, ?)")
            let leave = try db.cachedStatement(sql: "DELETE FROM item_members WHERE product_seq = ?")
            let pending = try db.cachedStatement(sql: "INSERT OR IGNORE INTO item_pending (item_seq) VALUES (?)")
            for product in products {
                let before = try Int64.fetchOne(member, arguments: [product.seq])
                let now = product.status == .active ? product.itemSeq : nil
                if let now {
                    if now != before { try join.execute(arguments: [product.seq, now]) }
                    try pending.execute(arguments: [now])
                } else if before != nil {
                    try leave.execute(arguments: [product.seq])
                }
                if let before, before != now { try pending.execute(arguments: [before]) }
            }
        }
    }

    func refreshPendingChunk() async throws -> Bool {
        try await pool.write { db in try Self.refreshSome(db) }
    }

    /// Items regrouped per transaction while rebuilding (by item number; windows without items cost nothing).
    static let rebuildWindow: Int64 = 20_000

    /// Regroups every item from the active products, in item order: windows of items read and grouped
    /// on a reader connection while the writer appends the previous window's rows (no pending list,
    /// nothing to delete; the sort indexes are built once at the end).
    func rebuild() async throws -> Int {
        let bounds = try await pool.write { db -> (Int64, Int64)? in
            try db.execute(sql: Self.dropSortIndexes)
            // The members in one statement, in product order (appends), their item index built after.
            try db.execute(sql: """
                DELETE FROM item_pending; DELETE FROM item_views; DELETE FROM item_prices;
                DROP INDEX IF EXISTS item_members_by_item; DELETE FROM item_members;
                INSERT INTO item_members (product_seq, item_seq)
                    SELECT seq, item_seq FROM products WHERE status = 'active' AND item_seq IS NOT NULL;
                CREATE INDEX item_members_by_item ON item_members (item_seq);
                """)
            let row = try Row.fetchOne(db, sql: "SELECT min(item_seq), max(item_seq) FROM products")
            guard let low: Int64 = row?[0], let high: Int64 = row?[1] else { return nil }
            return (low, high)
        }
        if let (low, high) = bounds {
            // Two cores: a reader connection reads and groups the next window while the writer stores this one.
            let windows = stride(from: low, through: high, by: Int(Self.rebuildWindow)).map { ($0, min($0 + Self.rebuildWindow - 1, high)) }
            let pool = self.pool
            func read(_ index: Int) -> Task<[[CatalogItem]], any Error> {
                let (first, last) = windows[index]
                return Task { try await pool.read { db in try Self.regroup(db, itemsFrom: first, through: last) } }
            }
            var next = read(0)
            for index in windows.indices {
                let items = try await next.value
                if index + 1 < windows.count { next = read(index + 1) }
                try await pool.write { db in try Self.store(items, db) }
            }
        }
        try await pool.write { db in try db.execute(sql: Self.sortIndexes) }
        return try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM item_views WHERE scope = ''") ?? 0 }
    }

    /// The items numbered `first...last`, grouped from their active offers (one read, in item order).
    private static func regroup(_ db: Database, itemsFrom first: Int64, through last: Int64) throws -> [[CatalogItem]] {
        let statement = try db.makeStatement(sql: """
            SELECT \(offerColumns) FROM products WHERE item_seq BETWEEN \(first) AND \(last) AND +status = 'active' ORDER BY item_seq
            """)
        let offers = SQLiteRawStatement(statement)
        var items: [[CatalogItem]] = []
        var current: Int64 = -1
        var group: [ItemOffer] = []
        func finish() {
            guard !group.isEmpty else { return }
            items.append(CatalogItemGrouping.views(itemSeq: current, offers: group))
            group.removeAll(keepingCapacity: true)
        }
        while try offers.step(db) {
            let itemSeq = offers.int64(12)
            if itemSeq != current {
                finish()
                current = itemSeq
            }
            group.append(offer(offers))
        }
        finish()
        withExtendedLifetime(statement) {}
        return items
    }

    /// Writes regrouped items into tables that hold none of them.
    private static func store(_ items: [[CatalogItem]], _ db: Database) throws {
        let rows = try ViewRows(db)
        for item in items { try rows.write(item, db) }
    }

    /// Refreshes up to `refreshChunk` pending items from their active offers; true when others remain.
    private static func refreshSome(_ db: Database) throws -> Bool {
        let items = try Int64.fetchAll(db, sql: "SELECT item_seq FROM item_pending LIMIT ?", arguments: [refreshChunk + 1])
        guard !items.isEmpty else { return false }
        let more = items.count > refreshChunk
        let list = items.prefix(refreshChunk).map(String.init).joined(separator: ",")
        // The members, not the products' item_seq, say which offers an item has (they agree once caught up).
        let members = Set(try Int64.fetchAll(db, sql: "SELECT product_seq FROM item_members WHERE item_seq IN (\(list))"))
        var byItem: [Int64: [ItemOffer]] = [:]
        // Only what grouping reads, through the C API. `+status` keeps SQLite on the item index (without
        // statistics it chose the status index and scanned).
        let statement = try db.makeStatement(sql: "SELECT \(offerColumns) FROM products WHERE item_seq IN (\(list)) AND +status = 'active'")
        let offers = SQLiteRawStatement(statement)
        while try offers.step(db) {
            guard members.contains(offers.int64(0)) else { continue }
            byItem[offers.int64(12), default: []].append(offer(offers))
        }
        withExtendedLifetime(statement) {}
        try db.execute(sql: "DELETE FROM item_views WHERE item_seq IN (\(list))")
        try db.execute(sql: "DELETE FROM item_prices WHERE item_seq IN (\(list))")
        let rows = try ViewRows(db)
        for (itemSeq, itemOffers) in byItem { try rows.write(CatalogItemGrouping.views(itemSeq: itemSeq, offers: itemOffers), db) }
        try db.execute(sql: "DELETE FROM item_pending WHERE item_seq IN (\(list))")
        return more
    }

    /// The columns grouping reads; column 12 is the item number.
    static let offerColumns = """
        seq, product_id, partner_name, product_name, brand, category, gtin, mpn, price_units, currency, availability,
        image_urls, item_seq, coalesce(description, '') <> '', quantity IS NOT NULL, attributes <> '{}'
        """

    static func offer(_ row: SQLiteRawStatement) -> ItemOffer {
        ItemOffer(
            seq: row.int64(0), productID: row.string(1) ?? "", partnerName: row.string(2) ?? "", productName: row.string(3) ?? "",
            brand: row.string(4), category: row.string(5), gtin: row.string(6), mpn: row.string(7),
            price: ExactDecimal(units: row.int64(8)), currency: row.string(9) ?? "", availability: row.string(10) ?? "",
            imageURLsJSON: row.string(11) ?? "[]", hasDescription: row.int64(13) != 0, hasQuantity: row.int64(14) != 0,
            hasAttributes: row.int64(15) != 0)
    }

    /// Writes the rows of an item's views, every audience's, through two prepared statements.
    struct ViewRows {
        let view: SQLiteRawStatement
        let price: SQLiteRawStatement

        init(_ db: Database) throws {
            view = SQLiteRawStatement(try db.cachedStatement(sql: """
                INSERT INTO item_views (item_seq, scope, gtin, brand, mpn, product_name, category, image_urls, offers, currency,
                    best_units, availabilities, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """))
            price = SQLiteRawStatement(try db.cachedStatement(sql: """
                INSERT INTO item_prices (item_seq, scope, currency, min_units, max_units, offers, best_product_seq, best_product_id,
                    best_partner, best_units, best_availability) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """))
            view.reset()
            price.reset()
        }

        func write(_ views: [CatalogItem], _ db: Database) throws {
            for item in views {
                let shown = item.prices(in: item.currency)!
                view.bind(1, item.seq)
                view.bind(2, item.scope)
                view.bind(3, item.gtin)
                view.bind(4, item.brand)
                view.bind(5, item.mpn)
                view.bind(6, item.productName)
                view.bind(7, item.category)
                view.bind(8, item.imageURLsJSON)
                view.bind(9, Int64(item.offers))
                view.bind(10, item.currency)
                view.bind(11, shown.best.price.units)
                view.bind(12, availabilityMask(item.availabilities))
                view.bind(13, item.searchText)
                _ = try view.step(db)
                view.resetKeepingBindings()
                for figures in item.prices {
                    price.bind(1, item.seq)
                    price.bind(2, item.scope)
                    price.bind(3, figures.currency)
                    price.bind(4, figures.min.units)
                    price.bind(5, figures.max.units)
                    price.bind(6, Int64(figures.offers))
                    price.bind(7, figures.best.productSeq)
                    price.bind(8, figures.best.productID)
                    price.bind(9, figures.best.partnerName)
                    price.bind(10, figures.best.price.units)
                    price.bind(11, figures.best.availability)
                    _ = try price.step(db)
                    price.resetKeepingBindings()
                }
            }
        }
    }

    /// One bit per `Availability` case, in declaration order.
    static func availabilityMask<S: Sequence<String>>(_ values: S) -> Int64 {
        var mask: Int64 = 0
        for value in values {
            if let index = Availability.allCases.firstIndex(where: { $0.rawValue == value }) { mask |= 1 << Int64(index) }
        }
        return mask
    }
}
