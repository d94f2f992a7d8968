import CatalogCore
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalogStore: OrderRepository {
    static let orderColumns = "seq, order_id, partner_name, partner_order_id, currency, ordered_at, feed_id, created_at"

    public func createOrder(_ new: NewOrder) async throws -> Order {
        try await transaction { connection in
            let logger = self.logger
            guard let partner = try await Self.partner(named: new.partnerName, connection, logger) else {
                throw CatalogError.validation("There is no partner named '\(new.partnerName)'.", parameter: "partner_name")
            }
            let conflict = CatalogError.conflict("Partner '\(partner.partnerName)' already has order '\(new.partnerOrderID)'.")
            let existing = try await connection.query("""
                SELECT order_id FROM orders WHERE partner_id = \(partner.partnerID) AND partner_order_id = \(new.partnerOrderID)
                """, logger: logger).one(String.self)
            if existing != nil { throw conflict }
            let block = try await Self.allocate(.order, count: 1, connection, logger)
            do {
                try await connection.query("""
                    INSERT INTO orders (seq, order_id, partner_id, partner_name, partner_order_id, currency, ordered_at, feed_id,
                        created_at)
                    VALUES (\(block.last), \(block.formatted), \(partner.partnerID), \(partner.partnerName), \(new.partnerOrderID),
                        \(new.currency), \(new.orderedAt), NULL, \(new.createdAt))
                    """, logger: logger).drain()
            } catch where PostgresErrors.sqlState(error) == PostgresErrors.uniqueViolation {
                throw conflict
            }
            for line in new.lines {
                try await connection.query("""
                    INSERT INTO order_lines (order_seq, sku, quantity, unit_price_units, currency, ordered_at, content_hash, feed_id,
                        created_at, updated_at)
                    VALUES (\(block.last), \(line.sku), \(line.quantity), \(line.unitPrice.units), \(line.currency),
                        \(line.orderedAt), \(line.contentHash), NULL, \(new.createdAt), \(new.createdAt))
                    """, logger: logger).drain()
            }
            try await Self.rollUpNewOrder(block.last, connection, logger)
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.orderColumns) FROM orders WHERE seq = \(block.last)
                """, logger: logger).rows()
            guard let order = try await Self.orders(rows, connection, logger).first else {
                throw CatalogError(.internal, "The new order \(block.formatted) was not stored.")
            }
            try await Self.record(.orderCreated(order), connection, logger)
            return order
        }
    }

    public func order(id: String) async throws -> Order? {
        guard let seq = IDKind.order.number(of: id) else { return nil }
        return try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.orderColumns) FROM orders WHERE seq = \(seq)
                """, logger: self.logger).rows()
            return try await Self.orders(rows, connection, self.logger).first
        }
    }

    public func listOrders(_ filter: OrderFilter, limit: Int, after: OrderPosition?) async throws -> OrderPage {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let partnerName = filter.partnerName { conditions.append("partner_name = \(bind(partnerName))") }
        if let from = filter.from { conditions.append("ordered_at >= \(bind(from))") }
        if let to = filter.to { conditions.append("ordered_at < \(bind(to))") }
        if let after {
            let instant = "(timestamptz 'epoch' + \(bind(after.orderedAtMicroseconds)) * interval '1 microsecond')"
            conditions.append("(ordered_at, seq) < (\(instant), \(bind(after.seq)))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.orderColumns) FROM orders \(whereClause) ORDER BY ordered_at DESC, seq DESC LIMIT \(limit + 1)"
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try await withConnection { connection in
            let rows = try await connection.query(query, logger: self.logger).rows()
            let items = try await Self.orders(Array(rows.prefix(limit)), connection, self.logger)
            return OrderPage(items: items, next: rows.count > limit ? items.last?.position : nil)
        }
    }

    /// Orders from their rows, with their lines fetched in one query.
    static func orders(_ rows: [PostgresRandomAccessRow], _ connection: PostgresConnection, _ logger: Logger) async throws -> [Order] {
        guard !rows.isEmpty else { return [] }
        var orders = try rows.map { row in
            Order(
                seq: try row[0].decode(Int64.self), orderID: try row[1].decode(String.self), partnerName: try row[2].decode(String.self),
                partnerOrderID: try row[3].decode(String.self), currency: try row[4].decode(String.self),
                orderedAt: try row[5].decode(Date.self), feedID: try row[6].decode(String?.self), createdAt: try row[7].decode(Date.self),
                lines: [])
        }
        let index = Dictionary(uniqueKeysWithValues: orders.enumerated().map { ($1.seq, $0) })
        let lines = try await connection.query("""
            SELECT order_seq, sku, quantity, unit_price_units, currency, ordered_at FROM order_lines
            WHERE order_seq = ANY(\(orders.map(\.seq))) ORDER BY order_seq, sku COLLATE "C"
            """, logger: logger).rows()
        for row in lines {
            guard let position = index[try row[0].decode(Int64.self)] else { continue }
            orders[position].lines.append(OrderLine(
                sku: try row[1].decode(String.self), quantity: try row[2].decode(Int64.self),
                unitPrice: ExactDecimal(units: try row[3].decode(Int64.self)), currency: try row[4].decode(String.self),
                orderedAt: try row[5].decode(Date.self)))
        }
        return orders
    }
}
