import CatalogCore
import CatalogHTTP
import CatalogTestSupport
import Foundation
import Testing

/// §Products "Product changes": one node's live streams, a thousand at once.
@Suite struct ProductChangeFanOutTests {
    /// One SSE stream over a non-blocking socket: its response head, then its chunked body, de-chunked.
    final class Stream {
        let connection: RawConnection
        private var consumed = 0
        private var headEnd: Int?
        private(set) var body: [UInt8] = []
        private(set) var products = 0
        private(set) var doneAt: ContinuousClock.Instant?

        init(port: Int, key: String) async throws {
            connection = try RawConnection(port: port)
            let head = "GET /products/changes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: \(key)\r\nAccept: text/event-stream\r\n\r\n"
            guard await connection.send(head) else { throw ReadPathTestError(description: "the server closed a stream at once") }
        }

        var isOpen: Bool { body.starts(with: Array(": stream open\n\n".utf8)) }

        /// Reads what arrived; notes when the `expected`-th product event came.
        func read(expected: Int) {
            connection.drain()
            let bytes = connection.received
            if headEnd == nil, let end = Self.find([13, 10, 13, 10], in: bytes, from: 0) {
                headEnd = end + 4
                consumed = end + 4
            }
            guard headEnd != nil else { return }
            let before = body.count
            // Whole chunks only: "<hex size>\r\n<data>\r\n".
            while let lineEnd = Self.find([13, 10], in: bytes, from: consumed) {
                guard let size = Int(String(decoding: bytes[consumed..<lineEnd], as: UTF8.self), radix: 16) else { break }
                let start = lineEnd + 2
                guard size > 0, bytes.count >= start + size + 2 else { break }
                body += bytes[start..<(start + size)]
                consumed = start + size + 2
            }
            // Count from a few bytes back: an event's marker may straddle two reads.
            let marker = Array("\nevent: product\n".utf8)
            var index = max(0, before - marker.count + 1)
            while let found = Self.find(marker, in: body, from: index) {
                if found + marker.count > before { products += 1 }
                index = found + marker.count
            }
            if products >= expected, doneAt == nil { doneAt = .now }
        }

        /// The id and the SKU of each product event, in order.
        var events: [(id: String, sku: String)] {
            String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").compactMap { block in
                let lines = block.split(separator: "\n")
                guard lines.contains("event: product"),
                      let id = lines.first(where: { $0.hasPrefix("id: ") })?.dropFirst(4),
                      let data = lines.first(where: { $0.hasPrefix("data: ") }),
                      let sku = data.range(of: "\"sku\":\"").map({ data[$0.upperBound...].prefix { $0 != "\"" } })
                else { return nil }
                return (String(id), String(sku))
            }
        }

        static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
            start < bytes.count ? bytes[start...].firstRange(of: needle)?.lowerBound : nil
        }
    }

    @Test func aThousandStreamsEachReceiveAJobsChangesInOrder() async throws {
        // Both ends of 1,000 connections live in this process: twice as many descriptors as a 1,024 soft limit allows.
        var files = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        files.rlim_cur = files.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        _ = try await app.createPartner("rival")
        let worker = app.worker()
        let running = Task { await worker.run() }
        defer { running.cancel() }
        let clients = 1_000, products = 50
        // Pings every second: a stream whose client has gone ends at its next write, so the server stops in time.
        try await app.testLive(limits: ServerLimits(maxConnections: 2 * clients), pingInterval: .seconds(1)) { client in
            let port = try #require(client.port)
            var streams: [Stream] = []
            for _ in 0..<clients { streams.append(try await Stream(port: port, key: key)) }
            let opening = ContinuousClock.now
            while !streams.allSatisfy(\.isOpen), ContinuousClock.now - opening < .seconds(120) {
                for stream in streams where !stream.isOpen { stream.read(expected: products) }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(streams.filter(\.isOpen).count == clients, "streams open")

            // Another partner's job first: acme's streams never show it.
            try await ProductChangeStreamTests.load(app, ProductChangeStreamTests.csv(0..<5), partner: "rival")
            try await ProductChangeStreamTests.load(app, ProductChangeStreamTests.csv(0..<products), partner: "acme")
            let finished = ContinuousClock.now
            while streams.contains(where: { $0.doneAt == nil }), ContinuousClock.now - finished < .seconds(60) {
                for stream in streams where stream.doneAt == nil { stream.read(expected: products) }
                try await Task.sleep(for: .milliseconds(5))
            }
            for stream in streams { stream.read(expected: products) }

            let expectedSKUs = (0..<products).map { "S-\($0)" }
            let complete = streams.filter { stream in
                let events = stream.events
                let ids = events.compactMap { try? ChangeToken.decode($0.id) }
                return events.map(\.sku) == expectedSKUs && ids.count == products && zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }
            }
            #expect(complete.count == clients, "streams with acme's \(products) changes exactly, in order")
            let slowest = streams.compactMap(\.doneAt).max().map { $0 - finished }
            print("ProductChangeFanOutTests: \(streams.filter { $0.doneAt != nil }.count) of \(clients) streams had the job's \(products) changes, the last \(slowest.map { "\($0)" } ?? "never") after it finished")
            // The 1 s of §Products is measured by bench/events.sh; this process shares two cores with the
            // whole suite, and its own polling task can sleep for seconds.
            #expect(slowest.map { $0 < .seconds(20) } == true)
        }
    }
}
