import CatalogCore

/// The product object of §Products, written by hand: `price` is a JSON number taken from the exact
/// decimal's text (never a Double), and `image_urls` / `attributes` are the JSON the stores keep.
enum ProductJSON {
    static func object(_ product: Product) -> String {
        var out = ""
        append(product, to: &out)
        return out
    }

    static func append(_ product: Product, to out: inout String) {
        out += "{\"attributes\":"
        out += product.attributesJSON
        out += ",\"availability\":"
        JSONText.append(product.availability, to: &out)
        out += ",\"brand\":"
        optional(product.brand, to: &out)
        out += ",\"category\":"
        optional(product.category, to: &out)
        out += ",\"created_at\":\""
        out += UTCMicroseconds.iso8601(product.createdAt)
        out += "\",\"currency\":"
        JSONText.append(product.currency, to: &out)
        out += ",\"description\":"
        optional(product.description, to: &out)
        out += ",\"feed_id\":"
        JSONText.append(product.feedID, to: &out)
        out += ",\"gtin\":"
        optional(product.gtin, to: &out)
        out += ",\"image_urls\":"
        out += product.imageURLsJSON
        out += ",\"mpn\":"
        optional(product.mpn, to: &out)
        out += ",\"partner_name\":"
        JSONText.append(product.partnerName, to: &out)
        out += ",\"price\":"
        out += product.price.description
        out += ",\"product_id\":"
        JSONText.append(product.productID, to: &out)
        out += ",\"product_name\":"
        JSONText.append(product.productName, to: &out)
        out += ",\"quantity\":"
        out += product.quantity.map(String.init) ?? "null"
        out += ",\"sku\":"
        JSONText.append(product.sku, to: &out)
        out += ",\"status\":\""
        out += product.status.rawValue
        out += "\",\"updated_at\":\""
        out += UTCMicroseconds.iso8601(product.updatedAt)
        out += "\"}"
    }

    /// `{"count": …, "items": […], "next_cursor": …}`.
    static func list(_ products: [Product], nextCursor: String?) -> String {
        var out = "{\"count\":\(products.count),\"items\":["
        out.reserveCapacity(products.count * 700)
        for (index, product) in products.enumerated() {
            if index > 0 { out += "," }
            append(product, to: &out)
        }
        out += "],\"next_cursor\":"
        optional(nextCursor, to: &out)
        return out + "}"
    }

    private static func optional(_ value: String?, to out: inout String) {
        if let value { JSONText.append(value, to: &out) } else { out += "null" }
    }
}
