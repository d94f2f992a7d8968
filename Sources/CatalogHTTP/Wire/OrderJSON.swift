import CatalogCore
import Foundation

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
