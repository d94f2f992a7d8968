@testable import CatalogCore
import CatalogTestSupport
import CZlib
import Foundation
import NIOCore
import Testing

@Suite struct FeedColumnsTests {
    @Test func headerNamesAreTrimmedCaseInsensitiveWithAliases() throws {
        try FeedColumns.check(header: [" SKU ", "Title", "PRICE", "colour"], for: .products)
        try FeedColumns.check(header: ["Order_ID", "sku", "Quantity", "unit_price", "ordered_at", "currency"], for: .orders)
    }

    @Test func reportsMissingAndDuplicateColumnsTogether() {
        do {
            try FeedColumns.check(header: ["sku", "Sku", "name"], for: .products)
            Issue.record("accepted")
        } catch let error as CatalogError {
            #expect(error.code == .invalidFeed)
            #expect(error.details["missing_columns"] == .strings(["price"]))
            #expect(error.details["duplicate_columns"] == .strings(["sku", "Sku"]))
        } catch {
            Issue.record("\(error)")
        }
    }
}

@Suite struct FeedContentInspectorTests {
    func inspect(_ bytes: [UInt8], feedType: FeedType = .products, chunk: Int) throws -> [String] {
        var inspector = FeedContentInspector(feedType: feedType)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try inspector.consume(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        return try inspector.finish()
    }

    @Test(arguments: [1, 2, 3, 7, 4096])
    func findsTheHeaderWhateverTheChunking(_ chunk: Int) throws {
        let quoted = Array("\u{FEFF}\r\n\"sku\",\"product_name\",\"price\"\r\nA,\"x\ny\",1\r\n".utf8)
        #expect(try inspect(quoted, chunk: chunk) == ["sku", "product_name", "price"])
        let plain = Array("\u{FEFF}sku,name,price\r\nA,Alpha,1\r\n".utf8)
        #expect(try inspect(plain, chunk: chunk) == ["sku", "name", "price"])
        let gzipped = try gzip(plain)
        #expect(try inspect(gzipped, chunk: chunk) == ["sku", "name", "price"])
    }

    @Test func headerOnlyWithoutNewlineIsAFeed() throws {
        #expect(try inspect(Array("sku,product_name,price".utf8), chunk: 5) == ["sku", "product_name", "price"])
    }

    @Test func invalidUTF8AfterTheHeaderIsRejected() {
        var bytes = Array("sku,product_name,price\n".utf8)
        bytes += Array(repeating: UInt8(ascii: "a"), count: 100_000) + [0xC3, 0x28] + Array("\n".utf8)
        #expect(throws: CatalogError.self) { try inspect(bytes, chunk: 8192) }
    }

    @Test func concatenatedGzipMembersAreOneStream() throws {
        let first = try gzip(Array("sku,product_name,price\n".utf8))
        let second = try gzip(Array("A,Alpha,1\n".utf8))
        let inflater = GzipInflater()
        var out: [UInt8] = []
        try (first + second).withUnsafeBytes { try inflater.inflate($0) { out += $0 } }
        try inflater.finish()
        #expect(String(decoding: out, as: UTF8.self) == "sku,product_name,price\nA,Alpha,1\n")
    }

    @Test func truncatedGzipIsDetected() throws {
        let whole = try gzip(Bytes64k.text)
        let inflater = GzipInflater()
        try whole.dropLast(10).withUnsafeBytes { try inflater.inflate(UnsafeRawBufferPointer($0)) { _ in } }
        #expect(throws: GzipInflater.Failure.truncated) { try inflater.finish() }
    }

    @Test func largeGzipStreamsInflateExactly() throws {
        let text = Bytes64k.text + Bytes64k.text + Bytes64k.text
        let compressed = try gzip(text)
        let inflater = GzipInflater()
        var out: [UInt8] = []
        var offset = 0
        while offset < compressed.count {
            let end = min(compressed.count, offset + 997)
            try compressed[offset..<end].withUnsafeBytes { try inflater.inflate($0) { out += $0 } }
            offset = end
        }
        try inflater.finish()
        #expect(out == text)
    }

    @Test func aGzipBodyIsStoppedAsSoonAsItInflatesPastTheLimit() throws {
        let limit: Int64 = 4 << 20
        // 256 MB of valid CSV in well under 1 MB.
        let bomb = Gzip.bomb(head: "sku,product_name,price\n", line: "A-1,Alpha,1.00\n", inflatedBytes: 256 << 20)
        #expect(bomb.count < 1 << 20)
        var inspector = FeedContentInspector(feedType: .products, maxDecodedBytes: limit)
        var offset = 0
        var caught: CatalogError?
        while offset < bomb.count, caught == nil {
            let end = min(bomb.count, offset + 16 * 1024)
            do { try inspector.consume(ByteBuffer(bytes: bomb[offset..<end])) } catch let error as CatalogError { caught = error }
            offset = end
        }
        let error = try #require(caught)
        #expect(error.code == .payloadTooLarge)
        #expect(error.details["decompressed"] == .bool(true))
        #expect(error.details["max_bytes"] == .int(limit))
        // Stopped within one inflate buffer of the limit, the rest of the body never read.
        #expect(inspector.decodedBytes <= limit + 64 * 1024)
        #expect(offset < bomb.count)
    }

    @Test func aGzipBodyWithinTheLimitPasses() throws {
        let text = Array("sku,product_name,price\n".utf8) + Bytes64k.text
        var inspector = FeedContentInspector(feedType: .products, maxDecodedBytes: Int64(text.count))
        try inspector.consume(ByteBuffer(bytes: Gzip.compress(text)))
        _ = try inspector.finish()
        #expect(inspector.decodedBytes == Int64(text.count))
    }

    func gzip(_ input: [UInt8]) throws -> [UInt8] { Gzip.compress(input) }
}

enum Bytes64k {
    static let text: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for index in 0..<4000 {
            bytes += Array("SKU-\(index),Product \(UInt32.random(in: 0...999_999, using: &generator)),\(index).99\n".utf8)
        }
        return bytes
    }()
}
