import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: ProductReader {
    static let productColumns = """
        seq, product_id, partner_name, sku, product_name, description, brand, category, price_units, currency,
        availability, quantity, image_urls, attributes, status, feed_id, created_at, updated_at, gtin, mpn, item_seq
        """

    public func product(id: String) async throws -> Product? {
        guard let seq = IDKind.product.number(of: id) else { return nil }
        return try await read { db in try Self.product(seq: seq, db) }
    }

    public func listProducts(_ query: ProductQuery) async throws -> ProductPage {
        try await read { db in try Self.listProducts(query, db) }
    }

    /// Shared with the node-local product cache, whose `products` table has the same columns.
    static func product(seq: Int64, _ db: Database) throws -> Product? {
        try products(db, sql: "SELECT \(productColumns) FROM products WHERE seq = ?", arguments: [seq], capacity: 1).first
    }

    /// The products a query of `productColumns` (first, in order) returns, read straight from SQLite's
    /// columns through a cached prepared statement: GRDB's `Row` boxes every value and decodes it
    /// generically, which cost more than the query on the read path.
    static func products(_ db: Database, sql: String, arguments: StatementArguments, capacity: Int) throws -> [Product] {
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(arguments)
        let row = SQLiteRawStatement(statement)
        var products: [Product] = []
        products.reserveCapacity(capacity)
        while try row.step(db) { products.append(product(from: row)) }
        withExtendedLifetime(statement) {}
        return products
    }

    static func listProducts(_ query: ProductQuery, _ db: Database) throws -> ProductPage {
        let statuses: [ProductStatus] = switch query.filter.status {
        case .active: [.active]
        case .inactive: [.inactive]
        case .all: [.active, .inactive]
        }
        let plan = SQLiteProductQuery(query)
        // One ordered index range per status; with both, the two ranges are merged by the outer ORDER BY.
        var parts: [String] = []
        var arguments = StatementArguments()
        for status in statuses {
            let (sql, partArguments) = plan.select(status: status)
            parts.append("SELECT * FROM (\(sql))")
            _ = arguments.append(contentsOf: partArguments)
        }
        let sql = parts.count == 1
            ? parts[0]
            : parts.joined(separator: " UNION ALL ") + " ORDER BY sort_key \(plan.direction), seq \(plan.direction) LIMIT \(query.limit + 1)"
        var items = try products(db, sql: sql, arguments: arguments, capacity: query.limit + 1)
        var next: ProductPosition?
        if items.count > query.limit {
            items.removeLast(items.count - query.limit)
            next = items.last?.position(for: query.sort)
        }
        return ProductPage(items: items, next: next)
    }

    static func product(from row: SQLiteRawStatement) -> Product {
        Product(
            seq: row.int64(0), productID: row.string(1) ?? "", partnerName: row.string(2) ?? "", sku: row.string(3) ?? "",
            productName: row.string(4) ?? "", description: row.string(5), brand: row.string(6), category: row.string(7),
            price: ExactDecimal(units: row.int64(8)), currency: row.string(9) ?? "", availability: row.string(10) ?? "",
            quantity: row.optionalInt64(11), imageURLsJSON: row.string(12) ?? "[]", attributesJSON: row.string(13) ?? "{}",
            status: ProductStatus(rawValue: row.string(14) ?? "") ?? .inactive, feedID: row.string(15) ?? "",
            createdAt: date(row, 16), updatedAt: date(row, 17), gtin: row.string(18), mpn: row.string(19),
            itemSeq: row.optionalInt64(20))
    }

    private static func date(_ row: SQLiteRawStatement, _ column: Int32) -> Date {
        if let text = row.string(column), let micros = UTCMicroseconds.parseSQLiteText(text) { return UTCMicroseconds.date(micros) }
        return date(row.databaseValue(column))
    }
}

/// The SQL of one products page for one status: filters, the keyset condition and the order, shaped so
/// that the `(status, sort key, seq)` indexes of migration 004_read_path serve it.
struct SQLiteProductQuery {
    let query: ProductQuery
    let keyExpression: String
    let direction: String

    init(_ query: ProductQuery) {
        self.query = query
        keyExpression = switch query.sort {
        case .productID: "seq"
        case .price: "price_units"
        case .productName: "product_name"
        case .brand: "coalesce(brand, '')"
        case .category: "coalesce(category, '')"
        case .createdAt: "created_at"
        case .updatedAt: "updated_at"
        }
        direction = query.order == .asc ? "ASC" : "DESC"
    }

    func select(status: ProductStatus) -> (String, StatementArguments) {
        var conditions = ["status = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [status.rawValue]
        let filter = query.filter
        for (column, value) in [("partner_name", filter.partnerName), ("feed_id", filter.feedID), ("sku", filter.sku),
                                ("brand", filter.brand), ("category", filter.category),
                                ("availability", filter.availability?.rawValue)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            arguments.append(value)
        }
        if let minPrice = filter.minPrice {
            conditions.append("price_units >= ?")
            arguments.append(minPrice.units)
        }
        if let maxPrice = filter.maxPrice {
            conditions.append("price_units <= ?")
            arguments.append(maxPrice.units)
        }
        if let text = filter.text {
            conditions.append(
                "(product_name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR sku LIKE ? ESCAPE '\\' OR brand LIKE ? ESCAPE '\\')")
            let pattern = LikePattern.containing(text)
            arguments.append(contentsOf: [pattern, pattern, pattern, pattern])
        }
        if let since = filter.updatedSince {
            conditions.append("updated_at >= ?")
            arguments.append(SQLiteCatalogStore.storedBound(since))
        }
        if let after = query.after {
            let comparison = query.order == .asc ? ">" : "<"
            let key: (any DatabaseValueConvertible)? = switch after.key {
            case .none: nil
            case .integer(let value): query.sort.keyKind == .timestamp ? UTCMicroseconds.sqliteText(value) : value
            case .text(let value): value
            }
            if let key {
                // The plain bound on the key is implied by the row comparison, but only it lets SQLite seek
                // an expression index (brand, category) instead of scanning it from the start.
                conditions.append("\(keyExpression) \(comparison)= ? AND (\(keyExpression), seq) \(comparison) (?, ?)")
                arguments.append(contentsOf: [key, key])
            } else {
                conditions.append("seq \(comparison) ?")
            }
            arguments.append(after.seq)
        }
        let sql = """
            SELECT \(SQLiteCatalogStore.productColumns), \(keyExpression) AS sort_key FROM products
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(keyExpression) \(direction), seq \(direction) LIMIT \(query.limit + 1)
            """
        return (sql, StatementArguments(arguments))
    }
}
