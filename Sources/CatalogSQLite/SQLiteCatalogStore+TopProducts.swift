import CatalogCore
import Foundation
import GRDB

/// top-products: the all-time ranking of `sales_by_sku` without a range; over a range, the SKUs wholly
/// inside it and those straddling its edges (`TopSkuSearch`), or the order lines when the range has few.
extension SQLiteCatalogStore {
    public func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        guard limit > 0 else { return [] }
        let tuning = TopProductsTuning.current
        return try await read { db in
            guard filter.from == nil && filter.to == nil || RollupPlan(filter) != nil else {
                return try Self.lineTopProducts(filter, limit: limit, currencies: nil, db)
            }
            var found: [SkuSales] = []
            var fromLines: [String] = []
            let counts = try Self.lineCounts(filter, db)
            for (currency, linesInRange) in counts.sorted(by: { $0.key < $1.key }) {
                switch TopProductsStrategy.choose(filter, linesInRange: linesInRange, tuning) {
                case .allTime:
                    found += try SkuScope(currency, filter.partnerName).ranked(limit: limit, db)
                case .lines:
                    fromLines.append(currency)
                case .bounded:
                    var inside = SkuScope(currency, filter.partnerName)
                    inside.whollyInside(filter)
                    var search = TopSkuSearch(limit: limit, tuning, inside: try inside.ranked(limit: limit, db))
                    if let weakest = search.weakestSales {
                        var scope = SkuScope(currency, filter.partnerName)
                        scope.straddling(filter, atLeast: weakest, after: nil)
                        if try scope.count(upTo: tuning.maxCandidates, db) >= tuning.maxCandidates {
                            fromLines.append(currency)
                            continue
                        }
                    }
                    search: while true {
                        var scope = SkuScope(currency, filter.partnerName)
                        scope.straddling(filter, atLeast: search.weakestSales, after: search.cursor)
                        let page = try scope.straddlers(limit: search.pageSize, db)
                        switch search.add(page: page, inRange: try Self.skuSalesInRange(page.map(\.key), currency, filter, db)) {
                        case .done:
                            found += search.best
                            break search
                        case .gaveUp:
                            fromLines.append(currency)
                            break search
                        case .more:
                            continue
                        }
                    }
                }
            }
            var results = try Self.productSales(found, db)
            if !fromLines.isEmpty {
                results += try Self.lineTopProducts(filter, limit: limit, currencies: fromLines.count == counts.count ? nil : fromLines, db)
            }
            return results
        }
    }

    /// Per currency with lines in the filter's range (of the filter's partner), how many.
    static func lineCounts(_ filter: AnalyticsFilter, _ db: Database) throws -> [String: Int64] {
        let plan = RollupPlan(filter)
        let (days, arguments) = dayConditions(plan, partnerName: filter.partnerName)
        var counts: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT currency, sum(lines) FROM sales_daily WHERE \(days) GROUP BY currency HAVING sum(lines) > 0
            """, arguments: StatementArguments(arguments)) {
            counts[row[0]] = row[1]
        }
        for edge in plan?.edges ?? [] {
            let (conditions, arguments) = lineConditions(edge)
            for row in try Row.fetchAll(db, sql: """
                SELECT l.currency, count(*) FROM order_lines l WHERE \(conditions) GROUP BY l.currency
                """, arguments: StatementArguments(arguments)) {
                counts[row[0], default: 0] += row[1] as Int64
            }
        }
        return counts
    }

    /// Conditions on the `sales_by_sku` rows of one currency (and partner), with their arguments.
    struct SkuScope {
        var conditions = ["currency = ?", "lines > 0"]
        var arguments: [(any DatabaseValueConvertible)?]

        init(_ currency: String, _ partnerName: String?) {
            arguments = [currency]
            if let partnerName {
                conditions.append("partner_name = ?")
                arguments.append(partnerName)
            }
        }

        var sql: String { conditions.joined(separator: " AND ") }

        /// SKUs whose lines all lie in the filter's range.
        mutating func whollyInside(_ filter: AnalyticsFilter) {
            if let from = filter.from {
                conditions.append("first_ordered_at >= ?")
                arguments.append(SQLiteCatalogStore.storedBound(from))
            }
            if let to = filter.to {
                conditions.append("last_ordered_at < ?")
                arguments.append(SQLiteCatalogStore.storedBound(to))
            }
        }

        /// SKUs with lines on both sides of an edge of the filter's range, or in it and outside it, whose
        /// bound reaches `atLeast`, after `after` in bound order.
        mutating func straddling(_ filter: AnalyticsFilter, atLeast: Int64?, after: StraddlingSku?) {
            var outside: [String] = []
            var outsideArguments: [(any DatabaseValueConvertible)?] = []
            if let from = filter.from {
                conditions.append("last_ordered_at >= ?")
                arguments.append(SQLiteCatalogStore.storedBound(from))
                outside.append("first_ordered_at < ?")
                outsideArguments.append(SQLiteCatalogStore.storedBound(from))
            }
            if let to = filter.to {
                conditions.append("first_ordered_at < ?")
                arguments.append(SQLiteCatalogStore.storedBound(to))
                outside.append("last_ordered_at >= ?")
                outsideArguments.append(SQLiteCatalogStore.storedBound(to))
            }
            conditions.append("(\(outside.joined(separator: " OR ")))")
            arguments += outsideArguments
            if let atLeast {
                conditions.append("sales - smallest_line >= ?")
                arguments.append(atLeast)
            }
            if let after {
                conditions.append("sales - smallest_line <= ? AND (sales - smallest_line < ? OR (partner_id, sku) > (?, ?))")
                arguments += [after.bound, after.bound, after.key.partnerID, after.key.sku]
            }
        }

        /// In rank order (sales, units descending, partner and SKU ascending), the first `limit`.
        func ranked(limit: Int, _ db: Database) throws -> [SkuSales] {
            try Row.fetchAll(db, sql: """
                SELECT partner_id, partner_name, sku, currency, lines, units, sales FROM sales_by_sku WHERE \(sql)
                ORDER BY sales DESC, units DESC, partner_name, sku LIMIT ?
                """, arguments: StatementArguments(arguments + [limit])).map(SQLiteCatalogStore.skuSales)
        }

        /// In `StraddlingSku.precedes` order, the first `limit`.
        func straddlers(limit: Int, _ db: Database) throws -> [StraddlingSku] {
            try Row.fetchAll(db, sql: """
                SELECT partner_id, sku, sales - smallest_line FROM sales_by_sku WHERE \(sql)
                ORDER BY sales - smallest_line DESC, partner_id, sku LIMIT ?
                """, arguments: StatementArguments(arguments + [limit])).map { row in
                StraddlingSku(key: SkuKey(partnerID: row[0], sku: row[1]), bound: row[2])
            }
        }

        /// How many rows there are, counting up to `limit`.
        func count(upTo limit: Int, _ db: Database) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM sales_by_sku WHERE \(sql) LIMIT ?)",
                             arguments: StatementArguments(arguments + [limit])) ?? 0
        }
    }

    static func skuSales(_ row: Row) -> SkuSales {
        SkuSales(partnerID: row[0], partnerName: row[1], sku: row[2], currency: row[3], lines: row[4], unitsSold: row[5], sales: row[6])
    }

    /// The figures in the filter's range of these SKUs, in `currency`, from their order lines.
    static func skuSalesInRange(_ keys: [SkuKey], _ currency: String, _ filter: AnalyticsFilter, _ db: Database) throws -> [SkuKey: SkuSales] {
        guard !keys.isEmpty else { return [:] }
        // The keys name the partner: the range alone scopes the lines.
        let (range, rangeArguments) = lineConditions(AnalyticsFilter(from: filter.from, to: filter.to))
        let arguments = keys.flatMap { [$0.partnerID, $0.sku] as [(any DatabaseValueConvertible)?] } + [currency] + rangeArguments
        let values = Array(repeating: "(?, ?)", count: keys.count).joined(separator: ", ")
        var result: [SkuKey: SkuSales] = [:]
        // CROSS JOIN keeps the join order: each SKU's lines by index, then their order by key.
        for row in try Row.fetchAll(db, sql: """
            WITH k(partner_id, sku) AS (VALUES \(values))
            SELECT o.partner_id, o.partner_name, l.sku, l.currency, count(*), sum(l.quantity), sum(l.quantity * l.unit_price_units)
            FROM k CROSS JOIN order_lines l ON l.sku = k.sku CROSS JOIN orders o ON o.seq = l.order_seq AND o.partner_id = k.partner_id
            WHERE l.currency = ? AND \(range)
            GROUP BY o.partner_id, l.sku
            """, arguments: StatementArguments(arguments)) {
            let figures = skuSales(row)
            result[figures.key] = figures
        }
        return result
    }

    /// Top SKUs with the catalog's product ID and name, where the catalog has the SKU.
    static func productSales(_ skus: [SkuSales], _ db: Database) throws -> [ProductSales] {
        guard !skus.isEmpty else { return [] }
        let values = Array(repeating: "(?, ?)", count: skus.count).joined(separator: ", ")
        var products: [SkuKey: (String, String)] = [:]
        for row in try Row.fetchAll(db, sql: """
            WITH k(partner_id, sku) AS (VALUES \(values))
            SELECT p.partner_id, p.sku, p.product_id, p.product_name
            FROM k CROSS JOIN products p ON p.partner_id = k.partner_id AND p.sku = k.sku
            """, arguments: StatementArguments(skus.flatMap { [$0.partnerID, $0.sku] })) {
            products[SkuKey(partnerID: row[0], sku: row[1])] = (row[2], row[3])
        }
        return skus.map { sku in
            let product = products[sku.key]
            return ProductSales(
                productID: product?.0, partnerName: sku.partnerName, sku: sku.sku, productName: product?.1, currency: sku.currency,
                unitsSold: sku.unitsSold, totalSales: ExactDecimal(units: sku.sales))
        }
    }

}
