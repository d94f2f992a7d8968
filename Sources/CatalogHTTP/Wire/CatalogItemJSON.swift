import CatalogCore

/// The catalog item object of §Unified catalog, written by hand like `ProductJSON` (exact prices).
enum CatalogItemJSON {
    /// `currency`: the one the best offer is asked in (nil: the item's most common).
    static func append(_ item: CatalogItem, currency: String?, to out: inout String) {
        out += "{\"best_offer\":"
        if let best = item.shownPrices(currency)?.best {
            out += "{\"availability\":"
            JSONText.append(best.availability, to: &out)
            out += ",\"currency\":"
            JSONText.append(best.currency, to: &out)
            out += ",\"partner_name\":"
            JSONText.append(best.partnerName, to: &out)
            out += ",\"price\":"
            out += best.price.description
            out += ",\"product_id\":"
            JSONText.append(best.productID, to: &out)
            out += "}"
        } else {
            out += "null"
        }
        out += ",\"brand\":"
        optional(item.brand, to: &out)
        out += ",\"category\":"
        optional(item.category, to: &out)
        out += ",\"gtin\":"
        optional(item.gtin, to: &out)
        out += ",\"image_urls\":"
        out += item.imageURLsJSON
        out += ",\"item_id\":"
        JSONText.append(item.itemID, to: &out)
        out += ",\"mpn\":"
        optional(item.mpn, to: &out)
        out += ",\"offers\":\(item.offers)"
        out += ",\"prices\":["
        for (index, figures) in item.prices.enumerated() {
            if index > 0 { out += "," }
            out += "{\"currency\":"
            JSONText.append(figures.currency, to: &out)
            out += ",\"max\":" + figures.max.description + ",\"min\":" + figures.min.description + "}"
        }
        out += "],\"product_name\":"
        JSONText.append(item.productName, to: &out)
    }

    static func object(_ item: CatalogItem, offers: [Product]) -> String {
        var out = ""
        append(item, currency: nil, to: &out)
        out += ",\"offer_list\":["
        for (index, offer) in offers.enumerated() {
            if index > 0 { out += "," }
            ProductJSON.append(offer, to: &out)
        }
        return out + "]}"
    }

    static func list(_ items: [CatalogItem], currency: String?, nextCursor: String?) -> String {
        var out = "{\"count\":\(items.count),\"items\":["
        out.reserveCapacity(items.count * 600)
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            append(item, currency: currency, to: &out)
            out += "}"
        }
        out += "],\"next_cursor\":"
        optional(nextCursor, to: &out)
        return out + "}"
    }

    private static func optional(_ value: String?, to out: inout String) {
        if let value { JSONText.append(value, to: &out) } else { out += "null" }
    }
}
