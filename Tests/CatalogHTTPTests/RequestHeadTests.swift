import CatalogHTTP
import CatalogTestSupport
import Foundation
import Testing

/// §Errors: request heads refused before routing get the envelope and an `X-Request-Id` as well.
@Suite struct RequestHeadTests {
    static let limits = ServerLimits(idleTimeout: .seconds(10))

    /// Sends `bytes` and ends the sending side, unless `keepSending` (then the server closes after its linger time).
    func send(_ bytes: [UInt8], to port: Int, keepSending: Bool = false) async throws -> RawResponse {
        let connection = try RawConnection(port: port)
        _ = await connection.send(bytes)
        if !keepSending { connection.finishSending() }
        let response = try #require(await connection.waitForResponse(), "no response")
        #expect(await connection.waitForClose(timeout: .seconds(5)) != nil, "the connection stays open")
        return response
    }

    static func head(_ extraHeaders: String) -> [UInt8] {
        Array("GET /health HTTP/1.1\r\nHost: localhost\r\n\(extraHeaders)\r\n".utf8)
    }

    func expectEnvelope(_ response: RawResponse, status: Int, code: String) {
        #expect(response.status == status)
        #expect(response.errorCode == code, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(response.headers["x-request-id"]?.isEmpty == false)
        #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
    }

    @Test func headersOverEightyKilobytesAre431() async throws {
        let app = try await TestApp.make()
        try await app.testLive(limits: Self.limits) { client in
            let port = try #require(client.port)
            let oneLargeField = Self.head("X-Large: \(String(repeating: "a", count: 100 * 1024))\r\n")
            expectEnvelope(try await send(oneLargeField, to: port), status: 431, code: "HEADERS_TOO_LARGE")
            let manySmallFields = Self.head((0..<1200).map { "X-Field-\($0): \(String(repeating: "b", count: 80))\r\n" }.joined())
            expectEnvelope(try await send(manySmallFields, to: port), status: 431, code: "HEADERS_TOO_LARGE")
        }
    }

    @Test func tenThousandHeadersAre431() async throws {
        let app = try await TestApp.make()
        try await app.testLive(limits: Self.limits) { client in
            let response = try await send(
                Self.head((0..<10_000).map { "X-\($0): 1\r\n" }.joined()), to: try #require(client.port), keepSending: true)
            expectEnvelope(response, status: 431, code: "HEADERS_TOO_LARGE")
        }
    }

    @Test func invalidBytesInTheRequestLineAre400() async throws {
        let app = try await TestApp.make()
        try await app.testLive(limits: Self.limits) { client in
            let port = try #require(client.port)
            for line in [
                Array("GET /he\u{01}alth HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8),
                [0x47, 0x45, 0x54, 0x20, 0x2F, 0xFF, 0xFE, 0x20] + Array("HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8),
                Array("G\u{7F}T /health HTTP/1.1\r\n\r\n".utf8),
                Array("GET /health HTTP/9.Z\r\n\r\n".utf8),
            ] {
                let response = try await send(line, to: port)
                expectEnvelope(response, status: 400, code: "VALIDATION_ERROR")
                #expect(((response.json["error"] as? [String: Any])?["details"] as? [String: Any])?["parameter"] as? String == "request")
            }
        }
    }

    @Test func aMalformedRequestAfterAGoodOneOnTheSameConnectionGetsTheEnvelopeAfterTheFirstAnswer() async throws {
        let app = try await TestApp.make()
        try await app.testLive(limits: Self.limits) { client in
            let connection = try RawConnection(port: try #require(client.port))
            // Pipelined: both requests in one write; the second has a control byte in its path.
            _ = await connection.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /\u{01} HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let first = try #require(await connection.waitForResponse())
            #expect(first.status == 200)
            connection.consume(first.length)
            let second = try #require(await connection.waitForResponse())
            expectEnvelope(second, status: 400, code: "VALIDATION_ERROR")
        }
    }

    @Test func aGoodRequestStillWorksAndNormalHeadersPass() async throws {
        let app = try await TestApp.make()
        try await app.testLive(limits: Self.limits) { client in
            let connection = try RawConnection(port: try #require(client.port))
            _ = await connection.send(Self.head((0..<100).map { "X-\($0): \(String(repeating: "c", count: 500))\r\n" }.joined()))
            #expect(await connection.waitForResponse()?.status == 200)
        }
    }
}
