import CatalogCore
import CatalogHTTP
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// §Operations: one structured log line per request, with the status and the request id the client got.
@Suite struct RequestLogTests {
    @Test func eachRequestLogsExactlyOneLineWithTheStatusRouteAndIDTheClientSaw() async throws {
        let app = try await TestApp.make()
        let (_, partnerKey) = try await app.createPartner("acme")
        let capture = LogCapture()
        struct Seen: Sendable { var id: String; var status: Int; var route: String; var method: String; var partner: String? }
        let collected = Mutex<[Seen]>([])
        try await app.test(logger: capture.logger("partner-catalog")) { client in
            func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, id: String? = nil, body: [UInt8]? = nil,
                      route: String, partner: String? = nil, expect status: Int) async throws {
                var extra: [HTTPField.Name: String] = [:]
                if let id { extra[HTTPField.Name("X-Request-Id")!] = id }
                if body != nil { extra[.contentType] = uri.hasPrefix("/feeds") ? "text/csv" : "application/json" }
                let response = try await client.execute(
                    uri: uri, method: method, headers: headers(key: key, extra), body: body.map { ByteBuffer(bytes: $0) })
                #expect(response.status.code == status, "\(method) \(uri)")
                let header = try #require(response.headers[HTTPField.Name("X-Request-Id")!])
                if let id { #expect(header == id) }
                let seen = Seen(id: header, status: status, route: route, method: method.rawValue, partner: partner)
                collected.withLock { $0.append(seen) }
            }
            try await call(.get, "/health", key: nil, id: "client-chosen-id-1", route: "/health", expect: 200)
            try await call(.get, "/health", key: nil, route: "/health", expect: 200)
            try await call(.get, "/products", key: nil, route: "/products", expect: 401)
            try await call(.get, "/products", key: "not-a-key", route: "/products", expect: 401)
            try await call(.get, "/feeds/FD99999", key: partnerKey, route: "/feeds/{feed_id}", partner: "acme", expect: 404)
            try await call(.get, "/analytics/sales-by-partner?from=nope", key: partnerKey,
                           route: "/analytics/sales-by-partner", partner: "acme", expect: 400)
            try await call(.get, "/no/such/route", key: nil, route: "NotFound", expect: 404)
            try await call(.delete, "/health", key: nil, route: "NotFound", expect: 404)
            try await call(.post, "/feeds/upload?file_name=a.csv", key: partnerKey, id: "upload-1", body: sampleCSV,
                           route: "/feeds/upload", partner: "acme", expect: 201)
            try await call(.post, "/partners", key: app.adminKey, body: Array("{".utf8), route: "/partners", expect: 400)
        }
        let seen = collected.withLock { $0 }

        let lines = capture.records("request")
        #expect(lines.count == seen.count, "\(capture.text)")
        for expected in seen {
            let matching = lines.filter { $0["request_id"] as? String == expected.id }
            #expect(matching.count == 1, "\(expected.method) \(expected.route): \(matching)")
            guard let line = matching.first else { continue }
            #expect(line["status"] as? Int == expected.status, "\(line)")
            #expect(line["route"] as? String == expected.route)
            #expect(line["method"] as? String == expected.method)
            #expect(line["partner"] as? String == expected.partner)
            #expect(line["level"] as? String == "info")
            #expect(line["logger"] as? String == "partner-catalog")
            #expect((line["duration_ms"] as? Double).map { $0 >= 0 } == true, "duration_ms is a number")
            #expect(line["hb.request.id"] == nil, "one id per request, the client's")
        }
        #expect(lines.first { $0["request_id"] as? String == "client-chosen-id-1" }?["path"] as? String == "/health")
        // The upload's queued job is logged under the same request id.
        let queued = try #require(capture.records("job queued").first)
        #expect(queued["request_id"] as? String == "upload-1")
        #expect(queued["partner"] as? String == "acme" && (queued["job_id"] as? String)?.hasPrefix("JV") == true)
    }

    @Test func aServerErrorIsLoggedAtErrorWithTheStatusTheClientGot() async throws {
        let app = try await TestApp.make { FailingObjectStore(base: $0, failure: .onOpen) }
        let capture = LogCapture()
        try await app.test(logger: capture.logger(level: .info)) { client in
            let response = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme&file_name=a.csv")
            #expect(response.status == .serviceUnavailable)
            let id = response.headers[HTTPField.Name("X-Request-Id")!]
            let line = try #require(capture.records("request").first)
            #expect(capture.records("request").count == 1)
            #expect(line["status"] as? Int == 503)
            #expect(line["level"] as? String == "error")
            #expect(line["request_id"] as? String == id)
        }
    }

    @Test func requestLinesFollowTheLevel() async throws {
        let app = try await TestApp.make()
        let capture = LogCapture()
        try await app.test(logger: capture.logger(level: .warning)) { client in
            _ = try await client.get("/health", key: nil)
            _ = try await client.get("/products", key: nil)
        }
        #expect(capture.records.isEmpty, "info lines are below warning: \(capture.text)")
    }
}
