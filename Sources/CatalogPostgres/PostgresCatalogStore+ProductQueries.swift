import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: ProductReader {
    static let productColumns = """
        seq, product_id, partner_name, sku, product_name, description, brand, category, price_units, currency,
        availability, quantity, image_urls, attributes, status, feed_id, created_at, updated_at
        """

    public func product(id: String) async throws -> Product? {
        guard let seq = IDKind.product.number(of: id) else { return nil }
        return try await withConnection { connection in
            try await connection.query("SELECT \(unescaped: Self.productColumns) FROM products WHERE seq = \(seq)", logger: self.logger)
                .first().map(Self.product(from:))
        }
    }

    public func listProducts(_ query: ProductQuery) async throws -> ProductPage {
        let statuses: [ProductStatus] = switch query.filter.status {
        case .active: [.active]
        case .inactive: [.inactive]
        case .all: [.active, .inactive]
        }
        let plan = PostgresProductQuery(query)
        var binds = PostgresBindings()
        // One ordered index range per status; with both, the two ranges are merged by the outer ORDER BY.
        let parts = statuses.map { "(\(plan.select(status: $0, binds: &binds)))" }
        let sql = parts.count == 1
            ? parts[0]
            : parts.joined(separator: " UNION ALL ") + " ORDER BY sort_key \(plan.direction), seq \(plan.direction) LIMIT \(query.limit + 1)"
        let statement = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try await withConnection { connection in
            var items = try await connection.query(statement, logger: self.logger)
                .rows().map(Self.product(from:))
            var next: ProductPosition?
            if items.count > query.limit {
                items.removeLast(items.count - query.limit)
                next = items.last?.position(for: query.sort)
            }
            return ProductPage(items: items, next: next)
        }
    }

    static func product(from row: PostgresRandomAccessRow) throws -> Product {
        Product(
            seq: try row[0].decode(Int64.self), productID: try row[1].decode(String.self), partnerName: try row[2].decode(String.self),
            sku: try row[3].decode(String.self), productName: try row[4].decode(String.self),
            description: try row[5].decode(String?.self), brand: try row[6].decode(String?.self),
            category: try row[7].decode(String?.self), price: ExactDecimal(units: try row[8].decode(Int64.self)),
            currency: try row[9].decode(String.self), availability: try row[10].decode(String.self),
            quantity: try row[11].decode(Int64?.self), imageURLsJSON: try row[12].decode(String.self),
            attributesJSON: try row[13].decode(String.self),
            status: ProductStatus(rawValue: try row[14].decode(String.self)) ?? .inactive, feedID: try row[15].decode(String.self),
            createdAt: try row[16].decode(Date.self), updatedAt: try row[17].decode(Date.self))
    }
}

/// The SQL of one products page for one status: filters, the keyset condition and the order, shaped so
/// that the `(status, sort key, seq)` indexes of migration 005_read_path serve it. Text sorts use the "C" collation:
/// byte order, the same on every server and in the embedded store.
struct PostgresProductQuery {
    let query: ProductQuery
    let keyExpression: String
    let direction: String

    init(_ query: ProductQuery) {
        self.query = query
        keyExpression = switch query.sort {
        case .productID: "seq"
        case .price: "price_units"
        case .productName: "(product_name COLLATE \"C\")"
        case .brand: "(coalesce(brand, '') COLLATE \"C\")"
        case .category: "(coalesce(category, '') COLLATE \"C\")"
        case .createdAt: "created_at"
        case .updatedAt: "updated_at"
        }
        direction = query.order == .asc ? "ASC" : "DESC"
    }

    func select(status: ProductStatus, binds: inout PostgresBindings) -> String {
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        var conditions = ["status = \(bind(status.rawValue))"]
        let filter = query.filter
        for (column, value) in [("partner_name", filter.partnerName), ("feed_id", filter.feedID), ("sku", filter.sku),
                                ("brand", filter.brand), ("category", filter.category),
                                ("availability", filter.availability?.rawValue)] {
            guard let value else { continue }
            conditions.append("\(column) = \(bind(value))")
        }
        if let minPrice = filter.minPrice { conditions.append("price_units >= \(bind(minPrice.units))") }
        if let maxPrice = filter.maxPrice { conditions.append("price_units <= \(bind(maxPrice.units))") }
        if let text = filter.text {
            let pattern = bind(LikePattern.containing(text))
            conditions.append("""
                (product_name ILIKE \(pattern) OR description ILIKE \(pattern) OR sku ILIKE \(pattern) OR brand ILIKE \(pattern))
                """)
        }
        if let since = filter.updatedSince { conditions.append("updated_at >= \(bind(since))") }
        if let after = query.after {
            let comparison = query.order == .asc ? ">" : "<"
            switch after.key {
            case .none:
                conditions.append("seq \(comparison) \(bind(after.seq))")
            case .integer(let value) where query.sort.keyKind == .timestamp:
                let instant = "(timestamptz 'epoch' + \(bind(value)) * interval '1 microsecond')"
                conditions.append("(\(keyExpression), seq) \(comparison) (\(instant), \(bind(after.seq)))")
            case .integer(let value):
                conditions.append("(\(keyExpression), seq) \(comparison) (\(bind(value)), \(bind(after.seq)))")
            case .text(let value):
                conditions.append("(\(keyExpression), seq) \(comparison) (\(bind(value)), \(bind(after.seq)))")
            }
        }
        return """
            SELECT \(PostgresCatalogStore.productColumns), \(keyExpression) AS sort_key FROM products
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(keyExpression) \(direction), seq \(direction) LIMIT \(query.limit + 1)
            """
    }
}
