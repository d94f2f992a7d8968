import CatalogCore
import Logging
import PostgresNIO

/// `/analytics/inventory` from `inventory_daily` (migration 008) for the whole UTC days of the range, and
/// from the products for the partial days at its edges; thresholds above the rollup's quantity classes
/// read the products alone.
extension PostgresCatalogStore {
    public func inventory(_ filter: AnalyticsFilter, lowStockThreshold: Int64) async throws -> [InventoryGroup] {
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            guard lowStockThreshold <= Int64(PostgresInventoryMigrations.quantityClasses), let plan = RollupPlan(filter) else {
                return try await Self.productInventory(filter, lowStockThreshold, connection, logger)
            }
            var days = DayScope(plan, partnerName: filter.partnerName)
            days.binds.append(lowStockThreshold)
            let whole = try await Self.rows("""
                SELECT partner_name, category, currency, sum(products)::bigint, sum(active)::bigint, sum(in_stock)::bigint,
                    sum(out_of_stock)::bigint,
                    coalesce(sum(active) FILTER (WHERE quantity_class BETWEEN 1 AND $\(days.binds.count)), 0)::bigint,
                    sum(price_total)::bigint, sum(value)::bigint
                FROM inventory_daily WHERE \(days.sql)
                GROUP BY partner_name, category, currency HAVING sum(products) > 0
                """, days.binds, connection, logger).map(Self.inventoryGroup)
            var parts = [whole]
            for edge in plan.edges { parts.append(try await Self.productInventory(edge, lowStockThreshold, connection, logger)) }
            return InventoryRollup.combine(parts)
        }
    }

    static func productInventory(
        _ filter: AnalyticsFilter, _ lowStockThreshold: Int64, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [InventoryGroup] {
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let threshold = bind(lowStockThreshold)
        var conditions = ["true"]
        if let partnerName = filter.partnerName { conditions.append("partner_name = \(bind(partnerName))") }
        if filter.from != nil || filter.to != nil {
            // Every status the store writes: named, they let the (status, created_at) index serve the range.
            conditions.append("status = ANY(\(bind(ProductStatus.allCases.map(\.rawValue))))")
        }
        if let from = filter.from { conditions.append("created_at >= \(bind(from))") }
        if let to = filter.to { conditions.append("created_at < \(bind(to))") }
        return try await rows("""
            SELECT partner_name, category, currency, count(*),
                count(*) FILTER (WHERE status = 'active'),
                count(*) FILTER (WHERE status = 'active' AND availability = 'in_stock'),
                count(*) FILTER (WHERE status = 'active' AND availability = 'out_of_stock'),
                count(*) FILTER (WHERE status = 'active' AND quantity BETWEEN 1 AND \(threshold)),
                coalesce(sum(price_units) FILTER (WHERE status = 'active'), 0)::bigint,
                coalesce(sum(price_units * coalesce(quantity, 0)) FILTER (WHERE status = 'active'), 0)::bigint
            FROM products WHERE \(conditions.joined(separator: " AND "))
            GROUP BY partner_name, category, currency
            """, binds, connection, logger).map(inventoryGroup)
    }

    static func inventoryGroup(_ row: PostgresRandomAccessRow) throws -> InventoryGroup {
        InventoryGroup(
            partnerName: try row[0].decode(String.self), category: try row[1].decode(String?.self),
            currency: try row[2].decode(String.self), products: try row[3].decode(Int64.self),
            active: try row[4].decode(Int64.self), inStock: try row[5].decode(Int64.self),
            outOfStock: try row[6].decode(Int64.self), lowStock: try row[7].decode(Int64.self),
            activePriceTotal: ExactDecimal(units: try row[8].decode(Int64.self)),
            inventoryValue: ExactDecimal(units: try row[9].decode(Int64.self)))
    }
}
