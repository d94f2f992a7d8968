import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogItems {
    /// One keyset page: items of the scope joined to their figures in the asked currency (or each item's
    /// most common one), in the order of an index of `item_views` or `item_prices`.
    func listItems(_ query: CatalogItemQuery) async throws -> CatalogItemPage {
        try await pool.read { db in
            let filter = query.filter
            let direction = query.order == .asc ? "ASC" : "DESC"
            let (from, keyExpression): (String, String)
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let currency = filter.currency {
                from = "item_prices p JOIN item_views v ON v.item_seq = p.item_seq AND v.scope = p.scope"
                conditions += ["p.scope = ?", "p.currency = ?"]
                arguments += [filter.scope, currency]
            } else {
                from = "item_views v JOIN item_prices p ON p.item_seq = v.item_seq AND p.scope = v.scope AND p.currency = v.currency"
                conditions.append("v.scope = ?")
                arguments.append(filter.scope)
            }
            keyExpression = switch query.sort {
            case .productName: "v.product_name"
            case .bestPrice: filter.currency == nil ? "v.best_units" : "p.best_units"
            case .offers: "v.offers"
            }
            for (column, value) in [("v.brand", filter.brand), ("v.category", filter.category)] {
                guard let value else { continue }
                conditions.append("\(column) = ?")
                arguments.append(value)
            }
            if let availability = filter.availability {
                conditions.append("(v.availabilities & ?) != 0")
                arguments.append(Self.availabilityMask([availability.rawValue]))
            }
            if let minPrice = filter.minPrice {
                conditions.append("p.best_units >= ?")
                arguments.append(minPrice.units)
            }
            if let maxPrice = filter.maxPrice {
                conditions.append("p.best_units <= ?")
                arguments.append(maxPrice.units)
            }
            if let text = filter.text {
                conditions.append("v.search LIKE ? ESCAPE '\\'")
                arguments.append(LikePattern.containing(text))
            }
            if let after = query.after {
                let comparison = query.order == .asc ? ">" : "<"
                let key: (any DatabaseValueConvertible)? = switch after.key {
                case .none: nil
                case .integer(let value): value
                case .text(let value): value
                }
                conditions.append("\(keyExpression) \(comparison)= ? AND (\(keyExpression), v.item_seq) \(comparison) (?, ?)")
                arguments += [key, key, after.seq]
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT v.item_seq, v.scope, v.gtin, v.brand, v.mpn, v.product_name, v.category, v.image_urls, v.offers, v.currency,
                    v.availabilities
                FROM \(from)
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY \(keyExpression) \(direction), v.item_seq \(direction) LIMIT \(query.limit + 1)
                """, arguments: StatementArguments(arguments))
            var items = try Self.items(rows, scope: filter.scope, db)
            var next: ProductPosition?
            if items.count > query.limit {
                items.removeLast(items.count - query.limit)
                next = items.last?.position(for: query.sort, currency: filter.currency)
            }
            return CatalogItemPage(items: items, next: next)
        }
    }

    func item(id: String, scope: String) async throws -> (CatalogItem, [Product])? {
        guard let seq = IDKind.catalogItem.number(of: id) else { return nil }
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT item_seq, scope, gtin, brand, mpn, product_name, category, image_urls, offers, currency, availabilities
                FROM item_views WHERE item_seq = ? AND scope = ?
                """, arguments: [seq, scope])
            guard let item = try Self.items(rows, scope: scope, db).first else { return nil }
            let members = try Int64.fetchAll(db, sql: "SELECT product_seq FROM item_members WHERE item_seq = ?", arguments: [seq])
            var offers = try members.compactMap { try SQLiteCatalogStore.product(seq: $0, db) }
                .filter { $0.status == .active && (scope.isEmpty || $0.partnerName == scope) }
            offers.sort { ($0.price.units, $0.seq) < ($1.price.units, $1.seq) }
            return (item, offers)
        }
    }

    /// Items from `item_views` rows, each with its figures in every currency.
    private static func items(_ rows: [Row], scope: String, _ db: Database) throws -> [CatalogItem] {
        guard !rows.isEmpty else { return [] }
        let list = rows.map { String($0[0] as Int64) }.joined(separator: ",")
        var prices: [Int64: [CatalogItemPrices]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT item_seq, currency, min_units, max_units, offers, best_product_seq, best_product_id, best_partner, best_units,
                best_availability
            FROM item_prices WHERE item_seq IN (\(list)) AND scope = ? ORDER BY item_seq, currency
            """, arguments: [scope]) {
            let currency: String = row[1]
            prices[row[0], default: []].append(CatalogItemPrices(
                currency: currency, min: ExactDecimal(units: row[2]), max: ExactDecimal(units: row[3]), offers: row[4],
                best: CatalogOffer(productSeq: row[5], productID: row[6], partnerName: row[7], price: ExactDecimal(units: row[8]),
                                   currency: currency, availability: row[9])))
        }
        return rows.map { row in
            let mask: Int64 = row[10]
            return CatalogItem(
                seq: row[0], scope: row[1], gtin: row[2], brand: row[3], mpn: row[4], productName: row[5], category: row[6],
                imageURLsJSON: row[7], offers: row[8], currency: row[9], prices: prices[row[0]] ?? [],
                availabilities: Availability.allCases.enumerated().filter { mask & (1 << Int64($0.offset)) != 0 }.map(\.element.rawValue))
        }
    }
}

/// The embedded store and a node's cache each keep their catalog items in `catalogItems`.
protocol HoldsCatalogItems: CatalogItemIndex, CatalogItemReader {
    var catalogItems: SQLiteCatalogItems { get }
}

extension HoldsCatalogItems {
    public func productsChanged(_ products: [Product]) async throws { try await catalogItems.productsChanged(products) }
    public func refreshPendingChunk() async throws -> Bool { try await catalogItems.refreshPendingChunk() }
    public func rebuild() async throws -> Int { try await catalogItems.rebuild() }
    public func listItems(_ query: CatalogItemQuery) async throws -> CatalogItemPage { try await catalogItems.listItems(query) }
    public func item(id: String, scope: String) async throws -> (CatalogItem, [Product])? {
        try await catalogItems.item(id: id, scope: scope)
    }
}

extension SQLiteCatalogStore: HoldsCatalogItems {}
extension SQLiteProductCache: HoldsCatalogItems {}
