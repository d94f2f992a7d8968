/// One real-world product and the offers of it (§Unified catalog), as one audience sees it: every
/// active offer (`scope` ""), or a partner's own offers only (`scope` its name).
public struct CatalogItem: Sendable, Equatable {
    /// The system of record's number of the item's key: `item_id` is `CI` + it.
    public var seq: Int64
    public var scope: String
    public var gtin: String?
    public var brand: String?
    public var mpn: String?
    /// From the offer with the most filled fields.
    public var productName: String
    public var category: String?
    public var imageURLsJSON: String
    public var offers: Int
    /// The most common currency of the offers (ties: alphabetical); `bestOffer` is in it unless asked otherwise.
    public var currency: String
    /// Per currency, alphabetical.
    public var prices: [CatalogItemPrices]
    /// The availabilities of the offers, alphabetical.
    public var availabilities: [String]
    /// What `q` searches: every offer's product_name, brand and mpn, and the GTIN, one per line.
    public var searchText: String

    public var itemID: String { IDKind.catalogItem.format(seq) }

    public init(
        seq: Int64, scope: String, gtin: String?, brand: String?, mpn: String?, productName: String, category: String?,
        imageURLsJSON: String, offers: Int, currency: String, prices: [CatalogItemPrices], availabilities: [String] = [], searchText: String = ""
    ) {
        self.availabilities = availabilities
        self.searchText = searchText
        self.seq = seq
        self.scope = scope
        self.gtin = gtin
        self.brand = brand
        self.mpn = mpn
        self.productName = productName
        self.category = category
        self.imageURLsJSON = imageURLsJSON
        self.offers = offers
        self.currency = currency
        self.prices = prices
    }

    public func prices(in currency: String) -> CatalogItemPrices? { prices.first { $0.currency == currency } }
}

/// An item's offers in one currency: the price range and the best offer.
public struct CatalogItemPrices: Sendable, Equatable {
    public var currency: String
    public var min: ExactDecimal
    public var max: ExactDecimal
    public var offers: Int
    /// The lowest price among the in-stock offers (among all of them when none is in stock); ties: lowest product ID.
    public var best: CatalogOffer

    public init(currency: String, min: ExactDecimal, max: ExactDecimal, offers: Int, best: CatalogOffer) {
        self.currency = currency
        self.min = min
        self.max = max
        self.offers = offers
        self.best = best
    }
}

/// An offer as an item shows its best one.
public struct CatalogOffer: Sendable, Equatable {
    public var productSeq: Int64
    public var productID: String
    public var partnerName: String
    public var price: ExactDecimal
    public var currency: String
    public var availability: String

    public init(productSeq: Int64, productID: String, partnerName: String, price: ExactDecimal, currency: String, availability: String) {
        self.productSeq = productSeq
        self.productID = productID
        self.partnerName = partnerName
        self.price = price
        self.currency = currency
        self.availability = availability
    }

    public init(_ offer: ItemOffer) {
        self.init(productSeq: offer.seq, productID: offer.productID, partnerName: offer.partnerName,
                  price: offer.price, currency: offer.currency, availability: offer.availability)
    }
}

/// What grouping needs of an active product: a read model reads just this for the items it regroups.
public struct ItemOffer: Sendable, Equatable {
    public var seq: Int64
    public var productID: String
    public var partnerName: String
    public var productName: String
    public var brand: String?
    public var category: String?
    public var gtin: String?
    public var mpn: String?
    public var price: ExactDecimal
    public var currency: String
    public var availability: String
    public var imageURLsJSON: String
    /// How complete the offer's description is: the fields it fills of those that may be empty.
    public var filledFields: Int

    public init(
        seq: Int64, productID: String, partnerName: String, productName: String, brand: String?, category: String?,
        gtin: String?, mpn: String?, price: ExactDecimal, currency: String, availability: String, imageURLsJSON: String,
        hasDescription: Bool, hasQuantity: Bool, hasAttributes: Bool
    ) {
        self.seq = seq
        self.productID = productID
        self.partnerName = partnerName
        self.productName = productName
        self.brand = brand
        self.category = category
        self.gtin = gtin
        self.mpn = mpn
        self.price = price
        self.currency = currency
        self.availability = availability
        self.imageURLsJSON = imageURLsJSON
        filledFields = [
            hasDescription, brand?.isEmpty == false, category?.isEmpty == false, gtin != nil, mpn != nil, hasQuantity,
            imageURLsJSON != "[]", hasAttributes,
        ].filter { $0 }.count
    }

    public init(_ product: Product) {
        self.init(
            seq: product.seq, productID: product.productID, partnerName: product.partnerName, productName: product.productName,
            brand: product.brand, category: product.category, gtin: product.gtin, mpn: product.mpn, price: product.price,
            currency: product.currency, availability: product.availability, imageURLsJSON: product.imageURLsJSON,
            hasDescription: product.description?.isEmpty == false, hasQuantity: product.quantity != nil,
            hasAttributes: product.attributesJSON != "{}")
    }
}
