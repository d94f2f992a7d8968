import CatalogCore
import CatalogPostgres
import CatalogSQLite
import CatalogTestSupport
import GRDB
import Foundation
import HummingbirdTesting
import Synchronization
import Testing

/// §Unified catalog on the read path: offers of several partners grouped into items by GTIN (any
/// written form), else brand + MPN, else alone; the best offer, price ranges, partner scopes, the item
/// with its offers, and items following feeds (a changed GTIN moves an offer; the last offer leaving
/// an item removes it).
@Suite struct CatalogItemTests {
    static func byName(_ items: [[String: Any]]) -> [String: [String: Any]] {
        Dictionary(items.map { ($0["product_name"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test(arguments: StoreKind.allCases)
    func offersOfSeveralPartnersAreGroupedAndFollowFeeds(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acme) = try await app.createPartner("acme")
        let (_, bolt) = try await app.createPartner("bolt")
        try await app.testWithWorker { client in
            _ = try await client.load("""
                sku,product_name,description,price,currency,availability,gtin,brand,mpn,image_url
                A-TENT,Trail Tent 2P,Two-person tent,249.00,USD,in_stock,4006381333931,Coleman,TNT-2P,https://img/a.jpg
                A-PAD,Sleeping Pad,,59.90,USD,in_stock,,Exped,SYN-7,
                A-MUG,Camp Mug,,5.00,USD,in_stock,,,,

                """, key: acme)
            _ = try await client.load("""
                sku,product_name,price,currency,availability,ean,brand,mpn
                B-TENT,Coleman Tent,219.00,USD,in_stock,04006381-333931,Coleman,
                B-TENT-X,Tent (clearance),199.00,USD,out_of_stock,4006381333931,,
                B-PAD,Pad Synmat,64.00,USD,in_stock,,EXPED,syn 7

                """, key: bolt)

            let all = try await client.walk("/catalog/items?limit=2", key: app.adminKey)
            #expect(all.count == 3, "tent, pad, mug: \(all.map { $0["product_name"] ?? "" })")
            #expect(Set(all.map { $0["item_id"] as! String }).count == 3)
            let items = Self.byName(all)
            let tent = try #require(items["Trail Tent 2P"], "the offer with the most fields names the item: \(items.keys)")
            #expect(tent["offers"] as? Int == 3)
            #expect(tent["gtin"] as? String == "04006381333931")
            #expect(tent["brand"] as? String == "Coleman" && tent["mpn"] as? String == "TNT-2P")
            #expect(tent["image_urls"] as? [String] == ["https://img/a.jpg"])
            let best = try #require(tent["best_offer"] as? [String: Any])
            #expect(best["partner_name"] as? String == "bolt" && best["availability"] as? String == "in_stock",
                    "the cheapest offer in stock, not the cheaper one out of stock: \(best)")
            #expect((best["price"] as? NSNumber)?.decimalValue == Decimal(string: "219"))
            let prices = try #require(tent["prices"] as? [[String: Any]])
            #expect(prices.count == 1 && prices[0]["currency"] as? String == "USD")
            #expect((prices[0]["min"] as? NSNumber)?.decimalValue == Decimal(string: "199"))
            #expect((prices[0]["max"] as? NSNumber)?.decimalValue == Decimal(string: "249"))
            let pad = try #require(Self.byName(all)["Sleeping Pad"] ?? Self.byName(all)["Pad Synmat"])
            #expect(pad["offers"] as? Int == 2, "brand + MPN compared without case and punctuation")
            #expect(Self.byName(all)["Camp Mug"]?["offers"] as? Int == 1)

            // The item with its offers, cheapest first.
            let tentID = tent["item_id"] as! String
            let detail = try await client.get("/catalog/items/\(tentID)", key: app.adminKey)
            #expect(detail.status == .ok)
            let offerList = try #require(detail.json["offer_list"] as? [[String: Any]])
            #expect(offerList.map { $0["sku"] as! String } == ["B-TENT-X", "B-TENT", "A-TENT"])
            #expect((try await client.get("/catalog/items/CI99999", key: app.adminKey)).status == .notFound)
            #expect((try await client.get("/catalog/items/PR00001", key: app.adminKey)).status == .notFound)

            // A partner key sees the items it offers, of its own offers only.
            let own = Self.byName(try await client.walk("/catalog/items", key: acme))
            #expect(own.count == 3)
            #expect(own["Trail Tent 2P"]?["offers"] as? Int == 1)
            #expect(own["Trail Tent 2P"]?["item_id"] as? String == tentID)
            #expect(((own["Trail Tent 2P"]?["best_offer"] as? [String: Any])?["partner_name"]) as? String == "acme")
            let ownDetail = try await client.get("/catalog/items/\(tentID)", key: bolt)
            #expect((ownDetail.json["offer_list"] as? [[String: Any]])?.map { $0["partner_name"] as! String } == ["bolt", "bolt"])
            let mugID = Self.byName(all)["Camp Mug"]!["item_id"] as! String
            #expect((try await client.get("/catalog/items/\(mugID)", key: bolt)).status == .notFound)

            // Sorts and filters.
            let cheapest = try await client.walk("/catalog/items?sort_by=best_price", key: app.adminKey)
            #expect(cheapest.map { $0["product_name"] as! String }.first == "Camp Mug")
            let most = try await client.walk("/catalog/items?sort_by=offers&order=desc", key: app.adminKey)
            #expect(most.first?["item_id"] as? String == tentID)
            #expect(try await client.walk("/catalog/items?q=synmat", key: app.adminKey).map { $0["offers"] as? Int } == [2],
                    "q matches any offer's name")
            #expect(try await client.walk("/catalog/items?q=synmat", key: acme).isEmpty, "acme's own pad is not called that")
            #expect(try await client.walk("/catalog/items?brand=Coleman", key: app.adminKey).map { $0["item_id"] as! String } == [tentID])
            #expect(try await client.walk("/catalog/items?max_price=10", key: app.adminKey).map { $0["item_id"] as! String } == [mugID])
            #expect(try await client.walk("/catalog/items?currency=EUR", key: app.adminKey).isEmpty)
            #expect(try await client.walk("/catalog/items?availability=out_of_stock", key: app.adminKey).map { $0["item_id"] as! String } == [tentID])
            #expect((try await client.get("/catalog/items?currency=XYZ", key: app.adminKey)).status == .badRequest)
            #expect((try await client.get("/catalog/items?sort_by=price", key: app.adminKey)).status == .badRequest)
            #expect((try await client.get("/catalog/items?cursor=nonsense", key: app.adminKey)).status == .badRequest)

            // A changed GTIN moves the offer; the last offer leaving an item removes it; the item keeps its ID.
            _ = try await client.load("""
                sku,product_name,price,currency,availability,gtin
                A-MUG,Camp Mug,5.00,USD,in_stock,96385074

                """, key: acme)
            _ = try await client.load("""
                sku,product_name,price,currency,availability,ean,brand,mpn
                B-TENT,Coleman Tent,219.00,USD,in_stock,04006381-333931,Coleman,
                B-TENT-X,Tent (clearance),199.00,USD,out_of_stock,96385074,,
                B-PAD,Pad Synmat,64.00,USD,in_stock,,EXPED,syn 7

                """, key: bolt)
            let after = try await client.walk("/catalog/items", key: app.adminKey)
            #expect(after.count == 3, "\(after.map { $0["product_name"] ?? "" })")
            #expect(!after.contains { $0["item_id"] as? String == mugID }, "the mug's own item lost its only offer")
            let moved = try #require(after.first { $0["gtin"] as? String == "00000096385074" })
            #expect(moved["offers"] as? Int == 2)
            #expect(after.first { $0["item_id"] as? String == tentID }?["offers"] as? Int == 2)
            _ = try await client.load("sku,product_name,price,gtin\nB-TENT,Coleman Tent,219.00,4006381333931\n", key: bolt, query: "mode=full")
            let last = Self.byName(try await client.walk("/catalog/items", key: bolt))
            #expect(last.count == 1 && last["Coleman Tent"]?["item_id"] as? String == tentID, "\(last.keys)")
        }
    }

    /// Products stored before the catalog-items migration are numbered by it: undone on a loaded store and
    /// applied again, the regrouped items show the same offers (their numbers may differ).
    @Test(arguments: StoreKind.allCases)
    func theMigrationGroupsProductsStoredBeforeIt(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acme) = try await app.createPartner("acme")
        let (_, bolt) = try await app.createPartner("bolt")
        let before = try await Self.loadAndRead(app, acme: acme, bolt: bolt)
        #expect(before.count == 3)
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: app.directory.path + "/catalog.sqlite")
            try await queue.write { db in
                try db.execute(sql: """
                    DROP INDEX products_by_item; ALTER TABLE products DROP COLUMN item_seq; DROP TABLE catalog_items;
                    DELETE FROM grdb_migrations WHERE identifier = '015_catalog_items';
                    """)
            }
            let reopened = try SQLiteCatalogStore(path: app.directory.path + "/catalog.sqlite")
            #expect(try reopened.appliedMigrations().last == "015_catalog_items")
            #expect(try await app.rows("SELECT count(*) AS n FROM products WHERE item_seq IS NULL").first?["n"] == "0")
            _ = try await reopened.rebuild()
            #expect(try await Self.read(app) == before)
        case .postgres:
            let url = try #require(app.databaseURL)
            for sql in [
                "ALTER TABLE products DROP COLUMN item_seq", "ALTER TABLE product_staging DROP COLUMN item_key",
                "DROP TABLE catalog_items", "DELETE FROM schema_migrations WHERE name = '018_catalog_items'",
            ] {
                try await TestPostgres.execute(sql, url: url)
            }
            let migrating = try PostgresCatalogStore(url: url)
            #expect(try await migrating.migrate() == ["018_catalog_items"])
            #expect(try await app.rows("SELECT count(*) AS n FROM products WHERE item_seq IS NULL").first?["n"] == "0")
            let node = try await ProductCacheTests.node(of: app, name: "migrated")
            #expect(try await Self.read(node.app) == before)
        }
    }

    /// Loads offers of two partners; returns the items as `read` shows them.
    static func loadAndRead(_ app: TestApp, acme: String, bolt: String) async throws -> [String] {
        try await app.testWithWorker { client in
            _ = try await client.load("""
                sku,product_name,price,gtin,brand,mpn
                A-1,Tent,249.00,4006381333931,Coleman,TNT
                A-2,Pad,59.90,,Exped,SYN-7
                A-3,Mug,5.00,,,

                """, key: acme)
            _ = try await client.load("""
                sku,product_name,price,gtin,brand,mpn
                B-1,Tent B,219.00,04006381333931,,
                B-2,Pad B,64.00,,EXPED,syn7

                """, key: bolt)
        }
        return try await read(app)
    }

    /// Every item with its offers, without its number, sorted.
    static func read(_ app: TestApp) async throws -> [String] {
        let out = Mutex<[String]>([])
        try await app.test { client in
            for item in try await client.walk("/catalog/items", key: app.adminKey) {
                var detail = try await client.get("/catalog/items/\(item["item_id"] as! String)", key: app.adminKey).json
                detail["item_id"] = nil
                let text = String(decoding: try JSONSerialization.data(withJSONObject: detail, options: .sortedKeys), as: UTF8.self)
                out.withLock { $0.append(text) }
            }
        }
        return out.withLock { $0.sorted() }
    }

    /// A job of 10,000 changed products or more: its products are served when `run?wait=true` answers and
    /// its items follow; every offer ends up grouped.
    @Test(arguments: StoreKind.allCases)
    func aLargeJobsItemsFollowItsProducts(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acme) = try await app.createPartner("acme")
        let (_, bolt) = try await app.createPartner("bolt")
        try await app.testWithWorker { client in
            // 10,000 rows; every tenth shares its brand + MPN with one row of bolt's small feed.
            var csv = "sku,product_name,price,brand,mpn\n"
            for k in 0..<10_000 { csv += "A-\(k),Item \(k),\(1 + k % 90).50,Brand \(k % 10),M-\(k)\n" }
            _ = try await client.load("sku,product_name,price,brand,mpn\nB-1,Bolt item,3.00,Brand 0,m 0\nB-2,Other,4.00,,\n", key: bolt)
            let job = try await client.load(csv, key: acme)
            #expect((job["summary"] as? [String: Any])?["inserted"] as? Int == 10_000)
            #expect(try await client.get("/products?partner_name=acme&limit=1", key: app.adminKey).items.count == 1)
            var items: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                items = try await client.walk("/catalog/items?limit=200&sort_by=offers&order=desc", key: app.adminKey)
                if items.count == 10_001 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(items.count == 10_001, "10,000 of acme (one shared with bolt) and bolt's other")
            #expect(items.first?["offers"] as? Int == 2)
            #expect(((items.first?["best_offer"] as? [String: Any])?["partner_name"]) as? String == "acme")
        }
    }
}
