import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct ETLTests {
    static let clean = try! Fixture.bytes("products-clean.csv")

    func summary(_ job: [String: Any]) -> [String: Int] {
        (job["summary"] as? [String: Int]) ?? [:]
    }

    /// The clean fixture with some rows changed or left out.
    static func variant(changingPricesOf changed: Set<String> = [], dropping dropped: Set<String> = []) -> [UInt8] {
        let lines = String(decoding: clean, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = [String(lines[0])]
        for line in lines.dropFirst() where !line.isEmpty {
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if dropped.contains(fields[0]) { continue }
            if changed.contains(fields[0]) { fields[5] = "1.2345" }
            out.append(fields.joined(separator: ","))
        }
        return Array((out.joined(separator: "\n") + "\n").utf8)
    }

    @Test(arguments: StoreKind.allCases)
    func exactCountsAcrossLoadsReRunsChangesAndFullMode(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme-outdoor")
        try await app.testWithWorker { client in
            _ = try await client.uploadMultipart([.file(fileName: "spring.csv", bytes: Self.clean)], key: key)
            let first = try await client.run("JV00001", key: key)
            #expect(first["status"] as? String == "completed")
            #expect(summary(first) == ["rows_total": 13, "inserted": 13, "updated": 0, "unchanged": 0, "skipped": 0, "deactivated": 0])
            #expect(first["message"] as? String
                == "ETL processing completed. Products processed: 13. Inserted: 13. Updated: 0. Unchanged: 0. Skipped: 0.")
            #expect((first["progress"] as? [String: Int])?["rows_read"] == 13)
            #expect(try await app.products().count == 13)

            let again = try await client.run("JV00001", key: key)
            #expect(summary(again)["unchanged"] == 13 && summary(again)["inserted"] == 0)

            _ = try await client.uploadRaw(Self.variant(changingPricesOf: ["TENT-2P", "BAG-40F", "CHAIR-L"]), key: key)
            let changed = try await client.run("JV00002", key: key)
            #expect(summary(changed) == ["rows_total": 13, "inserted": 0, "updated": 3, "unchanged": 10, "skipped": 0, "deactivated": 0])
            #expect(try await app.products()["TENT-2P"]?.price == 12_345)

            _ = try await client.uploadRaw(
                Self.variant(changingPricesOf: ["TENT-2P", "BAG-40F", "CHAIR-L"], dropping: ["PACK-45", "POT-1L"]), key: key,
                query: "mode=full")
            let full = try await client.run("JV00003", key: key)
            #expect(summary(full) == ["rows_total": 11, "inserted": 0, "updated": 0, "unchanged": 11, "skipped": 0, "deactivated": 2])
            #expect((full["message"] as? String)?.hasSuffix("Deactivated: 2.") == true)
            let products = try await app.products()
            #expect(products.count == 13)
            #expect(products["PACK-45"]?.status == "inactive" && products["POT-1L"]?.status == "inactive")

            _ = try await client.uploadRaw(Self.clean, key: key)
            let back = try await client.run("JV00004", key: key)
            #expect(summary(back) == ["rows_total": 13, "inserted": 0, "updated": 5, "unchanged": 8, "skipped": 0, "deactivated": 0])
            #expect(try await app.products().values.allSatisfy { $0.status == "active" })

            let feed = try await client.get("/feeds/FD00004", key: key).json
            #expect(feed["status"] as? String == "processed")
            #expect(feed["validation_status"] as? String == "completed")
        }
    }

    /// Re-runs stage rows that match their product by key alone; a later row repeating such a SKU
    /// with other content is still a duplicate, and the first occurrence still counts.
    @Test(arguments: StoreKind.allCases)
    func duplicatesOfUnchangedRowsAreSkippedAndTheFirstOccurrenceCounts(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Self.clean, key: key)
            _ = try await client.run("JV00001", key: key)
            let text = String(decoding: Self.clean, as: UTF8.self)
            let tent = try #require(text.split(separator: "\n").first { $0.hasPrefix("TENT-2P,") })
            let newRow = "NEW-1,New thing,,,,5.00,USD,in_stock,1,"
            let repeated = text + tent.replacingOccurrences(of: "249.00", with: "1.00") + "\n" + newRow + "\n" + newRow + "\n"
            _ = try await client.uploadRaw(Array(repeated.utf8), key: key)
            let job = try await client.run("JV00002", key: key)
            #expect(summary(job) == ["rows_total": 16, "inserted": 1, "updated": 0, "unchanged": 13, "skipped": 2, "deactivated": 0])
            let errors = try await client.get("/jobs/JV00002/errors", key: key)
            #expect(errors.items.map { $0["line"] as? Int } == [15, 17])
            #expect(errors.items.map { $0["code"] as? String } == ["duplicate_sku", "duplicate_sku"])
            let products = try await app.products()
            #expect(products["TENT-2P"]?.price == 2_490_000)
            #expect(products["NEW-1"]?.price == 50_000)
            #expect(products.count == 14)

            // A changed row first, its unchanged (recognised) original later: the changed one counts.
            let tentLine = try #require(text.split(separator: "\n").firstIndex { $0.hasPrefix("TENT-2P,") }) + 1
            let changedFirst = tent.replacingOccurrences(of: "249.00", with: "1.00") + "\n"
            let header = try #require(text.split(separator: "\n").first)
            let reordered = header + "\n" + changedFirst + text.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
            _ = try await client.uploadRaw(Array(reordered.utf8), key: key)
            let third = try await client.run("JV00003", key: key)
            #expect(summary(third) == ["rows_total": 14, "inserted": 0, "updated": 1, "unchanged": 12, "skipped": 1, "deactivated": 0])
            let thirdErrors = try await client.get("/jobs/JV00003/errors", key: key)
            #expect(thirdErrors.items.map { $0["line"] as? Int } == [tentLine + 1])
            #expect(try await app.products()["TENT-2P"]?.price == 10_000)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func messyFeedSkipsWithDiagnosticsInLineOrder(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(try Fixture.bytes("products-messy.csv"), key: key)
            let job = try await client.run("JV00001", key: key)
            #expect(summary(job) == ["rows_total": 7, "inserted": 5, "updated": 0, "unchanged": 0, "skipped": 2, "deactivated": 0])
            let errors = try await client.get("/jobs/JV00001/errors", key: key)
            #expect(errors.json["count"] as? Int == 2)
            #expect(errors.items.map { $0["line"] as? Int } == [7, 8])
            #expect(errors.items.map { $0["code"] as? String } == ["invalid_price", "duplicate_sku"])
            #expect(errors.items[0]["column"] as? String == "price")
            #expect(errors.items[0]["value"] as? String == "9,99")
            #expect(errors.items[0]["sku"] as? String == "BAD-PRICE")
            #expect(errors.items[1]["sku"] as? String == "TENT-2P")

            let page = try await client.get("/jobs/JV00001/errors?limit=1", key: key)
            let cursor = try #require(page.json["next_cursor"] as? String)
            let next = try await client.get("/jobs/JV00001/errors?limit=1&cursor=\(cursor)", key: key)
            #expect(next.items.map { $0["line"] as? Int } == [8])
            #expect(try await app.products()["TENT-2P"]?.price == 2_490_000)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func malformedRowsAreSkippedWithTheirLine(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.testWithWorker { client in
            let csv = "sku,product_name,price\nA,Alpha,1\nB,Be\"ta,2\nC,\"Gamma\"x,3\nD,Delta\nE,Eps,5,extra\nF,Nul\u{0},6\n"
                + "G,\(String(repeating: "g", count: 501)),7\nH,Eta,1e3\nI,Iota,-1\n\(String(repeating: "S", count: 65)),Long,1\n"
                + "J,\"Unterminated,9\n"
            _ = try await client.uploadRaw(Array(csv.utf8), key: app.adminKey, query: "partner_name=acme")
            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(summary(job)["inserted"] == 1)
            #expect(summary(job)["skipped"] == 10)
            let errors = try await client.get("/jobs/JV00001/errors", key: app.adminKey).items
            #expect(errors.map { $0["line"] as? Int } == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
            #expect(errors.map { $0["code"] as? String } == [
                "stray_quote", "text_after_closing_quote", "wrong_field_count", "wrong_field_count", "invalid_characters",
                "too_long", "invalid_price", "invalid_price", "too_long", "unterminated_quote",
            ])
            #expect(errors[4]["value"] as? String == "Nul\u{FFFD}")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func tamperedRawObjectFailsWithChecksumMismatchAndChangesNothing(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Self.clean, key: app.adminKey, query: "partner_name=acme&file_name=a.csv")
            _ = try await client.run("JV00001", key: app.adminKey)
            _ = try await client.uploadRaw(Self.variant(changingPricesOf: ["TENT-2P"]), key: app.adminKey, query: "partner_name=acme&file_name=b.csv")
            let path = app.directory.path + "/objects/raw/partners/acme/feeds/FD00002/b.csv"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 2] = UInt8(ascii: "9")
            try bytes.write(to: URL(fileURLWithPath: path))

            let job = try await client.run("JV00002", key: app.adminKey)
            #expect(job["status"] as? String == "failed")
            #expect((job["error"] as? [String: String])?["code"] == "CHECKSUM_MISMATCH")
            #expect(job["attempts"] as? Int == 1)
            #expect(try await app.products()["TENT-2P"]?.price == 2_490_000)
            #expect(try await client.get("/jobs/JV00002/errors", key: app.adminKey).json["count"] as? Int == 0)
            let feed = try await client.get("/feeds/FD00002", key: app.adminKey).json
            #expect(feed["status"] as? String == "failed")
            #expect(feed["validation_status"] as? String == "failed")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func missingRawObjectFailsAtOnce(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Self.clean, key: app.adminKey, query: "partner_name=acme&file_name=a.csv")
            try FileManager.default.removeItem(atPath: app.directory.path + "/objects/raw/partners/acme/feeds/FD00001/a.csv")
            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(job["status"] as? String == "failed")
            #expect((job["error"] as? [String: String])?["code"] == "RAW_OBJECT_MISSING")
            #expect(job["attempts"] as? Int == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func gzipFeedsAreImported(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(try Fixture.bytes("products-clean.csv.gz"), key: app.adminKey, query: "partner_name=acme")
            let job = try await client.run("JV00001", key: app.adminKey)
            #expect(summary(job)["inserted"] == 13)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func runRules(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        let (_, rival) = try await app.createPartner("rival")
        let reader = try await app.createKey(.reader)
        let analyst = try await app.createKey(.analyst)
        try await app.test { client in
            _ = try await client.uploadRaw(Self.clean, key: key)
            let submission = try await client.execute(uri: "/jobs/JS00001/run", method: .post, headers: headers(key: key))
            #expect(submission.status == .conflict)
            #expect(submission.errorCode == "CONFLICT")
            #expect(try await client.execute(uri: "/jobs/JV00001/run", method: .post, headers: headers(key: rival)).status == .notFound)
            #expect(try await client.execute(uri: "/jobs/JV00001/run", method: .post, headers: headers(key: reader)).status == .forbidden)
            #expect(try await client.execute(uri: "/jobs/JV00001/run", method: .post, headers: headers(key: analyst)).status == .forbidden)
            #expect(try await client.execute(uri: "/jobs/JV09999/run", method: .post, headers: headers(key: key)).status == .notFound)
            #expect(try await client.execute(uri: "/jobs/JV00001/run?wait=maybe", method: .post, headers: headers(key: key)).status == .badRequest)

            let queued = try await client.execute(uri: "/jobs/JV00001/run", method: .post, headers: headers(key: key))
            #expect(queued.status == .accepted)
            #expect(queued.headers[.location] == "/jobs/JV00001")
            #expect(queued.json["status"] as? String == "queued")
            let twice = try await client.execute(uri: "/jobs/JV00001/run?wait=true&timeout=0.2", method: .post, headers: headers(key: key))
            #expect(twice.status == .accepted)
            #expect(twice.json["status"] as? String == "queued")
            #expect(try await client.get("/jobs/JV00001/errors", key: rival).status == .notFound)
        }
    }
}
