import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

/// Rows recognised by their fingerprint skip validation; these check that only rows whose active
/// product they wrote are recognised, on both stores.
@Suite struct RowFingerprintTests {
    static let clean = ETLTests.clean

    /// The fingerprints of a products feed's rows, as the importer computes them.
    static func fingerprints(_ bytes: [UInt8]) throws -> [ProductFingerprint] {
        var records: [CSVRecord] = []
        var parser = CSVParser()
        bytes.withUnsafeBytes { parser.consume($0) { records.append(copy $0) } }
        parser.finish { records.append(copy $0) }
        let reader = ProductRowReader(header: try #require(records.first).strings().map { $0 ?? "" })
        return try records.dropFirst().filter { !$0.isBlank }.map { try #require(reader.fingerprint($0)) }
    }

    /// Which fingerprints the store recognises as their active product's.
    func recognised(_ app: TestApp, _ partnerID: String, _ fingerprints: [ProductFingerprint]) async throws -> [Bool] {
        try await app.catalog.store.unchangedProducts(partnerID: partnerID, fingerprints).map { $0 != nil }
    }

    func summary(_ job: [String: Any]) -> [String: Int] {
        (job["summary"] as? [String: Int]) ?? [:]
    }

    @Test(arguments: StoreKind.allCases)
    func storedRowsAreRecognisedOnlyWhileTheirProductIsActiveAndUnchanged(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (partner, key) = try await app.createPartner("acme")
        let (rival, _) = try await app.createPartner("rival")
        let fingerprints = try Self.fingerprints(Self.clean)
        try await app.testWithWorker { client in
            #expect(try await recognised(app, partner.partnerID, fingerprints).allSatisfy { !$0 })
            _ = try await client.uploadRaw(Self.clean, key: key)
            _ = try await client.run("JV00001", key: key)
            #expect(try await recognised(app, partner.partnerID, fingerprints).allSatisfy { $0 })
            // Each row is recognised as its own product.
            let products = try await app.catalog.store.unchangedProducts(partnerID: partner.partnerID, fingerprints)
            #expect(Set(products.compactMap { $0 }).count == fingerprints.count)
            #expect(try await recognised(app, rival.partnerID, fingerprints).allSatisfy { !$0 })
            var altered = fingerprints
            altered[0].digest = String(altered[0].digest.reversed())
            #expect(try await recognised(app, partner.partnerID, altered).first == false)

            // TENT-2P changed, then left out of a full feed: neither its old row nor its new one is recognised.
            let changed = ETLTests.variant(changingPricesOf: ["TENT-2P"])
            _ = try await client.uploadRaw(changed, key: key)
            _ = try await client.run("JV00002", key: key)
            let tent = try #require(fingerprints.firstIndex { $0.sku == "TENT-2P" })
            let afterChange = try await recognised(app, partner.partnerID, fingerprints)
            #expect(afterChange.enumerated().allSatisfy { $0.element == ($0.offset != tent) })
            let changedTent = try #require(try Self.fingerprints(changed).first { $0.sku == "TENT-2P" })
            #expect(try await recognised(app, partner.partnerID, [changedTent]) == [true])
            _ = try await client.uploadRaw(ETLTests.variant(dropping: ["TENT-2P"]), key: key, query: "mode=full")
            _ = try await client.run("JV00003", key: key)
            #expect(try await recognised(app, partner.partnerID, [changedTent]) == [false])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func reactivatedAndRevertedRowsAreUpdatedNotUnchanged(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Self.clean, key: key)
            _ = try await client.run("JV00001", key: key)
            _ = try await client.uploadRaw(ETLTests.variant(dropping: ["TENT-2P"]), key: key, query: "mode=full")
            #expect(summary(try await client.run("JV00002", key: key))["deactivated"] == 1)
            // The same bytes as the first feed: TENT-2P's row still matches its stored fingerprint, but
            // the product is inactive, so it is updated (reactivated).
            _ = try await client.uploadRaw(Self.clean, key: key)
            let reactivated = try await client.run("JV00003", key: key)
            #expect(summary(reactivated) == ["rows_total": 13, "inserted": 0, "updated": 1, "unchanged": 12, "skipped": 0, "deactivated": 0])
            #expect(try await app.products()["TENT-2P"]?.status == "active")

            _ = try await client.uploadRaw(ETLTests.variant(changingPricesOf: ["TENT-2P"]), key: key)
            #expect(summary(try await client.run("JV00004", key: key))["updated"] == 1)
            _ = try await client.uploadRaw(Self.clean, key: key)
            let reverted = try await client.run("JV00005", key: key)
            #expect(summary(reverted) == ["rows_total": 13, "inserted": 0, "updated": 1, "unchanged": 12, "skipped": 0, "deactivated": 0])
            #expect(try await app.products()["TENT-2P"]?.price == 2_490_000)
        }
    }

    /// The same products with the columns in another order: unchanged by content, and from then on
    /// recognised by the new rows' fingerprints.
    @Test(arguments: StoreKind.allCases)
    func sameContentWrittenDifferentlyIsUnchangedAndRecognisedNextTime(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (partner, key) = try await app.createPartner("acme")
        let lines = String(decoding: Self.clean, as: UTF8.self).split(separator: "\n")
        let swapped = lines.map { line -> String in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields.swapAt(0, 1)
            return fields.joined(separator: ",")
        }
        let reordered = Array((swapped.joined(separator: "\n") + "\n").utf8)
        let fingerprints = try Self.fingerprints(reordered)
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(Self.clean, key: key)
            _ = try await client.run("JV00001", key: key)
            #expect(try await recognised(app, partner.partnerID, fingerprints).allSatisfy { !$0 })
            _ = try await client.uploadRaw(reordered, key: key)
            let job = try await client.run("JV00002", key: key)
            #expect(summary(job) == ["rows_total": 13, "inserted": 0, "updated": 0, "unchanged": 13, "skipped": 0, "deactivated": 0])
            #expect(try await recognised(app, partner.partnerID, fingerprints).allSatisfy { $0 })
        }
    }
}
