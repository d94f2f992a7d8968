@testable import CatalogCore
import Crypto
import NIOCore
import CatalogTestSupport
import Testing

@Suite struct ConcurrentSHA256Tests {
    private static func randomBytes(_ count: Int, _ generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Random chunk sizes (empty ones included) and backlogs small enough that `update` often waits.
    @Test(arguments: [1, 100, 4096, 1 << 20])
    func matchesOneShotSHA256OverRandomChunkings(_ backlog: Int) async {
        var generator = SeededRandom(seed: UInt64(backlog))
        for round in 0..<8 {
            let bytes = Self.randomBytes(Int.random(in: 0...300_000, using: &generator), &generator)
            let hasher = ConcurrentSHA256(backlog: backlog)
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + Int.random(in: 0...(round.isMultiple(of: 2) ? 70_000 : 300), using: &generator))
                await hasher.update(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
            }
            let digest = await hasher.finalize()
            #expect(Array(digest) == Array(SHA256.hash(data: bytes)), "round \(round), \(bytes.count) bytes")
        }
    }

    @Test func emptyInputHashesToTheEmptyDigest() async {
        let hasher = ConcurrentSHA256()
        await hasher.update(ByteBuffer())
        #expect(Hex.encode(await hasher.finalize()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func cancelReleasesAWaitingProducer() async {
        let hasher = ConcurrentSHA256(backlog: 1)
        hasher.cancel()
        for _ in 0..<100 { await hasher.update(ByteBuffer(repeating: 0x61, count: 1 << 16)) }
        _ = await hasher.finalize()
    }
}
