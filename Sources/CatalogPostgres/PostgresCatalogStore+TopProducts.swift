import CatalogCore
import Foundation
import Logging
import PostgresNIO

/// top-products: the all-time ranking of `sales_by_sku` without a range; over a range, the SKUs wholly
/// inside it and those straddling its edges (`TopSkuSearch`), or the order lines when the range has few.
extension PostgresCatalogStore {
    public func topProducts(_ filter: AnalyticsFilter, limit: Int) async throws -> [ProductSales] {
        guard limit > 0 else { return [] }
        let tuning = TopProductsTuning.current
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            guard filter.from == nil && filter.to == nil || RollupPlan(filter) != nil else {
                return try await Self.lineTopProducts(filter, limit: limit, currencies: nil, connection, logger)
            }
            var found: [SkuSales] = []
            var fromLines: [String] = []
            let counts = try await Self.lineCounts(filter, connection, logger)
            for (currency, linesInRange) in counts.sorted(by: { $0.key < $1.key }) {
                switch TopProductsStrategy.choose(filter, linesInRange: linesInRange, tuning) {
                case .allTime:
                    var scope = SkuScope(currency, filter.partnerName)
                    found += try await scope.ranked(limit: limit, connection, logger)
                case .lines:
                    fromLines.append(currency)
                case .bounded:
                    var inside = SkuScope(currency, filter.partnerName)
                    inside.whollyInside(filter)
                    var search = TopSkuSearch(limit: limit, tuning, inside: try await inside.ranked(limit: limit, connection, logger))
                    if let weakest = search.weakestSales {
                        var scope = SkuScope(currency, filter.partnerName)
                        scope.straddling(filter, atLeast: weakest, after: nil)
                        if try await scope.count(upTo: tuning.maxCandidates, connection, logger) >= tuning.maxCandidates {
                            fromLines.append(currency)
                            continue
                        }
                    }
                    search: while true {
                        var scope = SkuScope(currency, filter.partnerName)
                        scope.straddling(filter, atLeast: search.weakestSales, after: search.cursor)
                        let page = try await scope.straddlers(limit: search.pageSize, connection, logger)
                        let inRange = try await Self.skuSalesInRange(page.map(\.key), currency, filter, connection, logger)
                        switch search.add(page: page, inRange: inRange) {
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
            var results = try await Self.productSales(found, connection, logger)
            if !fromLines.isEmpty {
                let all = fromLines.count == counts.count
                results += try await Self.lineTopProducts(filter, limit: limit, currencies: all ? nil : fromLines, connection, logger)
            }
            return results
        }
    }

    /// Per currency with lines in the filter's range (of the filter's partner), how many.
    static func lineCounts(_ filter: AnalyticsFilter, _ connection: PostgresConnection, _ logger: Logger) async throws -> [String: Int64] {
        let plan = RollupPlan(filter)
        let days = DayScope(plan, partnerName: filter.partnerName)
        var counts: [String: Int64] = [:]
        for row in try await rows("""
            SELECT currency, sum(lines)::bigint FROM sales_daily WHERE \(days.sql) GROUP BY currency HAVING sum(lines) > 0
            """, days.binds, connection, logger) {
            counts[try row[0].decode(String.self)] = try row[1].decode(Int64.self)
        }
        for edge in plan?.edges ?? [] {
            let scope = LineScope(edge)
            for row in try await rows("""
                SELECT l.currency, count(*) FROM order_lines l WHERE \(scope.sql) GROUP BY l.currency
                """, scope.binds, connection, logger) {
                counts[try row[0].decode(String.self), default: 0] += try row[1].decode(Int64.self)
            }
        }
        return counts
    }

    /// Bind parameters and conditions on the `sales_by_sku` rows of one currency (and partner).
    struct SkuScope {
        var binds = PostgresBindings()
        var conditions: [String] = []

        init(_ currency: String, _ partnerName: String?) {
            conditions = ["currency = \(bind(currency))", "lines > 0"]
            if let partnerName { conditions.append("partner_name = \(bind(partnerName))") }
        }

        mutating func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }

        var sql: String { conditions.joined(separator: " AND ") }

        /// SKUs whose lines all lie in the filter's range.
        mutating func whollyInside(_ filter: AnalyticsFilter) {
            if let from = filter.from { conditions.append("first_ordered_at >= \(bind(from))") }
            if let to = filter.to { conditions.append("last_ordered_at < \(bind(to))") }
        }

        /// SKUs with lines on both sides of an edge of the filter's range, or in it and outside it, whose
        /// bound reaches `atLeast`, after `after` in bound order.
        mutating func straddling(_ filter: AnalyticsFilter, atLeast: Int64?, after: StraddlingSku?) {
            var outside: [String] = []
            if let from = filter.from {
                let parameter = bind(from)
                conditions.append("last_ordered_at >= \(parameter)")
                outside.append("first_ordered_at < \(parameter)")
            }
            if let to = filter.to {
                let parameter = bind(to)
                conditions.append("first_ordered_at < \(parameter)")
                outside.append("last_ordered_at >= \(parameter)")
            }
            conditions.append("(\(outside.joined(separator: " OR ")))")
            if let atLeast { conditions.append("sales - smallest_line >= \(bind(atLeast))") }
            if let after {
                let bound = bind(after.bound)
                conditions.append("""
                    sales - smallest_line <= \(bound) AND (sales - smallest_line < \(bound)
                        OR (partner_id, sku) > (\(bind(after.key.partnerID)), \(bind(after.key.sku))))
                    """)
            }
        }

        /// In rank order (sales, units descending, partner and SKU ascending), the first `limit`.
        mutating func ranked(limit: Int, _ connection: PostgresConnection, _ logger: Logger) async throws -> [SkuSales] {
            try await PostgresCatalogStore.rows("""
                SELECT partner_id, partner_name, sku, currency, lines, units, sales FROM sales_by_sku WHERE \(sql)
                ORDER BY sales DESC, units DESC, partner_name, sku LIMIT \(bind(limit))
                """, binds, connection, logger).map { row in
                SkuSales(
                    partnerID: try row[0].decode(String.self), partnerName: try row[1].decode(String.self),
                    sku: try row[2].decode(String.self), currency: try row[3].decode(String.self), lines: try row[4].decode(Int64.self),
                    unitsSold: try row[5].decode(Int64.self), sales: try row[6].decode(Int64.self))
            }
        }

        /// In `StraddlingSku.precedes` order, the first `limit`.
        mutating func straddlers(limit: Int, _ connection: PostgresConnection, _ logger: Logger) async throws -> [StraddlingSku] {
            try await PostgresCatalogStore.rows("""
                SELECT partner_id, sku, sales - smallest_line FROM sales_by_sku WHERE \(sql)
                ORDER BY sales - smallest_line DESC, partner_id, sku LIMIT \(bind(limit))
                """, binds, connection, logger).map { row in
                StraddlingSku(
                    key: SkuKey(partnerID: try row[0].decode(String.self), sku: try row[1].decode(String.self)),
                    bound: try row[2].decode(Int64.self))
            }
        }

        /// How many rows there are, counting up to `limit`.
        mutating func count(upTo limit: Int, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
            let rows = try await PostgresCatalogStore.rows("""
                SELECT count(*) FROM (SELECT 1 FROM sales_by_sku WHERE \(sql) LIMIT \(bind(limit))) t
                """, binds, connection, logger)
            return Int(try rows.first?[0].decode(Int64.self) ?? 0)
        }
    }

    /// The figures in the filter's range of these SKUs, in `currency`, from their order lines.
    static func skuSalesInRange(
        _ keys: [SkuKey], _ currency: String, _ filter: AnalyticsFilter, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [SkuKey: SkuSales] {
        guard !keys.isEmpty else { return [:] }
        // The keys name the partner: the range alone scopes the lines.
        var scope = LineScope(AnalyticsFilter(from: filter.from, to: filter.to))
        let partnerIDs = scope.bind(keys.map(\.partnerID)), skus = scope.bind(keys.map(\.sku))
        let currencyParameter = scope.bind(currency)
        var result: [SkuKey: SkuSales] = [:]
        for row in try await rows("""
            SELECT o.partner_id, o.partner_name, l.sku, count(*), sum(l.quantity)::bigint, sum(l.quantity * l.unit_price_units)::bigint
            FROM unnest(\(partnerIDs)::text[], \(skus)::text[]) AS k(partner_id, sku)
            JOIN order_lines l ON l.sku = k.sku COLLATE "C" AND l.currency = \(currencyParameter)
            JOIN orders o ON o.seq = l.order_seq AND o.partner_id = k.partner_id COLLATE "C"
            WHERE \(scope.sql)
            GROUP BY o.partner_id, o.partner_name, l.sku
            """, scope.binds, connection, logger) {
            let figures = SkuSales(
                partnerID: try row[0].decode(String.self), partnerName: try row[1].decode(String.self),
                sku: try row[2].decode(String.self), currency: currency, lines: try row[3].decode(Int64.self),
                unitsSold: try row[4].decode(Int64.self), sales: try row[5].decode(Int64.self))
            result[figures.key] = figures
        }
        return result
    }

    /// Top SKUs with the catalog's product ID and name, where the catalog has the SKU.
    static func productSales(_ skus: [SkuSales], _ connection: PostgresConnection, _ logger: Logger) async throws -> [ProductSales] {
        guard !skus.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(skus.map(\.partnerID))
        binds.append(skus.map(\.sku))
        var products: [SkuKey: (String, String)] = [:]
        for row in try await rows("""
            SELECT p.partner_id, p.sku, p.product_id, p.product_name
            FROM unnest($1::text[], $2::text[]) AS k(partner_id, sku)
            JOIN products p ON p.partner_id = k.partner_id COLLATE "C" AND p.sku = k.sku COLLATE "C"
            """, binds, connection, logger) {
            products[SkuKey(partnerID: try row[0].decode(String.self), sku: try row[1].decode(String.self))] =
                (try row[2].decode(String.self), try row[3].decode(String.self))
        }
        return skus.map { sku in
            let product = products[sku.key]
            return ProductSales(
                productID: product?.0, partnerName: sku.partnerName, sku: sku.sku, productName: product?.1, currency: sku.currency,
                unitsSold: sku.unitsSold, totalSales: ExactDecimal(units: sku.sales))
        }
    }
}
