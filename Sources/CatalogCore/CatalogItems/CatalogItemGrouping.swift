/// How an item's figures follow from its offers (§Unified catalog); the read model stores what this
/// computes, for the whole catalog and for each partner's own offers.
public enum CatalogItemGrouping {
    /// The item as every audience sees it: all active offers (scope "") and each partner's own.
    /// `offers`: the item's active offers, any order.
    public static func views(itemSeq: Int64, offers: [ItemOffer]) -> [CatalogItem] {
        // Most items have one offer: built directly (a start-up regroups every item).
        if offers.count == 1 {
            let item = single(itemSeq: itemSeq, offers[0])
            var own = item
            own.scope = offers[0].partnerName
            return [item, own]
        }
        let active = offers.sorted { $0.seq < $1.seq }
        guard !active.isEmpty else { return [] }
        var views = [item(itemSeq: itemSeq, scope: "", offers: active)]
        let partners = Set(active.map(\.partnerName))
        // One partner's item is the whole item under its name.
        if partners.count == 1 {
            var own = views[0]
            own.scope = active[0].partnerName
            views.append(own)
        } else {
            for partner in partners.sorted() {
                views.append(item(itemSeq: itemSeq, scope: partner, offers: active.filter { $0.partnerName == partner }))
            }
        }
        return views
    }

    /// `item(itemSeq:scope:offers:)` for one offer.
    static func single(itemSeq: Int64, _ offer: ItemOffer) -> CatalogItem {
        CatalogItem(
            seq: itemSeq, scope: "", gtin: offer.gtin, brand: offer.brand, mpn: offer.mpn, productName: offer.productName,
            category: offer.category, imageURLsJSON: offer.imageURLsJSON, offers: 1, currency: offer.currency,
            prices: [CatalogItemPrices(currency: offer.currency, min: offer.price, max: offer.price, offers: 1, best: CatalogOffer(offer))],
            availabilities: [offer.availability], searchText: searchText([offer]))
    }

    /// `offers`: active, non-empty, in product order.
    static func item(itemSeq: Int64, scope: String, offers: [ItemOffer]) -> CatalogItem {
        let representative = offers.max { $0.filledFields < $1.filledFields || ($0.filledFields == $1.filledFields && $0.seq > $1.seq) }!
        var byCurrency: [String: [ItemOffer]] = [:]
        for offer in offers { byCurrency[offer.currency, default: []].append(offer) }
        let prices = byCurrency.keys.sorted().map { currency in
            let group = byCurrency[currency]!
            let inStock = group.filter { $0.availability == Availability.inStock.rawValue }
            let best = (inStock.isEmpty ? group : inStock).min { ($0.price.units, $0.seq) < ($1.price.units, $1.seq) }!
            return CatalogItemPrices(
                currency: currency, min: group.map(\.price).min { $0.units < $1.units }!,
                max: group.map(\.price).max { $0.units < $1.units }!, offers: group.count, best: CatalogOffer(best))
        }
        let currency = prices.max { $0.offers < $1.offers || ($0.offers == $1.offers && $0.currency > $1.currency) }!.currency
        return CatalogItem(
            seq: itemSeq, scope: scope,
            gtin: representative.gtin ?? offers.lazy.compactMap(\.gtin).first,
            brand: representative.brand ?? offers.lazy.compactMap(\.brand).first,
            mpn: representative.mpn ?? offers.lazy.compactMap(\.mpn).first,
            productName: representative.productName, category: representative.category ?? offers.lazy.compactMap(\.category).first,
            imageURLsJSON: representative.imageURLsJSON, offers: offers.count, currency: currency, prices: prices,
            availabilities: Set(offers.map(\.availability)).sorted(), searchText: searchText(offers))
    }

    static func searchText(_ offers: [ItemOffer]) -> String {
        var lines: [String] = []
        for offer in offers {
            for text in [offer.productName, offer.brand, offer.mpn, offer.gtin] {
                if let text, !lines.contains(text) { lines.append(text) }
            }
        }
        return lines.joined(separator: "\n")
    }
}
