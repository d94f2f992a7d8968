import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct FeedUploadTests {
    @Test func multipartUploadWithFileFirstCreatesFeedAndJobs() async throws {
        let app = try await TestApp.make()
        let bytes = try Fixture.bytes("products-clean.csv")
        try await app.test { client in
            let response = try await client.uploadMultipart(
                [.file(fileName: "spring.csv", bytes: bytes), .field("partner_name", "acme-outdoor")], key: app.adminKey)
            #expect(response.status == .created)
            #expect(response.headers[.location] == "/feeds/FD00001")
            let feed = response.json
            #expect(feed["feed_id"] as? String == "FD00001")
            #expect(feed["job_id"] as? String == "JS00001")
            #expect(feed["validation_job_id"] as? String == "JV00001")
            #expect(feed["partner_id"] as? String == "PT00001")
            #expect(feed["partner_name"] as? String == "acme-outdoor")
            #expect(feed["feed_type"] as? String == "products")
            #expect(feed["mode"] as? String == "delta")
            #expect(feed["file_name"] as? String == "spring.csv")
            #expect(feed["content_type"] as? String == "text/csv")
            #expect(feed["size_bytes"] as? Int == bytes.count)
            #expect(feed["sha256"] as? String == Bytes.sha256(bytes))
            #expect(feed["status"] as? String == "uploaded")
            #expect(feed["validation_status"] as? String == "queued")
            #expect(feed["raw_file_bucket"] as? String == "local")
            #expect(feed["raw_file_s3_key"] as? String == "raw/partners/acme-outdoor/feeds/FD00001/spring.csv")
            #expect(app.storedObjects == ["raw/partners/acme-outdoor/feeds/FD00001/spring.csv"])

            let submission = try await client.get("/jobs/JS00001", key: app.adminKey).json
            #expect(submission["job_type"] as? String == "submission")
            #expect(submission["status"] as? String == "completed")
            let validation = try await client.get("/jobs/JV00001", key: app.adminKey).json
            #expect(validation["job_type"] as? String == "validation")
            #expect(validation["status"] as? String == "queued")
            #expect(validation["feed_id"] as? String == "FD00001")
            #expect((validation["progress"] as? [String: Any])?["rows_read"] as? Int == 0)
        }
    }

    @Test func multipartFieldsBeforeTheFileWorkToo() async throws {
        let app = try await TestApp.make()
        let orders = try Fixture.bytes("orders-clean.csv")
        try await app.test { client in
            let response = try await client.uploadMultipart(
                [.field("partner_name", "acme"), .field("feed_type", "orders"), .file(fileName: "o.csv", bytes: orders)],
                key: app.adminKey)
            #expect(response.status == .created)
            #expect(response.json["feed_type"] as? String == "orders")
        }
    }

    @Test func rawUploadStoresExactBytes() async throws {
        let app = try await TestApp.make()
        let (_, partnerKey) = try await app.createPartner("acme")
        let bytes = try Fixture.bytes("products-messy.csv")
        try await app.test { client in
            let response = try await client.uploadRaw(bytes, key: partnerKey, query: "file_name=spring.csv&mode=full")
            #expect(response.status == .created)
            #expect(response.json["mode"] as? String == "full")
            let raw = try await client.get("/feeds/FD00001/raw", key: partnerKey)
            #expect(raw.status == .ok)
            #expect(Array(raw.body.readableBytesView) == bytes)
            #expect(raw.headers[.contentLength] == String(bytes.count))
        }
    }

    @Test func gzipBodiesAreAcceptedAndStoredAsSent() async throws {
        let app = try await TestApp.make()
        let gzipped = try Fixture.bytes("products-clean.csv.gz")
        try await app.test { client in
            let response = try await client.uploadRaw(
                gzipped, key: app.adminKey, query: "partner_name=acme&file_name=spring.csv.gz",
                extra: [.contentEncoding: "gzip"])
            #expect(response.status == .created)
            #expect(response.json["content_type"] as? String == "application/gzip")
            #expect(response.json["sha256"] as? String == Bytes.sha256(gzipped))
            let raw = try await client.get("/feeds/FD00001/raw", key: app.adminKey)
            #expect(Array(raw.body.readableBytesView) == gzipped)

            let multipart = try await client.uploadMultipart(
                [.file(fileName: "spring.csv.gz", bytes: gzipped), .field("partner_name", "acme")], key: app.adminKey)
            #expect(multipart.status == .created)
        }
    }

    @Test func partnerKeyMayNameItsOwnPartnerOnly() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        _ = try await app.createPartner("rival")
        try await app.test { client in
            #expect(try await client.uploadRaw(sampleCSV, key: key, query: "partner_name=acme").status == .created)
            let other = try await client.uploadRaw(sampleCSV, key: key, query: "partner_name=rival")
            #expect(other.status == .forbidden)
            #expect(other.errorCode == "FORBIDDEN")
            let multipart = try await client.uploadMultipart(
                [.file(fileName: "a.csv", bytes: sampleCSV), .field("partner_name", "rival")], key: key)
            #expect(multipart.status == .forbidden)
        }
    }

    @Test func adminUploadForANewPartnerCreatesIt() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            #expect(try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=brand-new").status == .created)
            let partners = try await client.get("/partners", key: app.adminKey)
            #expect(partners.items.map { $0["partner_name"] as? String } == ["brand-new"])
        }
    }

    @Test func pathInFileNameIsReducedToItsLastSegment() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.uploadMultipart(
                [.file(fileName: "../../etc/passwd", bytes: sampleCSV), .field("partner_name", "acme")], key: app.adminKey)
            #expect(response.status == .created)
            #expect(response.json["file_name"] as? String == "passwd")
            #expect(response.json["raw_file_s3_key"] as? String == "raw/partners/acme/feeds/FD00001/passwd")
            let odd = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme&file_name=spr%C3%ADng%20%3Bfeed.csv")
            #expect(odd.json["file_name"] as? String == "spr_ng__feed.csv")
            #expect(app.storedObjects.allSatisfy { $0.hasPrefix("raw/partners/acme/feeds/") })
        }
    }

    @Test func idempotentReplayReturnsTheSameFeed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let key: [HTTPField.Name: String] = [HTTPField.Name("Idempotency-Key")!: "upload-2026-11-21"]
            let first = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme", extra: key)
            let second = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme", extra: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.json["feed_id"] as? String == "FD00001")
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            #expect(app.storedObjects.count == 1)
            #expect(try await client.get("/feeds", key: app.adminKey).json["count"] as? Int == 1)

            var changed = sampleCSV
            changed.append(contentsOf: Array("C-3,Gamma,3.00\n".utf8))
            let conflict = try await client.uploadRaw(changed, key: app.adminKey, query: "partner_name=acme", extra: key)
            #expect(conflict.status == .conflict)
            #expect(conflict.errorCode == "IDEMPOTENCY_CONFLICT")
            #expect(app.storedObjects.count == 1)
            #expect(try await client.get("/jobs", key: app.adminKey).json["count"] as? Int == 2)
        }
    }

    /// Each rejected upload: the status, the code, and nothing stored.
    @Test(arguments: RejectedUpload.all)
    func rejectedUploadsStoreNothing(_ rejected: RejectedUpload) async throws {
        let app = try await TestApp.make(maxUploadBytes: 4096)
        _ = try await app.createPartner("acme")
        try await app.test { client in
            let response = try await rejected.send(client, app.adminKey)
            #expect(response.status.code == rejected.status, "\(rejected.name): \(String(buffer: response.body))")
            #expect(response.errorCode == rejected.code, "\(rejected.name)")
            #expect((response.json["error"] as? [String: Any])?["message"] as? String != nil)
            if let detail = rejected.detail {
                #expect(response.errorDetails[detail.key] as? [String] == detail.value, "\(rejected.name)")
            }
            #expect(app.storedObjects.isEmpty, "\(rejected.name)")
            #expect(app.directory.files(under: "objects/.tmp").isEmpty, "\(rejected.name)")
            #expect(try await client.get("/feeds", key: app.adminKey).json["count"] as? Int == 0)
            #expect(try await client.get("/jobs", key: app.adminKey).json["count"] as? Int == 0)
        }
    }
}

struct RejectedUpload: Sendable, CustomTestStringConvertible {
    var name: String
    var status: Int
    var code: String
    var detail: (key: String, value: [String])?
    var send: @Sendable (any TestClientProtocol, String) async throws -> TestResponse

    var testDescription: String { name }

    static func raw(_ name: String, _ status: Int, _ code: String, _ bytes: [UInt8], query: String = "partner_name=acme",
                    detail: (String, [String])? = nil, extra: [HTTPField.Name: String] = [:]) -> RejectedUpload {
        RejectedUpload(name: name, status: status, code: code, detail: detail.map { (key: $0.0, value: $0.1) }) { client, key in
            try await client.uploadRaw(bytes, key: key, query: query, extra: extra)
        }
    }

    static let all: [RejectedUpload] = [
        raw("empty body", 422, "INVALID_FEED", []),
        raw("only a BOM", 422, "INVALID_FEED", [0xEF, 0xBB, 0xBF]),
        raw("binary body", 422, "INVALID_FEED", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0xD8, 0x00, 0x01]),
        raw("latin-1 text", 422, "INVALID_FEED", Array("sku,product_name,price\nA,Caf".utf8) + [0xE9] + Array(",1.00\n".utf8)),
        raw("header without sku", 422, "INVALID_FEED", Array("product_name,price\nAlpha,1\n".utf8),
            detail: ("missing_columns", ["sku"])),
        raw("orders header on a products feed", 422, "INVALID_FEED", Array("order_id,sku,quantity\n1,A,2\n".utf8),
            detail: ("missing_columns", ["product_name", "price"])),
        raw("duplicate column", 422, "INVALID_FEED", Array("sku,product_name,price,SKU\nA,B,1,C\n".utf8),
            detail: ("duplicate_columns", ["sku", "SKU"])),
        raw("alias twice", 422, "INVALID_FEED", Array("sku,name,title,price\nA,B,C,1\n".utf8),
            detail: ("duplicate_columns", ["name", "title"])),
        raw("malformed header", 422, "INVALID_FEED", Array("sku,\"product_name,price\n".utf8)),
        raw("truncated gzip", 422, "INVALID_FEED", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x2B]),
        raw("over the limit", 413, "PAYLOAD_TOO_LARGE", Bytes.productsCSV(rows: 200)),
        raw("unknown feed type", 400, "VALIDATION_ERROR", sampleCSV, query: "partner_name=acme&feed_type=prices"),
        raw("full mode on orders", 400, "VALIDATION_ERROR", Array("order_id,sku,quantity,unit_price,ordered_at\n".utf8),
            query: "partner_name=acme&feed_type=orders&mode=full"),
        raw("admin without partner", 400, "VALIDATION_ERROR", sampleCSV, query: ""),
        raw("invalid partner name", 400, "VALIDATION_ERROR", sampleCSV, query: "partner_name=Not%20Valid"),
        raw("unknown parameter", 400, "VALIDATION_ERROR", sampleCSV, query: "partner_name=acme&colour=red"),
        raw("brotli encoding", 415, "UNSUPPORTED_MEDIA_TYPE", sampleCSV, extra: [.contentEncoding: "br"]),
        raw("long idempotency key", 400, "VALIDATION_ERROR", sampleCSV,
            extra: [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 256)]),
        RejectedUpload(name: "xml content type", status: 415, code: "UNSUPPORTED_MEDIA_TYPE") { client, key in
            try await client.execute(
                uri: "/feeds/upload?partner_name=acme", method: .post,
                headers: headers(key: key, [.contentType: "application/xml"]), body: ByteBuffer(bytes: sampleCSV))
        },
        RejectedUpload(name: "csv sent as json", status: 422, code: "INVALID_FEED") { client, key in
            try await client.execute(
                uri: "/feeds/upload?partner_name=acme", method: .post,
                headers: headers(key: key, [.contentType: "application/json"]), body: ByteBuffer(bytes: sampleCSV))
        },
        RejectedUpload(name: "csv sent as ndjson", status: 422, code: "INVALID_FEED") { client, key in
            try await client.execute(
                uri: "/feeds/upload?partner_name=acme", method: .post,
                headers: headers(key: key, [.contentType: "application/x-ndjson"]), body: ByteBuffer(bytes: sampleCSV))
        },
        RejectedUpload(name: "missing file part", status: 400, code: "VALIDATION_ERROR") { client, key in
            try await client.uploadMultipart([.field("partner_name", "acme")], key: key)
        },
        RejectedUpload(name: "two file parts", status: 400, code: "VALIDATION_ERROR") { client, key in
            try await client.uploadMultipart(
                [.file(fileName: "a.csv", bytes: sampleCSV), .file(fileName: "b.csv", bytes: sampleCSV), .field("partner_name", "acme")],
                key: key)
        },
        RejectedUpload(name: "multipart without boundary", status: 415, code: "UNSUPPORTED_MEDIA_TYPE") { client, key in
            try await client.execute(
                uri: "/feeds/upload", method: .post, headers: headers(key: key, [.contentType: "multipart/form-data"]),
                body: ByteBuffer(bytes: sampleCSV))
        },
        RejectedUpload(name: "garbage multipart", status: 400, code: "VALIDATION_ERROR") { client, key in
            try await client.execute(
                uri: "/feeds/upload", method: .post, headers: headers(key: key, [.contentType: Multipart.contentType]),
                body: ByteBuffer(bytes: sampleCSV))
        },
        RejectedUpload(name: "multipart file over the limit", status: 413, code: "PAYLOAD_TOO_LARGE") { client, key in
            try await client.uploadMultipart(
                [.file(fileName: "big.csv", bytes: Bytes.productsCSV(rows: 200)), .field("partner_name", "acme")], key: key)
        },
        RejectedUpload(name: "multipart empty file", status: 422, code: "INVALID_FEED") { client, key in
            try await client.uploadMultipart([.file(fileName: "empty.csv", bytes: []), .field("partner_name", "acme")], key: key)
        },
    ]
}
