import CatalogCore
import CatalogSQLite
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// §Unified catalog as a property: random offers of three partners, GTINs written in every accepted
/// form, brand + MPN spelt several ways, many feeds over time (price changes, deactivations, GTIN
/// changes) → after every feed the items equal a grouping computed here independently, and a read
/// model rebuilt from scratch equals the one kept up to date feed by feed.
@Suite struct CatalogItemPropertyTests {
    struct Offer: Equatable {
        var name: String
        var price: Int  // cents
        var currency: String
        var availability: String
        var gtin: String?
        var brand: String?
        var mpn: String?
        var active = true
    }

    /// GTIN-13/UPC-A/EAN-8/GTIN-14 values with valid check digits, and the forms a feed may write them in.
    static let gtins = ["4006381333931", "036000291452", "96385074", "5012345678900"]
    static func written(_ gtin: String, _ form: Int) -> String {
        switch form % 4 {
        case 0: gtin
        case 1: String(repeating: "0", count: 14 - gtin.count) + gtin
        case 2: String(gtin.prefix(4)) + "-" + String(gtin.dropFirst(4))
        default: String(gtin.prefix(3)) + " " + String(gtin.dropFirst(3))
        }
    }

    /// The grouping key, written independently of `CatalogItemKey`.
    static func key(partner: String, sku: String, _ offer: Offer) -> String {
        if let gtin = offer.gtin { return "g" + String(repeating: "0", count: 14 - gtin.count) + gtin }
        let fold = { (text: String?) in (text ?? "").lowercased().filter { $0.isLetter || $0.isNumber } }
        if !fold(offer.brand).isEmpty, !fold(offer.mpn).isEmpty { return "m" + fold(offer.brand) + "/" + fold(offer.mpn) }
        return "p" + partner + "/" + sku
    }

    @Test(arguments: StoreKind.allCases)
    func itemsEqualAnIndependentGroupingAfterEveryFeed(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let partners = ["p0", "p1", "p2"]
        var partnerKeys: [String: String] = [:]
        for partner in partners { partnerKeys[partner] = try await app.createPartner(partner).1 }
        let seed = UInt64.random(in: 0...UInt64.max)
        print("CatalogItemPropertyTests seed:", seed)
        let brands = ["Coleman", "coleman ", "COLE-MAN", "Exped"], mpns = ["X-1", "x1", "Y 2"]
        let keys = partnerKeys
        try await app.testWithWorker { client in
            var generator = SeededRandom(seed: seed)
            var model: [String: [String: Offer]] = [:]
            for round in 0..<8 {
                let partner = partners.randomElement(using: &generator)!
                let full = round > 2 && Int.random(in: 0..<4, using: &generator) == 0
                var csv = "sku,product_name,price,currency,availability,gtin,brand,mpn\n"
                var named: Set<String> = []
                for sku in (0..<8).map({ "S\($0)" }).shuffled(using: &generator).prefix(Int.random(in: 3...7, using: &generator)) {
                    let gtin = Int.random(in: 0..<3, using: &generator) == 0 ? nil : Self.gtins.randomElement(using: &generator)
                    let offer = Offer(
                        name: "Item \(sku) of \(partner) r\(round)", price: Int.random(in: 100...999, using: &generator),
                        currency: Int.random(in: 0..<5, using: &generator) == 0 ? "EUR" : "USD",
                        availability: Bool.random(using: &generator) ? "in_stock" : "out_of_stock",
                        gtin: gtin, brand: Bool.random(using: &generator) ? brands.randomElement(using: &generator) : nil,
                        mpn: Bool.random(using: &generator) ? mpns.randomElement(using: &generator) : nil)
                    let price = "\(offer.price / 100).\(String(format: "%02d", offer.price % 100))"
                    let gtinText = gtin.map { Self.written($0, Int.random(in: 0..<4, using: &generator)) } ?? ""
                    csv += "\(sku),\(offer.name),\(price),\(offer.currency),\(offer.availability),\(gtinText),\(offer.brand ?? ""),\(offer.mpn ?? "")\n"
                    model[partner, default: [:]][sku] = offer
                    named.insert(sku)
                }
                if full {
                    for sku in model[partner, default: [:]].keys where !named.contains(sku) { model[partner]![sku]!.active = false }
                }
                _ = try await client.load(csv, key: keys[partner]!, query: full ? "mode=full" : "")
                try await Self.expectItems(client, app, model, round: round)
            }
            let incremental = try await Self.snapshot(client, app.adminKey)
            // Rebuilt from scratch: the embedded store's items regrouped in place; in PostgreSQL mode a new
            // node, whose read model starts from a snapshot.
            if let embedded = app.catalog.store as? SQLiteCatalogStore {
                _ = try await embedded.rebuild()
                #expect(try await Self.snapshot(client, app.adminKey) == incremental)
            } else {
                let node = try await ProductCacheTests.node(of: app, name: "rebuilt")
                try await node.app.test { other in
                    let rebuilt = try await Self.snapshot(other, app.adminKey)
                    #expect(rebuilt == incremental)
                }
            }
        }
    }

    /// Every item's JSON with its offers, sorted: what two read models must agree on.
    static func snapshot(_ client: any TestClientProtocol, _ key: String) async throws -> [String] {
        var out: [String] = []
        for item in try await client.walk("/catalog/items?limit=5", key: key) {
            let detail = try await client.get("/catalog/items/\(item["item_id"] as! String)", key: key)
            out.append(String(buffer: detail.body))
        }
        return out.sorted()
    }

    static func expectItems(
        _ client: any TestClientProtocol, _ app: TestApp, _ model: [String: [String: Offer]], round: Int
    ) async throws {
        var expected: [String: Set<String>] = [:]
        for (partner, offers) in model {
            for (sku, offer) in offers where offer.active { expected[key(partner: partner, sku: sku, offer), default: []].insert("\(partner)/\(sku)") }
        }
        var seen: [Set<String>] = []
        for sort in ["product_name", "best_price", "offers"] {
            let items = try await client.walk("/catalog/items?limit=3&sort_by=\(sort)", key: app.adminKey)
            #expect(items.count == expected.count, "round \(round), sort \(sort)")
            #expect(Set(items.map { $0["item_id"] as! String }).count == items.count, "each item once, sort \(sort)")
            guard sort == "product_name" else { continue }
            for item in items {
                let detail = try await client.get("/catalog/items/\(item["item_id"] as! String)", key: app.adminKey).json
                let offers = try #require(detail["offer_list"] as? [[String: Any]])
                let members = Set(offers.map { "\($0["partner_name"] as! String)/\($0["sku"] as! String)" })
                seen.append(members)
                #expect(item["offers"] as? Int == offers.count)
                // The best offer: the most common currency's cheapest in stock (else cheapest), ties by product ID.
                let byCurrency = Dictionary(grouping: offers) { $0["currency"] as! String }
                let currency = byCurrency.keys.sorted().max { byCurrency[$0]!.count < byCurrency[$1]!.count }!
                let candidates = byCurrency[currency]!
                let inStock = candidates.filter { $0["availability"] as? String == "in_stock" }
                let cents = { (offer: [String: Any]) in NSDecimalNumber(decimal: (offer["price"] as! NSNumber).decimalValue * 100).intValue }
                let best = (inStock.isEmpty ? candidates : inStock).min {
                    (cents($0), $0["product_id"] as! String) < (cents($1), $1["product_id"] as! String)
                }!
                #expect((item["best_offer"] as? [String: Any])?["product_id"] as? String == best["product_id"] as? String,
                        "round \(round): \(item)")
            }
        }
        #expect(Set(seen) == Set(expected.values), "round \(round): \(seen) vs \(expected.values)")
    }

    /// A walk over every sort and order while feeds change prices and add offers between its pages:
    /// every item that existed before and was not touched comes exactly once, only a touched item may
    /// come twice, and the walk never goes backwards.
    @Test(arguments: StoreKind.allCases)
    func walksReturnEachUntouchedItemOnceWhileFeedsChangeThem(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, p0) = try await app.createPartner("p0")
        let (_, p1) = try await app.createPartner("p1")
        let seed = UInt64.random(in: 0...UInt64.max)
        try await app.testWithWorker { client in
            var random = SeededRandom(seed: seed)
            // 24 GTINs; each partner offers a random two thirds of them.
            func row(_ k: Int, _ price: Int) -> String {
                let body = String(format: "%012d", 400_000_000_000 + k)
                let total = body.enumerated().reduce(0) { $0 + Int(String($1.element))! * ($1.offset % 2 == 0 ? 1 : 3) }
                return "S\(k),Item \(k % 7) \(k),\(price).00,\(k % 3 == 0 ? "out_of_stock" : "in_stock"),\(body)\((10 - total % 10) % 10)\n"
            }
            for key in [p0, p1] {
                let rows = (0..<24).filter { _ in Int.random(in: 0..<3, using: &random) > 0 }
                _ = try await client.load("sku,product_name,price,availability,gtin\n" + rows.map { row($0, Int.random(in: 10...99, using: &random)) }.joined(), key: key)
            }
            var nextNew = 100
            for sort in ["product_name", "best_price", "offers"] {
                for order in ["asc", "desc"] {
                    let before = Set(try await client.walk("/catalog/items?limit=200", key: app.adminKey).map { $0["item_id"] as! String })
                    var changed: Set<String> = []
                    let uri = "/catalog/items?sort_by=\(sort)&order=\(order)&limit=3"
                    let walked = try await client.walk(uri, key: app.adminKey) { page in
                        guard page % 2 == 0 else { return }
                        let ks = (0..<24).shuffled(using: &random).prefix(3)
                        changed.formUnion(ks.map { "S\($0)" })
                        nextNew += 1
                        _ = try await client.load("sku,product_name,price,availability,gtin\n" + ks.map { row($0, Int.random(in: 10...99, using: &random)) }.joined()
                            + row(nextNew, 50), key: [p0, p1][page % 4 == 0 ? 0 : 1])
                    }
                    var touched: Set<String> = []
                    for item in try await client.walk("/catalog/items?limit=200", key: app.adminKey) {
                        let offers = try await client.get("/catalog/items/\(item["item_id"] as! String)", key: app.adminKey).json["offer_list"] as? [[String: Any]] ?? []
                        if offers.contains(where: { changed.contains($0["sku"] as? String ?? "") }) { touched.insert(item["item_id"] as! String) }
                    }
                    let ids = walked.map { $0["item_id"] as! String }
                    let context = Comment(rawValue: "seed \(seed): \(uri)")
                    for id in before.subtracting(touched) { #expect(ids.filter { $0 == id }.count == 1, "\(id) \(context)") }
                    let repeated = Set(Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys)
                    #expect(repeated.isSubset(of: touched), context)
                    for (a, b) in zip(walked, walked.dropFirst()) {
                        #expect(Self.inOrder(a, b, sort: sort, ascending: order == "asc"), "\(a["item_id"] ?? "") then \(b["item_id"] ?? "") \(context)")
                    }
                }
            }
        }
    }

    /// Whether two returned items follow each other (ties broken by item number).
    static func inOrder(_ a: [String: Any], _ b: [String: Any], sort: String, ascending: Bool) -> Bool {
        let number = { (item: [String: Any]) in Int((item["item_id"] as! String).dropFirst(2))! }
        let tie = ascending ? number(a) < number(b) : number(a) > number(b)
        func compare<T: Comparable>(_ x: T, _ y: T) -> Bool { x == y ? tie : (ascending ? x < y : x > y) }
        switch sort {
        case "product_name":
            let (x, y) = (a["product_name"] as! String, b["product_name"] as! String)
            guard x != y else { return tie }
            return ascending ? x.utf8.lexicographicallyPrecedes(y.utf8) : y.utf8.lexicographicallyPrecedes(x.utf8)
        case "offers": return compare(a["offers"] as! Int, b["offers"] as! Int)
        default:
            let price = { (item: [String: Any]) in ((item["best_offer"] as? [String: Any])?["price"] as? NSNumber)?.decimalValue ?? 0 }
            return compare(price(a), price(b))
        }
    }
}
