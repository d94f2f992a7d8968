import Crypto
public typealias CryptoSHA256 = SHA256
import NIOCore
import CatalogCore

public enum Bytes {
    public static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        Hex.encode(SHA256.hash(data: Array(bytes)))
    }

    /// The body as a sequence of chunks, like a request or a file read.
    public static func chunks(_ bytes: [UInt8], size: Int = 64 * 1024) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + size, bytes.count)
                continuation.yield(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
            }
            continuation.finish()
        }
    }

    public static func collect(_ stream: ObjectReadStream) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in stream { out.append(contentsOf: chunk.readableBytesView) }
        return out
    }

    /// A products feed with `rows` generated rows.
    public static func productsCSV(rows: Int, seed: Int = 0) -> [UInt8] {
        var text = "sku,product_name,price,currency,quantity,description\n"
        for index in 0..<rows {
            text += "SKU-\(seed)-\(index),Product \(index),\(index % 500).\(index % 100),USD,\(index % 17),\"Line, with comma \(index)\"\n"
        }
        return Array(text.utf8)
    }
}
