import CatalogCore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Testing

@Suite struct OrderFeedTests {
    func summary(_ job: [String: Any]) -> [String: Int] { (job["summary"] as? [String: Int]) ?? [:] }

    /// Order lines as stored: "OR… partner_order_id sku quantity unit_price_units currency ordered_at".
    func storedLines(_ app: TestApp) async throws -> [String] {
        let orderedAt = app.kind == .sqlite
            ? "strftime('%Y-%m-%dT%H:%M:%SZ', l.ordered_at)"
            : "to_char(l.ordered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        return try await app.rows("""
            SELECT o.order_id, o.partner_order_id, l.sku, l.quantity, l.unit_price_units, l.currency, \(orderedAt) AS at
            FROM order_lines l JOIN orders o ON o.seq = l.order_seq ORDER BY o.seq, l.sku
            """).map { row in
            ["order_id", "partner_order_id", "sku", "quantity", "unit_price_units", "currency", "at"]
                .map { (row[$0] ?? nil) ?? "NULL" }.joined(separator: " ")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func cleanOrdersLoadThenReRunUnchangedThenChange(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(try Fixture.bytes("orders-clean.csv"), key: key, query: "feed_type=orders")
            let first = try await client.run("JV00001", key: key)
            #expect(first["status"] as? String == "completed")
            #expect(summary(first) == ["rows_total": 5, "inserted": 5, "updated": 0, "unchanged": 0, "skipped": 0, "deactivated": 0])
            #expect(first["message"] as? String
                == "ETL processing completed. Order lines processed: 5. Inserted: 5. Updated: 0. Unchanged: 0. Skipped: 0.")
            #expect(try await storedLines(app) == [
                "OR00001 A-1001 PAD-UL 2 1299500 USD 2026-11-01T10:15:00Z",
                "OR00001 A-1001 TENT-2P 1 2490000 USD 2026-11-01T10:15:00Z",
                "OR00002 A-1002 STOVE-1 3 499900 USD 2026-11-02T00:00:00Z",
                "OR00003 A-1003 CHAIR-L 1 795000 EUR 2026-11-03T07:00:00Z",
                "OR00004 A-1004 LAMP-300 4 399500 USD 2026-11-10T23:59:59Z",
            ])
            let again = try await client.run("JV00001", key: key)
            #expect(summary(again)["unchanged"] == 5)

            let changed = "order_id,sku,quantity,unit_price,ordered_at\nA-1001,TENT-2P,2,249.00,2026-11-01T10:15:00Z\nA-1005,PAD-UL,1,129.95,2026-11-12\n"
            _ = try await client.uploadRaw(Array(changed.utf8), key: key, query: "feed_type=orders")
            let third = try await client.run("JV00002", key: key)
            #expect(summary(third) == ["rows_total": 2, "inserted": 1, "updated": 1, "unchanged": 0, "skipped": 0, "deactivated": 0])
            let lines = try await storedLines(app)
            #expect(lines.count == 6)
            #expect(lines.contains("OR00001 A-1001 TENT-2P 2 2490000 USD 2026-11-01T10:15:00Z"))
            #expect(lines.contains("OR00005 A-1005 PAD-UL 1 1299500 USD 2026-11-12T00:00:00Z"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func messyOrdersAreSkippedWithDiagnostics(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(try Fixture.bytes("orders-messy.csv"), key: app.adminKey, query: "partner_name=acme&feed_type=orders")
            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(summary(job) == ["rows_total": 5, "inserted": 1, "updated": 0, "unchanged": 0, "skipped": 4, "deactivated": 0])
            let errors = try await client.get("/jobs/JV00001/errors", key: app.adminKey).items
            #expect(errors.map { $0["line"] as? Int } == [3, 4, 5, 6])
            #expect(errors.map { $0["code"] as? String } == ["invalid_quantity", "invalid_price", "invalid_date", "duplicate_order_line"])
            #expect(errors.map { $0["column"] as? String } == ["quantity", "unit_price", "ordered_at", "sku"])
            #expect(errors[2]["value"] as? String == "2026-13-01")
        }
    }
}
