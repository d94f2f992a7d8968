import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

/// §Feeds: `Expect: 100-continue`, which curl sends for bodies over 1 MB, is answered before the
/// body is sent: `100 Continue` when the request is acceptable, else the error at once.
@Suite struct ExpectContinueTests {
    static func head(_ target: String, key: String, contentType: String, length: Int) -> String {
        "POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: \(key)\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(length)\r\nExpect: 100-continue\r\n\r\n"
    }

    @Test func rawUploadGetsContinueBeforeItsBodyAndIsStored() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        try await app.testLive { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            try await connection.send(Self.head("/feeds/upload?file_name=f.csv", key: key, contentType: "text/csv", length: sampleCSV.count))
            let interim = try await connection.readHead()
            #expect(interim.first == "HTTP/1.1 100 Continue", "\(interim)")
            try await connection.send(sampleCSV)
            let (head, body) = try await connection.readResponse()
            #expect(head.first == "HTTP/1.1 201 Created", "\(head) \(body)")
            #expect(body.contains("\"size_bytes\":\(sampleCSV.count)"))
        }
        #expect(app.storedObjects.count == 1)
    }

    @Test func multipartUploadGetsContinueBeforeItsBody() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        let body = Array(Multipart.body([.file(fileName: "f.csv", bytes: sampleCSV)]).readableBytesView)
        try await app.testLive { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            try await connection.send(Self.head("/feeds/upload", key: key, contentType: Multipart.contentType, length: body.count))
            #expect(try await connection.readHead().first == "HTTP/1.1 100 Continue")
            try await connection.send(body)
            #expect(try await connection.readResponse().head.first == "HTTP/1.1 201 Created")
        }
    }

    /// Each refusal arrives while the body is still unsent; a server that waited for it would time out the read.
    @Test func refusedUploadsAnswerAtOnceWithoutTheBody() async throws {
        let app = try await TestApp.make(maxUploadBytes: 1_000)
        let (partner, key) = try await app.createPartner("acme")
        let (_, suspendedKey) = try await app.createPartner("gone")
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        _ = try await app.catalog.partners.setStatus(try #require(try await app.catalog.store.partner(name: "gone")).partnerID, .suspended, by: admin)
        let readerKey = try await app.createKey(.reader)
        let cases: [(head: String, status: String, code: String)] = [
            (Self.head("/feeds/upload", key: "pck_unknown", contentType: "text/csv", length: 500), "401", "UNAUTHENTICATED"),
            (Self.head("/feeds/upload", key: readerKey, contentType: "text/csv", length: 500), "403", "FORBIDDEN"),
            (Self.head("/feeds/upload", key: suspendedKey, contentType: "text/csv", length: 500), "403", "FORBIDDEN"),
            (Self.head("/feeds/upload", key: suspendedKey, contentType: Multipart.contentType, length: 500), "403", "FORBIDDEN"),
            (Self.head("/feeds/upload", key: key, contentType: "image/png", length: 500), "415", "UNSUPPORTED_MEDIA_TYPE"),
            (Self.head("/feeds/upload", key: key, contentType: "text/csv", length: 5_000), "413", "PAYLOAD_TOO_LARGE"),
            (Self.head("/feeds/upload", key: key, contentType: Multipart.contentType, length: 500_000), "413", "PAYLOAD_TOO_LARGE"),
            (Self.head("/feeds/upload?partner_name=other", key: key, contentType: "text/csv", length: 500), "403", "FORBIDDEN"),
            (Self.head("/feeds/upload?mode=sideways", key: key, contentType: "text/csv", length: 500), "400", "VALIDATION_ERROR"),
        ]
        try await app.testLive { client in
            let port = try #require(client.port)
            for refusal in cases {
                let connection = try RawHTTPConnection(port: port, timeout: 5)
                try await connection.send(refusal.head)
                let (head, body) = try await connection.readResponse()
                #expect(head.first?.hasPrefix("HTTP/1.1 \(refusal.status) ") == true, "\(refusal.head): \(head)")
                #expect(body.contains("\"code\":\"\(refusal.code)\""), "\(refusal.head): \(body)")
                #expect(!head.contains("HTTP/1.1 100 Continue"))
            }
        }
        #expect(app.storedObjects.isEmpty)
        _ = partner
    }
}
