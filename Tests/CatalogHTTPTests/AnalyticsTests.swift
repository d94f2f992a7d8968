import CatalogCore
import Foundation
import HummingbirdTesting
import Testing

/// `/analytics/*` against figures the test computes itself from the fixture orders (Foundation's
/// Decimal and Calendar, none of the service's arithmetic).
@Suite struct AnalyticsTests {
    struct Line {
        var partner: String
        var orderID: String
        var sku: String
        var quantity: Int
        var unitPrice: Decimal
        var orderedAt: Date
        var currency: String
        var amount: Decimal { unitPrice * Decimal(quantity) }
    }

    /// Orders of a second partner: two currencies, month and week boundaries, sub-cent prices.
    static let rivalOrders = """
        order_id,sku,quantity,unit_price,ordered_at,currency
        R-1,TENT-2P,3,0.1,2026-10-31T23:59:59.999Z,USD
        R-2,PAD-UL,1,1000.0001,2026-11-01T00:00:00Z,USD
        R-2,LAMP-300,2,5,2026-11-01T00:00:00Z,USD
        R-3,CHAIR-L,1,19.99,2026-11-16,EUR
        R-4,CHAIR-L,7,0.0001,2026-12-01T00:00:00Z,USD
        R-5,TENT-2P,2,249.00,2026-11-09T23:00:00-02:00,USD

        """

    static func parseDate(_ text: String) -> Date {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return date }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        return day.date(from: text)!
    }

    static func lines(_ csv: String, partner: String) -> [Line] {
        csv.split(separator: "\n").dropFirst().map { row in
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Line(partner: partner, orderID: f[0], sku: f[1], quantity: Int(f[2])!, unitPrice: Decimal(string: f[3])!,
                        orderedAt: parseDate(f[4]), currency: f.count > 5 && !f[5].isEmpty ? f[5] : "USD")
        }
    }

    static func allLines() throws -> [Line] {
        lines(String(decoding: try Fixture.bytes("orders-clean.csv"), as: UTF8.self), partner: "acme")
            + lines(rivalOrders, partner: "rival")
    }

    static var utc: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    static func day(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// The period holding `date`, named by its first day, with Foundation's ISO calendar.
    static func period(_ date: Date, _ grain: String) -> Date {
        switch grain {
        case "weekly": return utc.dateInterval(of: .weekOfYear, for: date)!.start
        case "monthly": return utc.dateInterval(of: .month, for: date)!.start
        default: return utc.startOfDay(for: date)
        }
    }

    struct Scope {
        var query: String
        var from: Date?
        var to: Date?
        var partner: String?

        func contains(_ line: Line) -> Bool {
            (from.map { line.orderedAt >= $0 } ?? true) && (to.map { line.orderedAt < $0 } ?? true)
                && (partner.map { line.partner == $0 } ?? true)
        }
    }

    static let scopes: [Scope] = [
        Scope(query: ""),
        Scope(query: "from=2026-11-01&to=2026-11-10T23:59:59Z", from: parseDate("2026-11-01"), to: parseDate("2026-11-10T23:59:59Z")),
        Scope(query: "partner_name=rival", partner: "rival"),
        Scope(query: "from=2026-11-01&partner_name=rival", from: parseDate("2026-11-01"), partner: "rival"),
        Scope(query: "to=2026-11-01", to: parseDate("2026-11-01")),
        Scope(query: "from=2027-01-01&to=2027-01-03", from: parseDate("2027-01-01"), to: parseDate("2027-01-03")),
    ]

    func results(_ response: TestResponse) -> [[String: Any]] { response.json["results"] as? [[String: Any]] ?? [] }
    func numbers(_ field: String, _ response: TestResponse) -> [String] {
        JSONNumberText.values(of: field, in: String(buffer: response.body))
    }

    @Test(arguments: StoreKind.allCases)
    func salesFiguresMatchTheFixtureOrders(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, acmeKey) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let analyst = try await app.createKey(.analyst)
        let all = try Self.allLines()
        try await app.testWithWorker { client in
            try await client.load(String(decoding: try Fixture.bytes("orders-clean.csv"), as: UTF8.self), key: acmeKey, query: "feed_type=orders")
            try await client.load(Self.rivalOrders, key: rivalKey, query: "feed_type=orders")
            for scope in Self.scopes {
                let lines = all.filter(scope.contains)
                let context = Comment(rawValue: "scope '\(scope.query)'")

                // sales-by-partner
                let byPartner = try await client.get("/analytics/sales-by-partner?" + scope.query, key: analyst)
                #expect(byPartner.json["analytics_type"] as? String == "sales-by-partner")
                let groups = Dictionary(grouping: lines) { "\($0.partner) \($0.currency)" }.sorted { $0.key < $1.key }
                #expect(results(byPartner).map { "\($0["partner_name"] as? String ?? "") \($0["currency"] as? String ?? "")" }
                    == groups.map(\.key), context)
                #expect(results(byPartner).map { $0["units_sold"] as? Int } == groups.map { $0.value.reduce(0) { $0 + $1.quantity } }, context)
                #expect(results(byPartner).map { $0["orders"] as? Int } == groups.map { Set($0.value.map(\.orderID)).count }, context)
                #expect(numbers("total_sales", byPartner) == groups.map { "\($0.value.reduce(Decimal(0)) { $0 + $1.amount })" }, context)

                // revenue-share: per currency the shares add up to 100 and each is within 0.01 of the exact share.
                let share = try await client.get("/analytics/revenue-share?" + scope.query, key: analyst)
                let shareRows = results(share)
                let percents = numbers("revenue_pct", share).map { Decimal(string: $0)! }
                #expect(shareRows.count == groups.count, context)
                for currency in Set(lines.map(\.currency)) {
                    let indices = shareRows.indices.filter { shareRows[$0]["currency"] as? String == currency }
                    #expect(indices.reduce(Decimal(0)) { $0 + percents[$1] } == 100, "\(currency) \(context)")
                    let total = lines.filter { $0.currency == currency }.reduce(Decimal(0)) { $0 + $1.amount }
                    for index in indices {
                        let partner = shareRows[index]["partner_name"] as? String
                        let revenue = lines.filter { $0.currency == currency && $0.partner == partner }.reduce(Decimal(0)) { $0 + $1.amount }
                        let exact = total == 0 ? 0 : revenue * 100 / total
                        #expect(abs(percents[index] - exact) <= Decimal(string: "0.01")!, "\(partner ?? "") \(currency) \(context)")
                    }
                }
                let revenues = Dictionary(uniqueKeysWithValues: zip(
                    shareRows.map { "\($0["partner_name"] as? String ?? "") \($0["currency"] as? String ?? "")" }, numbers("total_revenue", share)))
                #expect(revenues == Dictionary(uniqueKeysWithValues: groups.map { ($0.key, "\($0.value.reduce(Decimal(0)) { $0 + $1.amount })") }),
                        context)

                // sales-over-time, each grain, empty periods as zeros for every currency that sold.
                for grain in ["daily", "weekly", "monthly"] {
                    let response = try await client.get("/analytics/sales-over-time?grain=\(grain)&" + scope.query, key: analyst)
                    let currencies = Set(lines.map(\.currency)).sorted()
                    var expected: [(String, String, Int, Int, Decimal)] = []
                    if !currencies.isEmpty {
                        let first = Self.period(scope.from ?? lines.map(\.orderedAt).min()!, grain)
                        let lastInstant = scope.to.map { $0.addingTimeInterval(-0.001) } ?? lines.map(\.orderedAt).max()!
                        var start = first
                        while start <= lastInstant {
                            let next = Self.utc.date(byAdding: grain == "monthly" ? .month : .day, value: grain == "weekly" ? 7 : 1, to: start)!
                            for currency in currencies {
                                let inPeriod = lines.filter { $0.currency == currency && $0.orderedAt >= start && $0.orderedAt < next }
                                expected.append((Self.day(start), currency, inPeriod.reduce(0) { $0 + $1.quantity },
                                                 Set(inPeriod.map(\.orderID)).count, inPeriod.reduce(Decimal(0)) { $0 + $1.amount }))
                            }
                            start = next
                        }
                    }
                    let rows = results(response)
                    #expect(response.json["grain"] as? String == grain)
                    #expect(rows.map { $0["sales_period"] as? String ?? "" } == expected.map(\.0), "\(grain) \(context)")
                    #expect(rows.map { $0["currency"] as? String ?? "" } == expected.map(\.1), "\(grain) \(context)")
                    #expect(rows.map { $0["units_sold"] as? Int ?? -1 } == expected.map(\.2), "\(grain) \(context)")
                    #expect(rows.map { $0["orders"] as? Int ?? -1 } == expected.map(\.3), "\(grain) \(context)")
                    #expect(numbers("total_sales", response) == expected.map { "\($0.4)" }, "\(grain) \(context)")
                }

                // top-products: per currency the best two SKUs by sales, then units, then partner and SKU.
                let top = try await client.get("/analytics/top-products?limit=2&" + scope.query, key: analyst)
                let bySKU = Dictionary(grouping: lines) { "\($0.currency)|\($0.partner)|\($0.sku)" }.map { key, group in
                    (key.split(separator: "|").map(String.init), group.reduce(0) { $0 + $1.quantity }, group.reduce(Decimal(0)) { $0 + $1.amount })
                }
                let expectedTop = Dictionary(grouping: bySKU) { $0.0[0] }.sorted { $0.key < $1.key }.flatMap { _, group in
                    group.sorted { a, b in
                        a.2 != b.2 ? a.2 > b.2 : a.1 != b.1 ? a.1 > b.1 : (a.0[1], a.0[2]) < (b.0[1], b.0[2])
                    }.prefix(2)
                }
                #expect(results(top).map { "\($0["currency"] as? String ?? "") \($0["partner_name"] as? String ?? "") \($0["sku"] as? String ?? "")" }
                    == expectedTop.map { $0.0.joined(separator: " ") }, context)
                #expect(results(top).map { $0["units_sold"] as? Int ?? -1 } == expectedTop.map(\.1), context)
                #expect(numbers("total_sales", top) == expectedTop.map { "\($0.2)" }, context)
            }

            // A partner key sees its own figures only, whatever it asks for.
            let own = try await client.get("/analytics/sales-by-partner", key: acmeKey)
            #expect(Set(results(own).map { $0["partner_name"] as? String }) == ["acme"])
            #expect(results(try await client.get("/analytics/sales-by-partner?partner_name=rival", key: acmeKey)).isEmpty)
            let ownShare = try await client.get("/analytics/revenue-share", key: acmeKey)
            #expect(Set(numbers("revenue_pct", ownShare)) == ["100"])
            #expect(try await client.get("/analytics/top-products", key: try await app.createKey(.reader)).status == .forbidden)
            #expect(try await client.get("/analytics/inventory", key: nil).status == .unauthorized)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func topProductsNameCatalogProducts(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            try await client.load(String(decoding: try Fixture.bytes("products-clean.csv"), as: UTF8.self), key: key)
            try await client.load(String(decoding: try Fixture.bytes("orders-clean.csv"), as: UTF8.self), key: key, query: "feed_type=orders")
            try await client.load("order_id,sku,quantity,unit_price,ordered_at\nZ-1,NOT-IN-CATALOG,1,1000,2026-11-04\n", key: key,
                                  query: "feed_type=orders")
            let top = results(try await client.get("/analytics/top-products?limit=3", key: key))
            #expect(top.map { $0["sku"] as? String } == ["CHAIR-L", "NOT-IN-CATALOG", "PAD-UL", "TENT-2P"])
            #expect(top.map { $0["product_id"] as? String } == ["PR00013", nil, "PR00005", "PR00001"])
            #expect(top.map { $0["product_name"] as? String } == ["Camp Chair Lite", nil, "Ultralight Sleeping Pad", "Ridge 2-Person Tent"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func inventoryMatchesTheFixtureProducts(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        let rows = try ProductReadTests.fixtureRows()
        try await app.testWithWorker { client in
            try await client.load(String(decoding: try Fixture.bytes("products-clean.csv"), as: UTF8.self), key: key)
            try await client.load("sku,product_name,price,quantity,category\nR-1,One,0.0001,3,Tents\nR-2,Two,0.0002,1,Tents\nR-3,Three,1,0,\n",
                                  key: rivalKey)
            try await client.load("sku,product_name,price,quantity,category\nR-1,One,0.0001,3,Tents\nR-3,Three,1,0,\n", key: rivalKey,
                                  query: "mode=full")
            let response = try await client.get("/analytics/inventory?low_stock_threshold=10", key: app.adminKey)
            #expect(response.json["low_stock_threshold"] as? Int == 10)
            let got = results(response)

            // Expected, from the fixture rows (all active) and rival's three products (R-2 inactive).
            struct Group { var products = 0, active = 0, inStock = 0, outOfStock = 0, low = 0; var prices: [Decimal] = []; var value = Decimal(0) }
            var groups: [String: Group] = [:]
            func add(_ partner: String, _ category: String?, _ currency: String, active: Bool, availability: String, quantity: Int, price: Decimal) {
                var group = groups["\(partner)|\(category ?? "")|\(currency)", default: Group()]
                group.products += 1
                if active {
                    group.active += 1
                    if availability == "in_stock" { group.inStock += 1 }
                    if availability == "out_of_stock" { group.outOfStock += 1 }
                    if (1...10).contains(quantity) { group.low += 1 }
                    group.prices.append(price)
                    group.value += price * Decimal(quantity)
                }
                groups["\(partner)|\(category ?? "")|\(currency)"] = group
            }
            for row in rows {
                add("acme", row["category"], row["currency"], active: true, availability: row["availability"], quantity: Int(row["quantity"])!,
                    price: row.price)
            }
            add("rival", "Tents", "USD", active: true, availability: "in_stock", quantity: 3, price: Decimal(string: "0.0001")!)
            add("rival", "Tents", "USD", active: false, availability: "in_stock", quantity: 1, price: Decimal(string: "0.0002")!)
            add("rival", nil, "USD", active: true, availability: "out_of_stock", quantity: 0, price: 1)
            // Partner, then category (none first), then currency.
            let expected = groups.sorted { a, b in
                let (x, y) = (a.key.split(separator: "|", omittingEmptySubsequences: false), b.key.split(separator: "|", omittingEmptySubsequences: false))
                if x[0] != y[0] { return x[0] < y[0] }
                if x[1] != y[1] { return x[1].isEmpty || (!y[1].isEmpty && x[1] < y[1]) }
                return x[2] < y[2]
            }
            #expect(got.map { "\($0["partner_name"] as? String ?? "")|\($0["category"] as? String ?? "")|\($0["currency"] as? String ?? "")" }
                == expected.map(\.key))
            #expect(got.map { [$0["products"], $0["active"], $0["in_stock"], $0["out_of_stock"], $0["low_stock"]].map { $0 as? Int } }
                == expected.map { [$0.value.products, $0.value.active, $0.value.inStock, $0.value.outOfStock, $0.value.low] })
            #expect(numbers("inventory_value", response) == expected.map { "\($0.value.value)" })
            let averages: [String] = expected.map { group in
                var mean = group.value.prices.reduce(0, +) / Decimal(group.value.prices.count)
                var rounded = Decimal()
                NSDecimalRound(&rounded, &mean, 4, .plain)
                return "\(rounded)"
            }
            #expect(numbers("avg_price", response) == averages)
        }
    }
}
