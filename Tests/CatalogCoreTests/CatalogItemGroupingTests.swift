@testable import CatalogCore
import Testing

/// §Unified catalog's rules in core: the grouping key, and how an item's figures follow from its offers.
@Suite struct CatalogItemGroupingTests {
    static func offer(
        _ seq: Int64, partner: String = "acme", name: String = "Tent", price: Int64, currency: String = "USD",
        availability: String = "in_stock", brand: String? = nil, gtin: String? = nil, description: Bool = false
    ) -> ItemOffer {
        ItemOffer(
            seq: seq, productID: IDKind.product.format(seq), partnerName: partner, productName: name, brand: brand, category: nil,
            gtin: gtin, mpn: nil, price: ExactDecimal(units: price * 100), currency: currency, availability: availability,
            imageURLsJSON: "[]", hasDescription: description, hasQuantity: false, hasAttributes: false)
    }

    @Test func theKeyIsTheGTINElseBrandAndMPNFoldedElseTheProduct() {
        #expect(CatalogItemKey.of(gtin: "04006381333931", brand: "X", mpn: "Y", partnerID: "PT00001", sku: "A") == "g:04006381333931")
        let folded = CatalogItemKey.of(gtin: nil, brand: "Cole-Man ", mpn: "tnt 2p", partnerID: "PT00001", sku: "A")
        #expect(folded == CatalogItemKey.of(gtin: nil, brand: "COLEMAN", mpn: "TNT-2P", partnerID: "PT00002", sku: "B"))
        #expect(folded == "m:coleman|tnt2p")
        #expect(CatalogItemKey.of(gtin: nil, brand: "Coleman", mpn: nil, partnerID: "PT00001", sku: "A") == "p:PT00001|A")
        #expect(CatalogItemKey.of(gtin: nil, brand: "--", mpn: "X1", partnerID: "PT00001", sku: "A") == "p:PT00001|A",
                "a brand of punctuation only is no brand")
        #expect(CatalogItemKey.of(gtin: nil, brand: "Über", mpn: "X1", partnerID: "PT00001", sku: "A") == "m:über|x1")
    }

    @Test func theBestOfferIsTheCheapestInStockInTheMostCommonCurrency() throws {
        let views = CatalogItemGrouping.views(itemSeq: 7, offers: [
            Self.offer(1, price: 100),
            Self.offer(2, partner: "bolt", price: 90, availability: "out_of_stock"),
            Self.offer(3, partner: "bolt", price: 95),
            Self.offer(4, partner: "cove", price: 80, currency: "EUR"),
        ])
        let all = try #require(views.first { $0.scope == "" })
        #expect(all.itemID == "CI00007" && all.offers == 4 && all.currency == "USD")
        #expect(all.prices(in: "USD")?.best.productSeq == 3, "the cheaper one is out of stock")
        #expect(all.prices(in: "USD")?.min == ExactDecimal(units: 90 * 100) && all.prices(in: "USD")?.max == ExactDecimal(units: 100 * 100))
        #expect(all.prices(in: "EUR")?.best.productSeq == 4)
        #expect(all.prices.map(\.currency) == ["EUR", "USD"])
        #expect(all.availabilities == ["in_stock", "out_of_stock"])
        // Every partner sees the item made of its own offers.
        #expect(views.map(\.scope) == ["", "acme", "bolt", "cove"])
        let bolt = try #require(views.first { $0.scope == "bolt" })
        #expect(bolt.offers == 2 && bolt.prices(in: "USD")?.best.productSeq == 3)
        #expect(views.first { $0.scope == "cove" }?.currency == "EUR")
    }

    @Test func withNothingInStockTheCheapestIsBestAndTiesGoToTheLowestProduct() {
        let item = CatalogItemGrouping.views(itemSeq: 1, offers: [
            Self.offer(5, price: 50, availability: "preorder"), Self.offer(2, price: 50, availability: "backorder"),
        ])[0]
        #expect(item.prices(in: "USD")?.best.productSeq == 2)
    }

    @Test func theOfferWithTheMostFilledFieldsNamesTheItemAndCurrencyTiesAreAlphabetical() {
        let item = CatalogItemGrouping.views(itemSeq: 1, offers: [
            Self.offer(1, name: "tent", price: 10, currency: "USD"),
            Self.offer(2, partner: "bolt", name: "Trail Tent 2P", price: 12, currency: "EUR", brand: "Coleman", description: true),
        ])[0]
        #expect(item.productName == "Trail Tent 2P" && item.brand == "Coleman")
        #expect(item.currency == "EUR", "one offer each: the alphabetically first currency")
        #expect(item.searchText == "tent\nTrail Tent 2P\nColeman")
    }

    @Test func anItemWithoutActiveOffersHasNoViews() {
        #expect(CatalogItemGrouping.views(itemSeq: 1, offers: []).isEmpty)
    }

    /// One offer takes a shorter path: it must give what the general one gives.
    @Test func oneOfferGivesWhatTheGeneralRuleGives() {
        for availability in ["in_stock", "preorder"] {
            let offer = ItemOffer(
                seq: 3, productID: "PR00003", partnerName: "acme", productName: "Tent", brand: "Tent", category: "Camping",
                gtin: "04006381333931", mpn: "T-1", price: ExactDecimal(units: 12_345), currency: "EUR", availability: availability,
                imageURLsJSON: "[\"a\"]", hasDescription: true, hasQuantity: false, hasAttributes: true)
            let general = CatalogItemGrouping.item(itemSeq: 9, scope: "", offers: [offer])
            var own = general
            own.scope = "acme"
            #expect(CatalogItemGrouping.views(itemSeq: 9, offers: [offer]) == [general, own])
            #expect(general.searchText == "Tent\nT-1\n04006381333931", "a brand equal to the name once")
        }
    }
}
