import CatalogCore
import NIOCore

/// Behaviour every `ObjectStore` adapter must have; each adapter's tests call these with a fresh store.
public enum ObjectStoreContract {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(message()) }
    }

    public static func write(_ store: any ObjectStore, key: String, bytes: [UInt8], chunk: Int = 64 * 1024) async throws -> ObjectMetadata {
        let writer = try await store.makeWriter(key: key, contentType: "text/csv")
        for try await piece in Bytes.chunks(bytes, size: chunk) { try await writer.write(piece) }
        return try await writer.commit(sha256: Bytes.sha256(bytes))
    }

    public static func putThenRead(_ store: any ObjectStore) async throws {
        let bytes = Array("sku,product_name,price\nA,Alpha,1.00\n".utf8)
        let metadata = try await write(store, key: "raw/partners/p/feeds/FD00001/a.csv", bytes: bytes)
        try check(metadata.sizeBytes == Int64(bytes.count), "size \(metadata.sizeBytes)")
        let read = try await Bytes.collect(try await store.read(key: "raw/partners/p/feeds/FD00001/a.csv"))
        try check(read == bytes, "read back differs")
        let head = try await store.metadata(key: "raw/partners/p/feeds/FD00001/a.csv")
        try check(head?.sizeBytes == Int64(bytes.count), "metadata size \(String(describing: head))")
    }

    public static func overwriteIsRefused(_ store: any ObjectStore) async throws {
        let key = "raw/partners/p/feeds/FD00002/b.csv"
        _ = try await write(store, key: key, bytes: Array("first".utf8))
        do {
            _ = try await write(store, key: key, bytes: Array("second".utf8))
            throw Failure("second write to the same key succeeded")
        } catch ObjectStoreError.alreadyExists {}
        let read = try await Bytes.collect(try await store.read(key: key))
        try check(read == Array("first".utf8), "the first object was replaced")
    }

    public static func abortLeavesNothing(_ store: any ObjectStore) async throws {
        let key = "raw/partners/p/feeds/FD00003/c.csv"
        let writer = try await store.makeWriter(key: key, contentType: "text/csv")
        try await writer.write(ByteBuffer(string: "partial"))
        await writer.abort()
        try check(try await store.metadata(key: key) == nil, "aborted object is visible")
        do {
            _ = try await store.read(key: key)
            throw Failure("aborted object can be read")
        } catch ObjectStoreError.notFound {}
    }

    public static func uncommittedIsInvisible(_ store: any ObjectStore) async throws {
        let key = "raw/partners/p/feeds/FD00004/d.csv"
        let writer = try await store.makeWriter(key: key, contentType: "text/csv")
        try await writer.write(ByteBuffer(string: "in flight"))
        try check(try await store.metadata(key: key) == nil, "object visible before commit")
        _ = try await writer.commit(sha256: Bytes.sha256(Array("in flight".utf8)))
        try check(try await store.metadata(key: key) != nil, "object missing after commit")
    }

    public static func missingKeyIsNotFound(_ store: any ObjectStore) async throws {
        try check(try await store.metadata(key: "raw/none/here.csv") == nil, "metadata of a missing key")
        do {
            _ = try await store.read(key: "raw/none/here.csv")
            throw Failure("reading a missing key succeeded")
        } catch ObjectStoreError.notFound {}
    }

    /// A large object streams through in both directions without being held whole.
    public static func largeObjectStreams(_ store: any ObjectStore, megabytes: Int) async throws {
        let key = "raw/partners/p/feeds/FD00005/big.csv"
        let block = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let writer = try await store.makeWriter(key: key, contentType: "text/csv")
        var hasher = IncrementalSHA256()
        for _ in 0..<megabytes {
            hasher.update(block)
            try await writer.write(ByteBuffer(bytes: block))
        }
        let digest = hasher.finalize()
        _ = try await writer.commit(sha256: digest)
        var readHasher = IncrementalSHA256()
        var total = 0
        var largestChunk = 0
        for try await chunk in try await store.read(key: key) {
            total += chunk.readableBytes
            largestChunk = max(largestChunk, chunk.readableBytes)
            readHasher.update(Array(chunk.readableBytesView))
        }
        try check(total == megabytes << 20, "read \(total) bytes")
        try check(readHasher.finalize() == digest, "digest differs")
        try check(largestChunk <= 16 << 20, "a read chunk of \(largestChunk) bytes: not streaming")
    }

    public static func keysWithTraversalAreRefused(_ store: any ObjectStore) async throws {
        for key in ["../outside.csv", "raw/../../x", "/etc/passwd", "raw//x"] {
            do {
                _ = try await store.makeWriter(key: key, contentType: "text/csv")
                throw Failure("key \(key) accepted")
            } catch is ObjectStoreError {}
        }
    }
}

extension ObjectStoreContract {
    /// Bytes that differ from one position to the next, so a misplaced part shows.
    static func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: (($0 &+ seed) &* 2_654_435_761) >> 13) }
    }

    /// An object larger than an adapter sends in one request (S3: one part) round-trips exactly,
    /// written in chunks that do not line up with any part size.
    public static func aboveThresholdRoundTrip(_ store: any ObjectStore, bytes count: Int) async throws {
        let key = "raw/partners/p/feeds/FD00006/large.csv"
        let bytes = pattern(count)
        let metadata = try await write(store, key: key, bytes: bytes, chunk: 100_003)
        try check(metadata.sizeBytes == Int64(count), "commit reported \(metadata.sizeBytes) bytes")
        let read = try await Bytes.collect(try await store.read(key: key))
        try check(read.count == count, "read \(read.count) bytes of \(count)")
        try check(read == bytes, "read back differs")
        let head = try await store.metadata(key: key)
        try check(head?.sizeBytes == Int64(count), "metadata size \(String(describing: head))")
        if let sha256 = head?.sha256 { try check(sha256 == Bytes.sha256(bytes), "metadata sha256 \(sha256)") }
    }

    public static func aboveThresholdOverwriteIsRefused(_ store: any ObjectStore, bytes count: Int) async throws {
        let key = "raw/partners/p/feeds/FD00007/large.csv"
        let first = pattern(count)
        _ = try await write(store, key: key, bytes: first, chunk: 1 << 20)
        do {
            _ = try await write(store, key: key, bytes: pattern(count, seed: 1), chunk: 1 << 20)
            throw Failure("second large write to the same key succeeded")
        } catch ObjectStoreError.alreadyExists {}
        try check(try await Bytes.collect(try await store.read(key: key)) == first, "the first large object was replaced")
    }

    public static func aboveThresholdAbortLeavesNothing(_ store: any ObjectStore, bytes count: Int) async throws {
        let key = "raw/partners/p/feeds/FD00008/large.csv"
        let writer = try await store.makeWriter(key: key, contentType: "text/csv")
        for try await piece in Bytes.chunks(pattern(count), size: 1 << 20) { try await writer.write(piece) }
        await writer.abort()
        try check(try await store.metadata(key: key) == nil, "aborted large object is visible")
    }

    public static func emptyObject(_ store: any ObjectStore) async throws {
        let key = "raw/partners/p/feeds/FD00009/empty.csv"
        let metadata = try await write(store, key: key, bytes: [])
        try check(metadata.sizeBytes == 0, "size \(metadata.sizeBytes)")
        try check(try await Bytes.collect(try await store.read(key: key)).isEmpty, "empty object read back non-empty")
        try check(try await store.metadata(key: key)?.sizeBytes == 0, "empty object metadata")
    }
}

public struct IncrementalSHA256 {
    private var hasher = CryptoSHA256()
    public init() {}
    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    public mutating func finalize() -> String { Hex.encode(hasher.finalize()) }
}
