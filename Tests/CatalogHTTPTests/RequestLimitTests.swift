import CatalogCore
import CatalogHTTP
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// §Errors: body limits, failed-auth slowing, per-partner upload concurrency.
@Suite struct RequestLimitTests {
    static let json: [HTTPField.Name: String] = [.contentType: "application/json"]

    /// A JSON object just over 1 MiB.
    static let oversizedJSON: ByteBuffer = {
        var buffer = ByteBuffer(string: #"{"partner_name": "acme", "padding": ""#)
        buffer.writeString(String(repeating: "x", count: 1 << 20))
        buffer.writeString(#""}"#)
        return buffer
    }()

    @Test func jsonBodiesOverOneMebibyteAre413OnEveryJSONEndpoint() async throws {
        let app = try await TestApp.make()
        let (partner, partnerKey) = try await app.createPartner("acme")
        try await app.test { client in
            for (uri, method, key) in [
                ("/partners", HTTPRequest.Method.post, app.adminKey),
                ("/partners/\(partner.partnerID)", .patch, app.adminKey),
                ("/orders", .post, partnerKey),
            ] {
                // Without a length (the body is read up to the limit) and with one (refused before reading).
                for declared in [false, true] {
                    var fields = Self.json
                    if declared { fields[.contentLength] = String(Self.oversizedJSON.readableBytes) }
                    let response = try await client.execute(uri: uri, method: method, headers: headers(key: key, fields), body: Self.oversizedJSON)
                    #expect(response.status == .contentTooLarge, "\(method) \(uri)")
                    #expect(response.errorCode == "PAYLOAD_TOO_LARGE", "\(method) \(uri)")
                    #expect(response.errorDetails["max_bytes"] as? Int == 1 << 20)
                }
            }
            // Under the limit, a body is read and judged on its content.
            let small = ByteBuffer(string: #"{"partner_name": "acme-two", "display_name": "Acme Two"}"#)
            let created = try await client.execute(uri: "/partners", method: .post, headers: headers(key: app.adminKey, Self.json), body: small)
            #expect(created.status == .created)
        }
    }

    @Test func deeplyNestedJSONIsA400() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let nested = ByteBuffer(string: String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
            let response = try await client.execute(uri: "/partners", method: .post, headers: headers(key: app.adminKey, Self.json), body: nested)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_ERROR")
        }
    }

    @Test func aMultipartBodyOfMoreThanSixteenPartsIsRefusedAtTheSeventeenth() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        try await app.test { client in
            // A million tiny fields would cost seconds of CPU if each were parsed; the parser stops at the 17th.
            var body = ByteBuffer()
            let field = "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n"
            body.writeString(String(repeating: field, count: 200_000))
            body.writeString("--\(Multipart.boundary)--\r\n")
            let response = try await client.execute(
                uri: "/feeds/upload", method: .post, headers: headers(key: key, [.contentType: Multipart.contentType]), body: body)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_ERROR")
            #expect(response.errorDetails["max_parts"] as? Int == 16)

            let seventeen = try await client.uploadMultipart(
                [.file(fileName: "a.csv", bytes: sampleCSV)] + (0..<16).map { .field("extra\($0)", "1") }, key: key)
            #expect(seventeen.errorDetails["max_parts"] as? Int == 16)
            #expect(try await client.get("/feeds", key: app.adminKey).json["count"] as? Int == 0)
        }
    }

    @Test func gzipUploadsCountTheirInflatedSizeAgainstTheLimit() async throws {
        let limit: Int64 = 2 << 20
        let app = try await TestApp.make(maxUploadBytes: limit)
        let (_, key) = try await app.createPartner("acme")
        // 64 MB of CSV in a few hundred KB: far under the limit as sent, far over it inflated.
        let bomb = Gzip.bomb(head: "sku,product_name,price\n", line: "A-1,Alpha,1.00\n", inflatedBytes: 64 << 20)
        #expect(Int64(bomb.count) < limit)
        try await app.test { client in
            let raw = try await client.uploadRaw(bomb, key: key, query: "file_name=bomb.csv.gz", extra: [.contentEncoding: "gzip"])
            let multipart = try await client.uploadMultipart([.file(fileName: "bomb.csv.gz", bytes: bomb)], key: key)
            for response in [raw, multipart] {
                #expect(response.status == .contentTooLarge)
                #expect(response.errorCode == "PAYLOAD_TOO_LARGE")
                #expect(response.errorDetails["decompressed"] as? Bool == true)
            }
            #expect(try await client.get("/feeds", key: app.adminKey).json["count"] as? Int == 0)
            // Within the limit once inflated, the same kind of file is accepted.
            let small = Gzip.bomb(head: "sku,product_name,price\n", line: "A-1,Alpha,1.00\n", inflatedBytes: 1 << 20)
            let accepted = try await client.uploadRaw(small, key: key, query: "file_name=ok.csv.gz", extra: [.contentEncoding: "gzip"])
            #expect(accepted.status == .created)
        }
        #expect(app.storedObjects.count == 1)
        #expect(app.directory.files(under: "objects/.tmp").isEmpty)
    }

    @Test func repeatedFailedAuthenticationFromOneAddressIsSlowedDown() async throws {
        let app = try await TestApp.make()
        let limits = ServerLimits(authFailuresPerMinute: 5)
        try await app.testLive(limits: limits) { client in
            for attempt in 0..<5 {
                let response = try await client.get("/feeds", key: "pck_guess\(attempt)")
                #expect(response.status == .unauthorized)
            }
            for key in ["pck_guess_more", app.adminKey] {
                let limited = try await client.get("/feeds", key: key)
                #expect(limited.status == .tooManyRequests)
                #expect(limited.errorCode == "RATE_LIMITED")
                let retryAfter = try #require(limited.headers[.retryAfter].flatMap(Int.init))
                #expect((1...60).contains(retryAfter))
            }
            // Routes that need no key are not affected.
            #expect(try await client.get("/health", key: nil).status == .ok)
        }
    }

    @Test func theFifthConcurrentUploadOfAPartnerIsRefused() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        let limits = ServerLimits(idleTimeout: .seconds(30), uploadsPerPartner: 4)
        try await app.testLive(limits: limits) { client in
            let port = try #require(client.port)
            let head = "POST /feeds/upload?file_name=slow.csv HTTP/1.1\r\nHost: localhost\r\nX-API-Key: \(key)\r\n"
                + "Content-Type: text/csv\r\nContent-Length: \(sampleCSV.count)\r\n\r\n"
            // Four uploads that have sent their head and part of their body, and wait.
            var slow: [RawConnection] = []
            for _ in 0..<4 {
                let connection = try RawConnection(port: port)
                _ = await connection.send(Array(head.utf8) + sampleCSV.prefix(10))
                slow.append(connection)
            }
            try await Task.sleep(for: .milliseconds(300))
            let fifth = try await client.uploadRaw(sampleCSV, key: key, query: "file_name=fifth.csv")
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.errorCode == "RATE_LIMITED")
            #expect(fifth.headers[.retryAfter] == String(UploadSlots.retryAfterSeconds))
            // Another partner is not held up by this one.
            let other = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=rival&file_name=r.csv")
            #expect(other.status == .created)

            _ = await slow[0].send(Array(sampleCSV.dropFirst(10)))
            #expect(await slow[0].waitForResponse()?.status == 201)
            let again = try await client.uploadRaw(sampleCSV, key: key, query: "file_name=again.csv")
            #expect(again.status == .created)
        }
    }
}
