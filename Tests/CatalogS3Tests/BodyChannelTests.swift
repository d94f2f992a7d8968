@testable import CatalogCurl
@testable import CatalogS3
import Foundation
import NIOCore
import Synchronization
import Testing

/// The hand-off from the curl thread to the reader holds a bounded amount, whatever the object's size.
@Suite struct BodyChannelTests {
    final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    static let chunk = 256 << 10

    func produce(_ chunks: Int, into channel: BodyChannel, counting pushed: Count) {
        Thread {
            for _ in 0..<chunks {
                guard channel.push(ByteBuffer(repeating: 0x41, count: Self.chunk)) else { break }
                pushed.value.add(1, ordering: .relaxed)
            }
            channel.finish(.success(CurlResponse(status: 200, headers: [:], body: ByteBuffer())))
        }.start()
    }

    @Test func aSlowReaderHoldsTheProducerBack() async throws {
        let channel = BodyChannel(limit: 1 << 20)
        let pushed = Count()
        produce(100, into: channel, counting: pushed)
        try await Task.sleep(for: .milliseconds(200))
        #expect(pushed.value.load(ordering: .relaxed) == 4)
        var total = 0
        while let chunk = try await channel.next() { total += chunk.readableBytes }
        #expect(total == 100 * Self.chunk)
    }

    @Test func aReaderThatLeavesStopsTheProducer() async throws {
        let channel = BodyChannel(limit: 1 << 20)
        let pushed = Count()
        produce(100, into: channel, counting: pushed)
        _ = try await channel.next()
        channel.readerLeft()
        guard case .ended = await channel.first() else {
            Issue.record("the producer did not finish")
            return
        }
        #expect(pushed.value.load(ordering: .relaxed) < 10)
    }
}
