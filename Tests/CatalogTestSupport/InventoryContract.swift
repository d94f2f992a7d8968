import CatalogCore
import Foundation

/// Inventory against an independent computation: random products feeds (new SKUs, changed category,
/// currency, price, availability or quantity, quantities around the low-stock thresholds and the rollup's
/// quantity classes, full feeds that deactivate, feeds that reactivate) merged at instants on and next to
/// UTC midnight; after each feed the inventory over many created_at ranges, each partner and all, and
/// several thresholds must equal what the test computes from its own copy of the products.
public enum InventoryContract {
    typealias Failure = ObjectStoreContract.Failure

    struct Product {
        var partner: String
        var sku: String
        var category: String?
        var currency: String
        var priceUnits: Int64
        var availability: Availability
        var quantity: Int64?
        var active: Bool
        /// Milliseconds since 1970.
        var createdAt: Int64
    }

    public struct Run: Sendable {
        public var store: any CatalogStore
        public let seed: UInt64
        var random: SeededRandom
        let partners = ["alpha", "beta-outdoor"]
        var products: [String: Product] = [:]   // partner|sku
        var feedNumber = 0
        var round = 0

        public init(_ store: any CatalogStore, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
            self.store = store
            self.seed = seed
            random = SeededRandom(seed: seed)
        }

        public mutating func writeAndCheck(rounds: Int) async throws {
            for _ in 0..<rounds {
                try await write()
                try await checkAll()
                round += 1
            }
        }

        /// Forgets a product removed around the store (a DELETE in SQL).
        public mutating func forget(partner: String, sku: String) {
            products["\(partner)|\(sku)"] = nil
        }

        public var skus: [String] { (1...14).map { "S\($0)" } }

        public mutating func checkAll() async throws {
            let thresholds: [Int64] = [0, 1, 3, 5, 99, 100, 101, 1_000_000_000, Int64.random(in: 2...120, using: &random)]
            for filter in AnalyticsRollupContract.filters(partners, &random) {
                for threshold in thresholds where threshold == 5 || Int.random(in: 0..<3, using: &random) == 0 {
                    let expected = InventoryContract.expected(Array(products.values), filter, threshold)
                    let got = InventoryContract.sorted(try await store.inventory(filter, lowStockThreshold: threshold))
                    if got != expected {
                        throw Failure("inventory (seed \(seed), round \(round), partner \(filter.partnerName ?? "all"), from "
                            + "\(filter.from.map { "\($0.timeIntervalSince1970)" } ?? "-") to "
                            + "\(filter.to.map { "\($0.timeIntervalSince1970)" } ?? "-"), threshold \(threshold)):\n\(got)\nexpected\n\(expected)")
                    }
                }
            }
        }

        mutating func write() async throws {
            let partner = partners.randomElement(using: &random)!
            feedNumber += 1
            var newFeed = CatalogStoreContract.newFeed("FD8\(String(format: "%04d", feedNumber))", partner: partner)
            let full = round > 0 && Int.random(in: 0..<4, using: &random) == 0
            if full { newFeed.mode = .full }
            let feed = try await store.createFeed(newFeed)
            let now = AnalyticsRollupContract.randomInstant(&random)
            var staged: [StagedProduct] = []
            for sku in skus.shuffled(using: &random).prefix(Int.random(in: 1...10, using: &random)) {
                let key = "\(partner)|\(sku)"
                var product = products[key] ?? Product(
                    partner: partner, sku: sku, category: nil, currency: "USD", priceUnits: 0, availability: .inStock, quantity: nil,
                    active: true, createdAt: now)
                if products[key] == nil || Int.random(in: 0..<2, using: &random) == 0 {
                    product.category = [nil, "Tents", "Lamps"].randomElement(using: &random)!
                    product.currency = Bool.random(using: &random) ? "USD" : "EUR"
                    product.priceUnits = Int64.random(in: 0...4, using: &random) * 12_500
                    product.availability = Availability.allCases.randomElement(using: &random)!
                    product.quantity = [nil, 0, 1, 2, 3, 5, 6, 99, 100, 101, 102, 5_000].randomElement(using: &random)!
                }
                product.active = true
                products[key] = product
                staged.append(StagedProduct(line: staged.count + 2, record: ProductRecord(
                    sku: sku, productName: "Product \(sku)", category: product.category,
                    price: ExactDecimal(units: product.priceUnits), currency: product.currency, availability: product.availability,
                    quantity: product.quantity)))
            }
            if full {
                let inFeed = Set(staged.map(\.sku))
                for (key, product) in products where product.partner == partner && !inFeed.contains(product.sku) {
                    products[key]?.active = false
                }
            }
            let jobID = "JV8\(String(format: "%04d", feedNumber))"
            _ = try await store.stage(jobID: jobID, partnerID: feed.partnerID, staged)
            _ = try await store.merge(
                jobID: jobID, feed: feed, now: AnalyticsRollupContract.date(now), completing: try await TestLeases.completion(store))
        }
    }

    static func expected(_ all: [Product], _ filter: AnalyticsFilter, _ threshold: Int64) -> [InventoryGroup] {
        let from = filter.from.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        let to = filter.to.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        let products = all.filter { product in
            (from.map { product.createdAt >= $0 } ?? true) && (to.map { product.createdAt < $0 } ?? true)
                && (filter.partnerName.map { product.partner == $0 } ?? true)
        }
        var groups: [String: InventoryGroup] = [:]
        for product in products {
            let key = "\(product.partner)|\(product.category ?? "<none>")|\(product.currency)"
            var group = groups[key] ?? InventoryGroup(
                partnerName: product.partner, category: product.category, currency: product.currency, products: 0, active: 0,
                inStock: 0, outOfStock: 0, lowStock: 0, activePriceTotal: ExactDecimal(units: 0), inventoryValue: ExactDecimal(units: 0))
            group.products += 1
            if product.active {
                group.active += 1
                if product.availability == .inStock { group.inStock += 1 }
                if product.availability == .outOfStock { group.outOfStock += 1 }
                if let quantity = product.quantity, quantity >= 1, quantity <= threshold { group.lowStock += 1 }
                group.activePriceTotal = ExactDecimal(units: group.activePriceTotal.units + product.priceUnits)
                group.inventoryValue = ExactDecimal(units: group.inventoryValue.units + product.priceUnits * (product.quantity ?? 0))
            }
            groups[key] = group
        }
        return sorted(Array(groups.values))
    }

    static func sorted(_ groups: [InventoryGroup]) -> [InventoryGroup] {
        groups.sorted { "\($0.partnerName)|\($0.category ?? "")|\($0.category == nil)|\($0.currency)"
            < "\($1.partnerName)|\($1.category ?? "")|\($1.category == nil)|\($1.currency)" }
    }
}
