import CatalogCore
import Foundation
import GRDB

extension SQLiteCatalogStore: OrderRepository {
    static let orderColumns = "seq, order_id, partner_name, partner_order_id, currency, ordered_at, feed_id, created_at"

    public func createOrder(_ new: NewOrder) async throws -> Order {
        try await write { db in
            guard let partner = try Self.partner(named: new.partnerName, db) else {
                throw CatalogError.validation("There is no partner named '\(new.partnerName)'.", parameter: "partner_name")
            }
            let existing = try String.fetchOne(db, sql: """
                SELECT order_id FROM orders WHERE partner_id = ? AND partner_order_id = ?
                """, arguments: [partner.partnerID, new.partnerOrderID])
            if let existing {
                throw CatalogError.conflict("Partner '\(partner.partnerName)' already has order '\(new.partnerOrderID)' (\(existing)).")
            }
            let orderID = try Self.allocate(.order, db)
            let seq = IDKind.order.number(of: orderID)!
            try db.execute(sql: """
                INSERT INTO orders (seq, order_id, partner_id, partner_name, partner_order_id, currency, ordered_at, feed_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
                """, arguments: [seq, orderID, partner.partnerID, partner.partnerName, new.partnerOrderID, new.currency,
                                 new.orderedAt, new.createdAt])
            let insertLine = try db.cachedStatement(sql: """
                INSERT INTO order_lines (order_seq, sku, quantity, unit_price_units, currency, ordered_at, content_hash, feed_id,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
                """)
            for line in new.lines {
                try insertLine.execute(arguments: [
                    seq, line.sku, line.quantity, line.unitPrice.units, line.currency, line.orderedAt, line.contentHash,
                    new.createdAt, new.createdAt,
                ])
            }
            try Self.rollUpNewOrder(seq, db)
            let order = try Self.orders(Row.fetchAll(db, sql: "SELECT \(Self.orderColumns) FROM orders WHERE seq = ?", arguments: [seq]), db)[0]
            try Self.record(.orderCreated(order), db)
            return order
        }
    }

    public func order(id: String) async throws -> Order? {
        guard let seq = IDKind.order.number(of: id) else { return nil }
        return try await read { db in
            try Self.orders(Row.fetchAll(db, sql: "SELECT \(Self.orderColumns) FROM orders WHERE seq = ?", arguments: [seq]), db).first
        }
    }

    public func listOrders(_ filter: OrderFilter, limit: Int, after: OrderPosition?) async throws -> OrderPage {
        try await read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let partnerName = filter.partnerName {
                conditions.append("partner_name = ?")
                arguments.append(partnerName)
            }
            if let from = filter.from {
                conditions.append("ordered_at >= ?")
                arguments.append(Self.storedBound(from))
            }
            if let to = filter.to {
                conditions.append("ordered_at < ?")
                arguments.append(Self.storedBound(to))
            }
            if let after {
                conditions.append("(ordered_at, seq) < (?, ?)")
                arguments.append(UTCMicroseconds.sqliteText(after.orderedAtMicroseconds))
                arguments.append(after.seq)
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.orderColumns) FROM orders \(whereClause) ORDER BY ordered_at DESC, seq DESC LIMIT \(limit + 1)
                """, arguments: StatementArguments(arguments))
            let items = try Self.orders(Array(rows.prefix(limit)), db)
            return OrderPage(items: items, next: rows.count > limit ? items.last?.position : nil)
        }
    }

    /// Orders from their rows, with their lines fetched in one query.
    static func orders(_ rows: [Row], _ db: Database) throws -> [Order] {
        guard !rows.isEmpty else { return [] }
        var orders = rows.map { row in
            Order(
                seq: row[0], orderID: row[1], partnerName: row[2], partnerOrderID: row[3], currency: row[4],
                orderedAt: date(row[5]), feedID: row[6], createdAt: date(row[7]), lines: [])
        }
        let index = Dictionary(uniqueKeysWithValues: orders.enumerated().map { ($1.seq, $0) })
        let placeholders = Array(repeating: "?", count: orders.count).joined(separator: ",")
        let lines = try Row.fetchAll(db, sql: """
            SELECT order_seq, sku, quantity, unit_price_units, currency, ordered_at FROM order_lines
            WHERE order_seq IN (\(placeholders)) ORDER BY order_seq, sku
            """, arguments: StatementArguments(orders.map(\.seq)))
        for row in lines {
            let seq: Int64 = row[0]
            guard let position = index[seq] else { continue }
            orders[position].lines.append(OrderLine(
                sku: row[1], quantity: row[2], unitPrice: ExactDecimal(units: row[3]), currency: row[4], orderedAt: date(row[5])))
        }
        return orders
    }
}
