import Foundation

/// The order object: `order_id` is the catalog's `OR…` ID, `partner_order_id` the partner's own.
public enum OrderJSON {
    public static func object(_ order: Order) -> String {
        var writer = JSONObjectWriter()
        writer.string("order_id", order.orderID)
        writer.string("partner_order_id", order.partnerOrderID)
        writer.string("partner_name", order.partnerName)
        writer.timestamp("ordered_at", order.orderedAt)
        writer.string("currency", order.currency)
        writer.array("items", order.lines.map(line))
        writer.decimal("total", order.total)
        writer.string("feed_id", order.feedID)
        writer.timestamp("created_at", order.createdAt)
        return writer.json
    }

    public static func line(_ line: OrderLine) -> String {
        var writer = JSONObjectWriter()
        writer.string("sku", line.sku)
        writer.integer("quantity", line.quantity)
        writer.decimal("unit_price", line.unitPrice)
        writer.string("currency", line.currency)
        writer.decimal("line_total", line.total)
        return writer.json
    }

    public static func list(_ orders: [Order], nextCursor: String?) -> String {
        var writer = JSONObjectWriter()
        writer.integer("count", Int64(orders.count))
        writer.array("items", orders.map(object))
        writer.string("next_cursor", nextCursor)
        return writer.json
    }
}

