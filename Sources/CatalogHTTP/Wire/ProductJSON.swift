import CatalogCore
import NIOCore

/// The product object of §Products, written by hand: `price` is a JSON number taken from the exact
/// decimal's text (never a Double), and `image_urls` / `attributes` are the JSON the stores keep.
enum ProductJSON {
    static func object(_ product: Product) -> String {
        var out = ""
        append(product, to: &out)
        return out
    }

    static func append<Output: JSONOutput>(_ product: Product, to out: inout Output) {
        out.appendJSON("{\"attributes\":")
        out.appendJSON(product.attributesJSON)
        out.appendJSON(",\"availability\":")
        JSONText.append(product.availability, to: &out)
        out.appendJSON(",\"brand\":")
        optional(product.brand, to: &out)
        out.appendJSON(",\"category\":")
        optional(product.category, to: &out)
        out.appendJSON(",\"created_at\":\"")
        out.appendJSON(UTCMicroseconds.iso8601(product.createdAt))
        out.appendJSON("\",\"currency\":")
        JSONText.append(product.currency, to: &out)
        out.appendJSON(",\"description\":")
        optional(product.description, to: &out)
        out.appendJSON(",\"feed_id\":")
        JSONText.append(product.feedID, to: &out)
        out.appendJSON(",\"gtin\":")
        optional(product.gtin, to: &out)
        out.appendJSON(",\"image_urls\":")
        out.appendJSON(product.imageURLsJSON)
        out.appendJSON(",\"mpn\":")
        optional(product.mpn, to: &out)
        out.appendJSON(",\"partner_name\":")
        JSONText.append(product.partnerName, to: &out)
        out.appendJSON(",\"price\":")
        out.appendJSON(product.price.description)
        out.appendJSON(",\"product_id\":")
        JSONText.append(product.productID, to: &out)
        out.appendJSON(",\"product_name\":")
        JSONText.append(product.productName, to: &out)
        out.appendJSON(",\"quantity\":")
        out.appendJSON(product.quantity.map(String.init) ?? "null")
        out.appendJSON(",\"sku\":")
        JSONText.append(product.sku, to: &out)
        out.appendJSON(",\"status\":\"")
        out.appendJSON(product.status.rawValue)
        out.appendJSON("\",\"updated_at\":\"")
        out.appendJSON(UTCMicroseconds.iso8601(product.updatedAt))
        out.appendJSON("\"}")
    }

    /// `{"count": …, "items": […], "next_cursor": …}`, written straight into the response's bytes.
    static func list(_ products: [Product], nextCursor: String?) -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(products.count * 760 + 128)
        out.appendJSON("{\"count\":")
        out.appendJSON(String(products.count))
        out.appendJSON(",\"items\":[")
        for (index, product) in products.enumerated() {
            if index > 0 { out.appendJSON(",") }
            append(product, to: &out)
        }
        out.appendJSON("],\"next_cursor\":")
        optional(nextCursor, to: &out)
        out.appendJSON("}")
        return ByteBuffer(bytes: out)
    }

    private static func optional<Output: JSONOutput>(_ value: String?, to out: inout Output) {
        if let value { JSONText.append(value, to: &out) } else { out.appendJSON("null") }
    }
}

extension Array: JSONOutput where Element == UInt8 {
    public mutating func appendJSON(_ text: String) { append(contentsOf: text.utf8) }
    public mutating func appendJSON(_ scalar: Unicode.Scalar) { UTF8.encode(scalar) { append($0) } }
}
