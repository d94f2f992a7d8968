import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `GET /dashboard` shows the figures `/analytics/*` answers for the same parameters, as SVG charts
/// with `<title>`/`<desc>` and data tables, each text escaped.
@Suite struct DashboardPageTests {
    func results(_ response: TestResponse) -> [[String: Any]] { response.json["results"] as? [[String: Any]] ?? [] }

    /// The fixture catalog and orders of acme, and the rival's orders of `AnalyticsTests` (two currencies).
    func loadFixtures(_ app: TestApp, _ client: any TestClientProtocol) async throws -> (acme: String, rival: String) {
        let (_, acmeKey) = try await app.createPartner("acme")
        let (_, rivalKey) = try await app.createPartner("rival")
        try await client.load(String(decoding: try Fixture.bytes("products-clean.csv"), as: UTF8.self), key: acmeKey)
        try await client.load(String(decoding: try Fixture.bytes("orders-clean.csv"), as: UTF8.self), key: acmeKey, query: "feed_type=orders")
        try await client.load(AnalyticsTests.rivalOrders, key: rivalKey, query: "feed_type=orders")
        try await client.load("sku,product_name,price,quantity,category,currency\nR-1,Rival tent,10.5,2,Tents,EUR\nR-2,Rival pad,0.0001,0,,USD\n",
                              key: rivalKey)
        return (acmeKey, rivalKey)
    }

    /// Compares every table of the page with the API's answers for `query` as `key` sees them.
    func expectPageMatchesAPI(
        _ client: any TestClientProtocol, session: String, key: String, query: String, grain: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let context = Comment(rawValue: "query '\(query)' grain \(grain)")
        let separator = query.isEmpty ? "" : "&"
        let page = try await client.dashboard(query + separator + "grain=\(grain)", session: session)
        #expect(page.status == .ok, context, sourceLocation: sourceLocation)
        #expect(page.headers[.contentType] == "text/html; charset=utf-8", sourceLocation: sourceLocation)
        let html = DashboardHTML(page)

        // Sales over time: every period (empty ones as zeros) and currency.
        let overTime = try await client.get("/analytics/sales-over-time?\(query)\(separator)grain=\(grain)", key: key)
        let salesRows = html.rows("sales-table")
        #expect(salesRows.map { "\($0.attributes["period"] ?? "") \($0.attributes["currency"] ?? "")" }
            == results(overTime).map { "\($0["sales_period"] as? String ?? "") \($0["currency"] as? String ?? "")" }, context,
            sourceLocation: sourceLocation)
        #expect(salesRows.map { $0.fields["units_sold"] } == results(overTime).map { ($0["units_sold"] as? Int).map(String.init) }, context,
                sourceLocation: sourceLocation)
        #expect(salesRows.map { $0.fields["orders"] } == results(overTime).map { ($0["orders"] as? Int).map(String.init) }, context,
                sourceLocation: sourceLocation)
        #expect(salesRows.map { $0.fields["total_sales"] ?? "" } == jsonRawValues("total_sales", in: String(buffer: overTime.body)), context,
                sourceLocation: sourceLocation)
        for row in salesRows {
            #expect(row.shown["total_sales"] == DashboardHTML.shownAmount(row.fields["total_sales"] ?? ""), sourceLocation: sourceLocation)
        }
        let currencies = Set(salesRows.compactMap { $0.attributes["currency"] })
        if salesRows.isEmpty {
            #expect(html.element("svg", id: "sales-chart") == nil, context, sourceLocation: sourceLocation)
        } else {
            let chart = try #require(html.element("svg", id: "sales-chart"), sourceLocation: sourceLocation)
            #expect(chart.contains("<title id=\"sales-chart-title\">") && chart.contains("<desc id=\"sales-chart-desc\">"),
                    sourceLocation: sourceLocation)
            #expect(html.count("<polyline class=\"line", in: chart) == currencies.count, context, sourceLocation: sourceLocation)
        }

        // Revenue share, with sales by partner's units and orders.
        let share = try await client.get("/analytics/revenue-share?\(query)", key: key)
        let byPartner = try await client.get("/analytics/sales-by-partner?\(query)", key: key)
        let shareRows = html.rows("share-table")
        #expect(shareRows.map { "\($0.attributes["partner"] ?? "") \($0.attributes["currency"] ?? "")" }
            == results(share).map { "\($0["partner_name"] as? String ?? "") \($0["currency"] as? String ?? "")" }, context,
            sourceLocation: sourceLocation)
        #expect(shareRows.map { $0.fields["total_revenue"] ?? "" } == jsonRawValues("total_revenue", in: String(buffer: share.body)), context,
                sourceLocation: sourceLocation)
        #expect(shareRows.map { $0.fields["revenue_pct"] ?? "" } == jsonRawValues("revenue_pct", in: String(buffer: share.body)), context,
                sourceLocation: sourceLocation)
        let sales = Dictionary(uniqueKeysWithValues: results(byPartner).map {
            ("\($0["partner_name"] as? String ?? "") \($0["currency"] as? String ?? "")", ($0["units_sold"] as? Int ?? -1, $0["orders"] as? Int ?? -1))
        })
        for row in shareRows {
            let expected = sales["\(row.attributes["partner"] ?? "") \(row.attributes["currency"] ?? "")"]
            #expect(row.fields["units_sold"] == expected.map { String($0.0) } && row.fields["orders"] == expected.map { String($0.1) }, context,
                    sourceLocation: sourceLocation)
        }
        if !shareRows.isEmpty {
            let chart = try #require(html.element("svg", id: "share-chart"), sourceLocation: sourceLocation)
            #expect(chart.contains("<title id=\"share-chart-title\">") && chart.contains("<desc id=\"share-chart-desc\">"))
            #expect(html.count("<g class=\"bar-row\">", in: chart) == shareRows.count, context, sourceLocation: sourceLocation)
        }
        let totals = Dictionary(grouping: results(byPartner), by: { $0["currency"] as? String ?? "" })
        #expect(Set(DashboardHTML.matches(#"<div class="card" data-currency="([A-Z]+)">"#, in: html.text).map { $0[1] }) == Set(totals.keys),
                context, sourceLocation: sourceLocation)

        // Top products (the API's default limit), each with a sparkline of its units that add up to its units sold.
        let top = try await client.get("/analytics/top-products?\(query)", key: key)
        let topRows = html.rows("top-table")
        #expect(topRows.map { "\($0.attributes["currency"] ?? "") \($0.attributes["partner"] ?? "") \($0.attributes["sku"] ?? "")" }
            == results(top).map { "\($0["currency"] as? String ?? "") \($0["partner_name"] as? String ?? "") \($0["sku"] as? String ?? "")" },
            context, sourceLocation: sourceLocation)
        #expect(topRows.map { $0.fields["units_sold"] } == results(top).map { ($0["units_sold"] as? Int).map(String.init) }, context,
                sourceLocation: sourceLocation)
        #expect(topRows.map { $0.fields["total_sales"] ?? "" } == jsonRawValues("total_sales", in: String(buffer: top.body)), context,
                sourceLocation: sourceLocation)
        for row in topRows {
            #expect(row.html.contains("<svg class=\"sparkline\"") && row.html.contains("<title id=\"spark-"), sourceLocation: sourceLocation)
            let desc = DashboardHTML.matches(#"<desc id="spark-[0-9]+-desc">(.*?)</desc>"#, in: row.html).first?[1] ?? ""
            let units = DashboardHTML.matches(#": ([0-9,]+)"#, in: desc).map { Int($0[1].replacingOccurrences(of: ",", with: "")) ?? -1 }
            #expect(units.count == Set(salesRows.compactMap { $0.attributes["period"] }).count, context, sourceLocation: sourceLocation)
            #expect(String(units.reduce(0, +)) == row.fields["units_sold"], "\(context) \(desc)", sourceLocation: sourceLocation)
        }

        // Inventory per partner and category, low stock highlighted.
        let inventory = try await client.get("/analytics/inventory?\(query)", key: key)
        let inventoryRows = html.rows("inventory-table")
        let inventoryResults = results(inventory)
        #expect(inventoryRows.map { "\($0.attributes["partner"] ?? "") \($0.attributes["currency"] ?? "")" }
            == inventoryResults.map { "\($0["partner_name"] as? String ?? "") \($0["currency"] as? String ?? "")" }, context,
            sourceLocation: sourceLocation)
        for field in ["products", "active", "in_stock", "out_of_stock", "low_stock"] {
            #expect(inventoryRows.map { $0.fields[field] } == inventoryResults.map { ($0[field] as? Int).map(String.init) }, "\(field) \(context)",
                    sourceLocation: sourceLocation)
        }
        for field in ["avg_price", "inventory_value"] {
            #expect(inventoryRows.map { $0.fields[field] ?? "" } == jsonRawValues(field, in: String(buffer: inventory.body)), "\(field) \(context)",
                    sourceLocation: sourceLocation)
        }
        let low = inventoryRows.filter { ($0.fields["low_stock"] ?? "0") != "0" }.count
        if !inventoryRows.isEmpty {
            let chart = try #require(html.element("svg", id: "inventory-chart"), sourceLocation: sourceLocation)
            #expect(html.count("<rect class=\"low\"", in: chart) == low, context, sourceLocation: sourceLocation)
            #expect(html.count("<tr class=\"low\"", in: html.element("table", id: "inventory-table")) == low, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theFiguresAreTheAPIsForTheSameParameters(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let analyst = try await app.createKey(.analyst)
        try await app.testWithWorker { client in
            _ = try await loadFixtures(app, client)
            let session = try await client.dashboardSession(analyst)
            for scope in AnalyticsTests.scopes.map(\.query) + ["partner_name=acme", "partner_name=nobody"] {
                for grain in ["daily", "weekly", "monthly"] {
                    try await expectPageMatchesAPI(client, session: session, key: analyst, query: scope, grain: grain)
                }
            }
            // Sub-cent and grouped amounts are shown exactly: rival's PAD-UL sold once at 1000.0001.
            let page = DashboardHTML(try await client.dashboard("partner_name=rival", session: session))
            let pad = try #require(page.rows("top-table").first { $0.attributes["sku"] == "PAD-UL" })
            #expect(pad.fields["total_sales"] == "1000.0001" && pad.shown["total_sales"] == "1,000.0001")
            #expect(page.text.contains("<title>partner-catalog") || page.text.contains("<title>Analytics"))
            #expect(page.text.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aPartnersSessionSeesItsOwnFiguresOnly(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.testWithWorker { client in
            let (acmeKey, _) = try await loadFixtures(app, client)
            let session = try await client.dashboardSession(acmeKey)
            for scope in ["", "from=2026-11-01&to=2026-11-10", "partner_name=acme", "partner_name=rival"] {
                try await expectPageMatchesAPI(client, session: session, key: acmeKey, query: scope, grain: "weekly")
            }
            let own = DashboardHTML(try await client.dashboard(session: session))
            #expect(Set(own.rows("share-table").compactMap { $0.attributes["partner"] }) == ["acme"])
            #expect(Set(own.rows("inventory-table").compactMap { $0.attributes["partner"] }) == ["acme"])
            #expect(!own.text.contains("rival"))
            #expect(!own.text.contains("name=\"partner_name\""))  // no partner picker
            let other = DashboardHTML(try await client.dashboard("partner_name=rival", session: session))
            #expect(other.rows("share-table").isEmpty && other.rows("sales-table").isEmpty && other.rows("inventory-table").isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func hostileNamesAreEscapedEverywhere(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        let hostile = #"<script>alert("x")</script>"#
        let (_, key) = try await app.catalog.partners.create(name: "evil", displayName: "Evil \(hostile) & Co", by: admin)
        try await app.testWithWorker { client in
            try await client.load(#"""
                sku,product_name,price,quantity,category
                "<b>""sku""</b>","<img src=x onerror=alert(1)>",5,2,"""><svg onload=alert(2)>"

                """#, key: key.secret)
            try await client.load("order_id,sku,quantity,unit_price,ordered_at\nE-1,\"<b>\"\"sku\"\"</b>\",3,5,2026-11-02\n", key: key.secret,
                                  query: "feed_type=orders")
            let session = try await client.dashboardSession(app.adminKey)
            let reflected = #""><script>alert(3)</script>"#
            let response = try await client.dashboard(
                "partner_name=evil&from=" + (reflected.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), session: session)
            #expect(response.status == .badRequest)  // the bad date is named, and shown escaped
            let page = DashboardHTML(response)
            let good = DashboardHTML(try await client.dashboard("partner_name=evil", session: session))
            for text in [page.text, good.text] {
                #expect(DashboardHTML.matches("<script", in: text).count == 1, "only the page's own script")
                for raw in [hostile, "<img src=x", "<svg onload", "<b>\"sku\"</b>", reflected] {
                    #expect(!text.contains(raw), "\(raw) unescaped")
                }
            }
            #expect(good.text.contains("Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"))  // the partner picker
            #expect(good.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(good.text.contains("&quot;&gt;&lt;svg onload=alert(2)&gt;"))
            #expect(good.rows("top-table").first?.attributes["sku"] == "<b>\"sku\"</b>")
            #expect(page.text.contains("&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func badParametersReshowThePageWithTheError(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.test { client in
            let session = try await client.dashboardSession(app.adminKey)
            for (query, parameter) in [("from=yesterday", "from"), ("grain=hourly", "grain"), ("from=2026-12-01&to=2026-11-01", "from"),
                                       ("colour=red", "colour"), ("from=2000-01-01&to=2100-01-01&grain=daily", "from")] {
                let response = try await client.dashboard(query, session: session)
                #expect(response.status == .badRequest, "\(query)")
                let page = DashboardHTML(response)
                let error = DashboardHTML.matches(#"<p class="alert" role="alert" id="error">(.*?)</p>"#, in: page.text).first?[1] ?? ""
                #expect(error.contains(parameter), "\(query): \(error)")
                #expect(page.text.contains("id=\"filters\""), "the pickers stay to correct it")
            }
        }
    }
}
