import CatalogCore
import Foundation

/// The order object: `order_id` is the catalog's `OR…` ID, `partner_order_id` the partner's own.
enum OrderJSON {
    static func object(_ order: Order) -> String {
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

    static func line(_ line: OrderLine) -> String {
        var writer = JSONObjectWriter()
        writer.string("sku", line.sku)
        writer.integer("quantity", line.quantity)
        writer.decimal("unit_price", line.unitPrice)
        writer.string("currency", line.currency)
        writer.decimal("line_total", line.total)
        return writer.json
    }

    static func list(_ orders: [Order], nextCursor: String?) -> String {
        var writer = JSONObjectWriter()
        writer.integer("count", Int64(orders.count))
        writer.array("items", orders.map(object))
        writer.string("next_cursor", nextCursor)
        return writer.json
    }
}

/// The body of `POST /orders`. Numbers may come as JSON numbers or strings; either way their text is
/// what the order-line rules parse (never a Double).
struct OrderBody: Decodable {
    var partnerName: String?
    var orderID: JSONScalarText?
    var orderedAt: String?
    var currency: String?
    var items: [Item]

    struct Item: Decodable {
        var sku: JSONScalarText?
        var quantity: JSONScalarText?
        var unitPrice: JSONScalarText?

        enum CodingKeys: String, CodingKey { case sku, quantity, unitPrice = "unit_price" }
    }

    enum CodingKeys: String, CodingKey {
        case partnerName = "partner_name", orderID = "order_id", orderedAt = "ordered_at", currency, items
    }

    var request: OrderRequest {
        OrderRequest(
            partnerName: partnerName, orderID: orderID?.text, orderedAt: orderedAt, currency: currency,
            items: items.map { OrderRequest.Item(sku: $0.sku?.text, quantity: $0.quantity?.text, unitPrice: $0.unitPrice?.text) })
    }
}

/// A JSON string, integer or decimal number, as text. Decimals go through `Decimal`, which keeps the
/// written digits exactly.
struct JSONScalarText: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else {
            text = try container.decode(Decimal.self).description
        }
    }
}
