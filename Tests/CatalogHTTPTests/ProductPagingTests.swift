import CatalogCore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// Keyset paging of `GET /products` on every sort and order, on random data (property tests: each run
/// draws a new seed and names it in any failure).
@Suite struct ProductPagingTests {
    /// A generated product and what the test knows about it without asking the service.
    struct Generated {
        var partner: String
        var sku: String
        var name: String
        var brand: String?
        var category: String?
        var priceText: String
        var productNumber: Int
        /// Which load created it and which last changed it (0, 1, 2 …): the order of created_at / updated_at.
        var createdIn: Int
        var updatedIn: Int
        var active = true

        var productID: String { IDKind.product.format(Int64(productNumber)) }

        /// Ten-thousandths, computed with Foundation's Decimal (not the service's ExactDecimal).
        var priceUnits: Int64 {
            let value = Decimal(string: priceText.replacingOccurrences(of: "$", with: ""))! * 10_000
            return Int64(truncating: NSDecimalNumber(decimal: value))
        }

        var csvLine: String {
            [sku, name, brand ?? "", category ?? "", priceText].joined(separator: ",")
        }
    }

    static let names = ["Alpha", "alpha", "Ärger", "Zebra", "zebra", "Élan", "ß-Tool", "日本の傘", "Tent 2P", "Tent 10P", "a", "Z"]
    static let brands = ["Acme", "acme", "Zed", "Ñandú", "Beta"]
    static let categories = ["Tents", "tents", "Bags", "Überzug", "Lamps"]
    static let prices = ["0", "0.5", "1", "1.99", "10", "19.99", "19.990", "100.0001", "249", "5", "$7.25"]

    static func generate(_ count: Int, partner: String, prefix: String, firstNumber: Int, load: Int,
                         using random: inout SeededRandom) -> [Generated] {
        (0..<count).map { index in
            var name = names.randomElement(using: &random)!
            if Bool.random(using: &random) { name += " \(Int.random(in: 1...3, using: &random))" }
            return Generated(
                partner: partner, sku: "\(prefix)-\(index)", name: name,
                brand: Int.random(in: 0..<4, using: &random) == 0 ? nil : brands.randomElement(using: &random),
                category: Int.random(in: 0..<4, using: &random) == 0 ? nil : categories.randomElement(using: &random),
                priceText: prices.randomElement(using: &random)!, productNumber: firstNumber + index,
                createdIn: load, updatedIn: load)
        }
    }

    static func csv(_ rows: [Generated]) -> String {
        "sku,product_name,brand,category,price\n" + rows.map(\.csvLine).joined(separator: "\n") + "\n"
    }

    /// Whether `a` comes before `b` under `sort` ascending: the sort value, then the product number.
    static func precedes(_ a: Generated, _ b: Generated, _ sort: ProductSort) -> Bool {
        func compare<T: Comparable>(_ x: T, _ y: T) -> Bool? { x == y ? nil : x < y }
        func bytes(_ x: String, _ y: String) -> Bool? {
            x == y ? nil : x.utf8.lexicographicallyPrecedes(y.utf8)
        }
        let byKey: Bool? = switch sort {
        case .productID: nil
        case .price: compare(a.priceUnits, b.priceUnits)
        case .productName: bytes(a.name, b.name)
        case .brand: bytes(a.brand ?? "", b.brand ?? "")
        case .category: bytes(a.category ?? "", b.category ?? "")
        case .createdAt: compare(a.createdIn, b.createdIn)
        case .updatedAt: compare(a.updatedIn, b.updatedIn)
        }
        return byKey ?? (a.productNumber < b.productNumber)
    }

    @Test(arguments: StoreKind.allCases)
    func everySortAndOrderWalksEachProductOnceInOrder(_ store: StoreKind) async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var random = SeededRandom(seed: seed)
        let app = try await TestApp.make(store)
        let (_, acmeKey) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let acme = Self.generate(Int.random(in: 40...70, using: &random), partner: "acme", prefix: "A", firstNumber: 1, load: 0, using: &random)
        let loaded = Self.generate(Int.random(in: 20...40, using: &random), partner: "rival", prefix: "R",
                                   firstNumber: acme.count + 1, load: 1, using: &random)
        // Then a full feed without some of rival's SKUs (never the first): those become inactive, updated by load 2.
        var rival = loaded
        let dropped = Set(rival.indices.filter { $0 > 0 && Int.random(in: 0..<3, using: &random) == 0 })
        for index in dropped {
            rival[index].active = false
            rival[index].updatedIn = 2
        }
        let kept = rival.indices.filter { !dropped.contains($0) }.map { rival[$0] }
        let everything = acme + rival
        let limits = (0..<(ProductStatusFilter.allCases.count * ProductSort.allCases.count * 2)).map { _ in Int.random(in: 1...15, using: &random) }
        try await app.testWithWorker { client in
            try await client.load(Self.csv(acme), key: acmeKey)
            try await client.load(Self.csv(loaded), key: rivalKey)
            try await client.load(Self.csv(kept), key: rivalKey, query: "mode=full")
            var walks = 0

            for status in ProductStatusFilter.allCases {
                let matching = everything.filter { status == .all || ($0.active == (status == .active)) }
                for sort in ProductSort.allCases {
                    for order in CatalogCore.SortOrder.allCases {
                        let limit = limits[walks]
                        walks += 1
                        let uri = "/products?sort_by=\(sort.rawValue)&order=\(order.rawValue)&limit=\(limit)&status=\(status.rawValue)"
                        let walked = try await client.walk(uri, key: app.adminKey).map { $0["product_id"] as? String ?? "?" }
                        var expected = matching.sorted { Self.precedes($0, $1, sort) }.map(\.productID)
                        if order == .desc { expected.reverse() }
                        #expect(walked == expected, "seed \(seed): \(uri)")
                    }
                }
            }
        }
    }

    /// What the concurrent walk's feeds change, kept across its pages.
    struct Mutations {
        var random: SeededRandom
        var rows: [Generated]
        var nextSKU = 0
        /// The SKUs changed (not added) by this walk's feeds.
        var changedSKUs = Set<String>()

        /// A delta feed: three new SKUs and three changed ones (any sort value may move).
        mutating func nextFeed() -> String {
            var batch: [Generated] = []
            for _ in 0..<3 {
                var changed = rows.randomElement(using: &random)!
                let fresh = ProductPagingTests.generate(1, partner: "acme", prefix: "X", firstNumber: 0, load: 0, using: &random)[0]
                changed.name = fresh.name
                changed.brand = fresh.brand
                changed.category = fresh.category
                changed.priceText = fresh.priceText
                batch.append(changed)
                changedSKUs.insert(changed.sku)
            }
            var added = ProductPagingTests.generate(3, partner: "acme", prefix: "N\(nextSKU)", firstNumber: 0, load: 0, using: &random)
            nextSKU += 3
            for index in added.indices { added[index].sku += "-new" }
            rows += added
            return ProductPagingTests.csv(batch + added)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func walksStayExactWhileJobsInsertAndUpdateBetweenPages(_ store: StoreKind) async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var random = SeededRandom(seed: seed)
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        let rows = Self.generate(60, partner: "acme", prefix: "A", firstNumber: 1, load: 0, using: &random)
        let state = TestState(Mutations(random: random, rows: rows))
        try await app.testWithWorker { client in
            try await client.load(Self.csv(rows), key: key)
            for sort in ProductSort.allCases {
                for order in CatalogCore.SortOrder.allCases {
                    state.value.changedSKUs = []
                    let before = Set(try await client.walk("/products?limit=200", key: key).compactMap { $0["product_id"] as? String })
                    let uri = "/products?sort_by=\(sort.rawValue)&order=\(order.rawValue)&limit=12"
                    let walked = try await client.walk(uri, key: key) { page in
                        guard page % 3 == 0 else { return }
                        let job = try await client.load(state.value.nextFeed(), key: key)
                        #expect((job["summary"] as? [String: Int])?["inserted"] == 3)
                    }
                    let changedSKUs = state.value.changedSKUs
                    let touched = Set(try await client.walk("/products?limit=200", key: key)
                        .filter { changedSKUs.contains($0["sku"] as? String ?? "") }.compactMap { $0["product_id"] as? String })
                    let ids = walked.compactMap { $0["product_id"] as? String }
                    let context = Comment(rawValue: "seed \(seed): \(uri)")
                    // Every product that existed before the walk and was not changed during it: exactly once.
                    for id in before.subtracting(touched) {
                        #expect(ids.filter { $0 == id }.count == 1, "\(id) \(context)")
                    }
                    // Only a product whose own sort value moved may show up twice (before and after its move).
                    let repeated = Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys
                    #expect(Set(repeated).isSubset(of: touched), context)
                    // And the walk never goes backwards.
                    for (a, b) in zip(walked, walked.dropFirst()) {
                        #expect(Self.strictlyOrdered(a, b, sort, order), "\(a["product_id"] ?? "") then \(b["product_id"] ?? "") \(context)")
                    }
                }
            }
        }
    }

    /// Whether two returned products follow each other under `sort` / `order`, from their returned values.
    static func strictlyOrdered(_ a: [String: Any], _ b: [String: Any], _ sort: ProductSort, _ order: CatalogCore.SortOrder) -> Bool {
        func number(_ item: [String: Any]) -> Int { Int((item["product_id"] as? String ?? "PR0").dropFirst(2)) ?? 0 }
        func text(_ item: [String: Any], _ field: String) -> String { item[field] as? String ?? "" }
        let ascending: Bool
        let tie: Bool
        switch sort {
        case .productID:
            (ascending, tie) = (number(a) < number(b), false)
        case .price:
            let (x, y) = ((a["price"] as? NSNumber)?.decimalValue ?? 0, (b["price"] as? NSNumber)?.decimalValue ?? 0)
            (ascending, tie) = (x < y, x == y)
        case .productName, .brand, .category, .createdAt, .updatedAt:
            let (x, y) = (text(a, sort.rawValue), text(b, sort.rawValue))
            (ascending, tie) = (x.utf8.lexicographicallyPrecedes(y.utf8), x == y)
        }
        if tie { return order == .asc ? number(a) < number(b) : number(a) > number(b) }
        return order == .asc ? ascending : !ascending
    }
}
