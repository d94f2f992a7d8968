import CatalogCore
import Foundation
import PostgresNIO

extension PostgresCatalogStore: SkuUnitsQueries {
    public func dailyUnits(_ filter: AnalyticsFilter, of keys: [SkuSeriesKey]) async throws -> [SkuDayUnits] {
        guard !keys.isEmpty else { return [] }
        // The range only: each key names its own partner (bound as three arrays, unnested together).
        var scope = LineScope(AnalyticsFilter(from: filter.from, to: filter.to))
        let partners = scope.bind(keys.map(\.partnerName))
        let skus = scope.bind(keys.map(\.sku))
        let currencies = scope.bind(keys.map(\.currency))
        let sql = """
            WITH wanted AS (SELECT * FROM unnest(\(partners)::text[], \(skus)::text[], \(currencies)::text[])
                AS w (partner_name, sku, currency))
            SELECT w.partner_name, w.sku, w.currency, \(Self.utcDay("l.ordered_at"))::bigint AS day, sum(l.quantity)::bigint
            FROM wanted w JOIN order_lines l ON l.sku = w.sku AND l.currency = w.currency
            JOIN orders o ON o.seq = l.order_seq AND o.partner_name = w.partner_name
            WHERE \(scope.sql)
            GROUP BY 1, 2, 3, 4
            """
        let binds = scope.binds
        let logger = self.logger
        return try await analyticsSnapshot { connection in
            try await Self.rows(sql, binds, connection, logger).map { row in
                SkuDayUnits(
                    key: SkuSeriesKey(
                        partnerName: try row[0].decode(String.self), sku: try row[1].decode(String.self),
                        currency: try row[2].decode(String.self)),
                    day: try row[3].decode(Int64.self), unitsSold: try row[4].decode(Int64.self))
            }
        }
    }
}
