import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: SkuUnitsQueries {
    public func dailyUnits(_ filter: AnalyticsFilter, of keys: [SkuSeriesKey]) async throws -> [SkuDayUnits] {
        guard !keys.isEmpty else { return [] }
        // The range only: each key names its own partner.
        let (conditions, rangeArguments) = Self.lineConditions(AnalyticsFilter(from: filter.from, to: filter.to))
        let wanted = Array(repeating: "(?, ?, ?)", count: keys.count).joined(separator: ", ")
        var arguments: [(any DatabaseValueConvertible)?] = keys.flatMap { [$0.partnerName, $0.sku, $0.currency] }
        arguments += rangeArguments
        let statementArguments = StatementArguments(arguments)
        let sql = """
            WITH wanted (partner_name, sku, currency) AS (VALUES \(wanted))
            SELECT w.partner_name, w.sku, w.currency, \(Self.utcDay("l.ordered_at")) AS day, sum(l.quantity)
            FROM wanted w CROSS JOIN order_lines l ON l.sku = w.sku AND l.currency = w.currency
            JOIN orders o ON o.seq = l.order_seq AND o.partner_name = w.partner_name
            WHERE \(conditions)
            GROUP BY 1, 2, 3, 4
            """
        return try await read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                SkuDayUnits(key: SkuSeriesKey(partnerName: row[0], sku: row[1], currency: row[2]), day: row[3], unitsSold: row[4])
            }
        }
    }
}
