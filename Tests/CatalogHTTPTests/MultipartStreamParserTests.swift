@testable import CatalogHTTP
import CatalogCore
import NIOCore
import Testing

@Suite struct MultipartStreamParserTests {
    /// Parts as (headers, body) after joining every body slice, whatever the chunking.
    func parse(_ body: [UInt8], boundary: String = Multipart.boundary, chunk: Int) throws -> [([String: String], [UInt8])] {
        var parser = MultipartStreamParser(boundary: boundary)
        var parts: [([String: String], [UInt8])] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunk)
            try parser.feed(ByteBuffer(bytes: body[offset..<end])) { event in
                switch event {
                case .partBegin(let headers): parts.append((headers, []))
                case .body(let bytes): parts[parts.count - 1].1 += Array(bytes.readableBytesView)
                case .partEnd: break
                }
            }
            offset = end
        }
        try parser.finish()
        return parts
    }

    @Test(arguments: [1, 2, 5, 17, 64, 1 << 20])
    func sameResultForAnyChunking(_ chunk: Int) throws {
        let crlfFile = Array("sku,product_name,price\r\nA,\"x\r\n--not-the-boundary\",1\r\n\r\n".utf8)
        let body = Array(Multipart.body([
            .file(fileName: "spring.csv", bytes: crlfFile), .field("partner_name", "acme"), .field("empty", ""),
        ]).readableBytesView)
        let parts = try parse(body, chunk: chunk)
        #expect(parts.count == 3)
        #expect(parts[0].0["content-disposition"] == "form-data; name=\"file\"; filename=\"spring.csv\"")
        #expect(parts[0].0["content-type"] == "application/octet-stream")
        #expect(parts[0].1 == crlfFile)
        #expect(parts[1].1 == Array("acme".utf8))
        #expect(parts[2].1 == [])
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let body = Array("ignored preamble\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--b--\r\nepilogue".utf8)
        let parts = try parse(body, boundary: "b", chunk: 3)
        #expect(parts.count == 1)
        #expect(parts[0].1 == Array("value".utf8))
    }

    @Test(arguments: [
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--b",
        "--bXX",
        "no boundary at all",
        "--b\r\nno colon here\r\n\r\nvalue\r\n--b--",
    ])
    func truncatedOrMalformedBodiesAreRejected(_ text: String) {
        #expect(throws: CatalogError.self) { _ = try parse(Array(text.utf8), boundary: "b", chunk: 4) }
    }
}
