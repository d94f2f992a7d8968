import CatalogCore
import CatalogSQLite
import CatalogTestSupport
import Foundation
import Testing

/// The start-up rebuild reads items in windows of item numbers (20,000 a window): items on both sides of
/// every window edge, and one far past the last, are rebuilt once each with all their offers.
@Suite struct CatalogItemRebuildTests {
    @Test func itemsOnWindowEdgesAreRebuiltWhole() async throws {
        let directory = TemporaryDirectory()
        let cache = try SQLiteProductCache(path: directory.path + "/products.sqlite")
        let itemSeqs: [Int64] = [1, 2, 19_999, 20_000, 20_001, 39_999, 40_000, 40_001, 65_537]
        var products: [Product] = []
        for itemSeq in itemSeqs {
            for partner in ["alpha", "beta", "gamma"] {
                let seq = Int64(products.count + 1)
                products.append(Product(
                    seq: seq, productID: "PRD\(seq)", partnerName: partner, sku: "S\(itemSeq)", productName: "Item \(itemSeq)",
                    description: nil, brand: nil, category: nil, price: ExactDecimal(units: 10_000 * seq), currency: "USD",
                    availability: "in_stock", quantity: nil, imageURLsJSON: "[]", attributesJSON: "{}",
                    // gamma's offers are inactive: in no item.
                    status: partner == "gamma" ? .inactive : .active, feedID: "FD1", createdAt: Date(), updatedAt: Date(), itemSeq: itemSeq))
            }
        }
        try await cache.apply(products)
        try await cache.copyFinished()
        #expect(try await cache.rebuild() == itemSeqs.count)
        let everyone = try await cache.listItems(CatalogItemQuery(filter: CatalogItemFilter(), sort: .offers, limit: 100))
        #expect(everyone.items.map(\.seq).sorted() == itemSeqs)
        #expect(everyone.items.allSatisfy { $0.offers == 2 }, "\(everyone.items.map { ($0.seq, $0.offers) })")
        let alpha = try await cache.listItems(CatalogItemQuery(filter: CatalogItemFilter(scope: "alpha"), limit: 100))
        #expect(alpha.items.map(\.seq).sorted() == itemSeqs && alpha.items.allSatisfy { $0.offers == 1 })
        #expect(try await cache.listItems(CatalogItemQuery(filter: CatalogItemFilter(scope: "gamma"), limit: 100)).items.isEmpty)
        // Rebuilding again changes nothing.
        #expect(try await cache.rebuild() == itemSeqs.count)
        let again = try await cache.listItems(CatalogItemQuery(filter: CatalogItemFilter(), sort: .offers, limit: 100))
        #expect(again.items == everyone.items)
    }
}
