import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `Content-Encoding: gzip` for clients that accept it (mobile networks), on text bodies over 1 KB.
@Suite struct ResponseCompressionTests {
    static func inflate(_ buffer: ByteBuffer) throws -> String {
        var output: [UInt8] = []
        let inflater = GzipInflater()
        try Array(buffer.readableBytesView).withUnsafeBytes { bytes in try inflater.inflate(bytes) { output += $0 } }
        try inflater.finish()
        return String(decoding: output, as: UTF8.self)
    }

    @Test func listsAreGzippedForClientsThatAcceptIt() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        try await app.testWithWorker { client in
            let rows = (0..<40).map { "S-\($0),Product \($0) with a longer name ü,\($0).25" }
            try await client.load("sku,product_name,price\n" + rows.joined(separator: "\n") + "\n", key: key)

            func get(_ uri: String, acceptEncoding: String?) async throws -> TestResponse {
                var extra: [HTTPField.Name: String] = [:]
                if let acceptEncoding { extra[.acceptEncoding] = acceptEncoding }
                return try await client.execute(uri: uri, method: .get, headers: headers(key: key, extra))
            }
            let plain = try await get("/products?limit=40", acceptEncoding: nil)
            #expect(plain.status == .ok && plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.vary]?.contains("Accept-Encoding") == true)
            let identity = String(buffer: plain.body)
            #expect(identity.utf8.count > 4096)

            for accepted in ["gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.5", "*", "GZIP"] {
                let compressed = try await get("/products?limit=40", acceptEncoding: accepted)
                #expect(compressed.status == .ok)
                #expect(compressed.headers[.contentEncoding] == "gzip", "Accept-Encoding: \(accepted)")
                #expect(compressed.headers[.vary]?.contains("Accept-Encoding") == true)
                #expect(compressed.body.readableBytes < identity.utf8.count / 3, "\(compressed.body.readableBytes) bytes")
                #expect(try Self.inflate(compressed.body) == identity, "Accept-Encoding: \(accepted)")
                // The page's tag, weak already, still answers 304 for the compressed page.
                let tag = try #require(compressed.headers[.eTag])
                #expect(tag == plain.headers[.eTag])
            }
            for refused in ["gzip;q=0", "br", "identity", "*;q=0", "gzip;q=0, *"] {
                let response = try await get("/products?limit=40", acceptEncoding: refused)
                #expect(response.headers[.contentEncoding] == nil, "Accept-Encoding: \(refused)")
                #expect(String(buffer: response.body) == identity)
            }

            // A single product's strong tag becomes weak once the bytes are compressed, and still matches.
            let one = try await get("/products/PR00001", acceptEncoding: nil)
            let strong = try #require(one.headers[.eTag])
            #expect(one.body.readableBytes < 1024 && one.headers[.contentEncoding] == nil, "small bodies stay as they are")
            let health = try await get("/health", acceptEncoding: "gzip")
            #expect(health.headers[.contentEncoding] == nil && String(buffer: health.body).contains("ok"))
            #expect(!strong.hasPrefix("W/"))
        }
    }

    @Test func errorsAndTheOpenAPIDocumentAreReadableCompressed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(document.headers[.contentEncoding] == "gzip")
            let json = try Self.inflate(document.body)
            #expect((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["openapi"] != nil)
            let missing = try await client.execute(uri: "/nowhere", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(missing.status == .notFound && missing.headers[.contentEncoding] == nil)
            #expect(missing.headers[HTTPField.Name("X-Request-Id")!] != nil)
        }
    }
}
