import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// An SSE client over a raw socket: events and comments as they arrive.
final class ChangeStreamClient: @unchecked Sendable {
    struct Event {
        var id: String
        var event: String
        var data: String
    }

    let connection: RawHTTPConnection
    private var text = ""
    private(set) var comments: [String] = []
    private(set) var ended = false

    init(port: Int, key: String, lastEventID: String? = nil, query: String = "", timeout: TimeInterval = 10) async throws {
        connection = try RawHTTPConnection(port: port, timeout: timeout)
        var head = "GET /products/changes\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: \(key)\r\nAccept: text/event-stream\r\n"
        if let lastEventID { head += "Last-Event-ID: \(lastEventID)\r\n" }
        try await connection.send(head + "\r\n")
        let response = try await connection.readHead()
        guard response.first == "HTTP/1.1 200 OK" else { throw RawHTTPConnection.Failure(description: "\(response)") }
    }

    /// The next event (comments are collected on the way); nil when the stream ended.
    func next() async throws -> Event? {
        while true {
            if let range = text.range(of: "\n\n") {
                let block = String(text[..<range.lowerBound])
                text.removeSubrange(..<range.upperBound)
                var event = Event(id: "", event: "", data: "")
                var isEvent = false
                for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix(":") { comments.append(String(line.dropFirst().trimmingCharacters(in: .whitespaces))); continue }
                    isEvent = true
                    if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { event.data += String(line.dropFirst(6)) }
                }
                if isEvent { return event }
                continue
            }
            guard let chunk = try await connection.readChunk() else {
                ended = true
                return nil
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// Reads raw chunks until `count` product events arrived or the stream ended, without parsing them
    /// (as fast as a client can read); returns how many arrived, the last event's id and the last chunk's text.
    func countEvents(_ count: Int) async throws -> (count: Int, lastID: String?, tail: String) {
        let marker = Array("event: product\n".utf8)
        var seen = 0
        var carry: [UInt8] = []
        var tail = ""
        var lastID: String?
        while seen < count, let chunk = try await connection.readChunk() {
            let bytes = carry + chunk
            var index = 0
            while index + marker.count <= bytes.count {
                if bytes[index] == marker[0], Array(bytes[index..<(index + marker.count)]) == marker {
                    seen += 1
                    index += marker.count
                } else {
                    index += 1
                }
            }
            carry = Array(bytes.suffix(marker.count - 1))
            tail = String(decoding: chunk.suffix(4000), as: UTF8.self)
            // Chunks hold whole events: the last `id:` line of a chunk is its last event's.
            if let line = tail.components(separatedBy: "\n").last(where: { $0.hasPrefix("id: ") }) { lastID = String(line.dropFirst(4)) }
        }
        if seen < count { ended = true }
        return (seen, lastID, tail)
    }

    func events(_ count: Int) async throws -> [Event] {
        var events: [Event] = []
        while events.count < count, let event = try await next() { events.append(event) }
        return events
    }
}

/// §Products "Product changes", live: `Accept: text/event-stream`.
@Suite struct ProductChangeStreamTests {
    /// Uploads and runs a feed in-process (no HTTP client timeout, however busy the machine).
    static func load(_ app: TestApp, _ csv: String, partner: String) async throws {
        let admin = Principal(keyID: "test", role: .admin, partner: nil)
        let feed = try await app.catalog.uploads.upload(
            UploadRequest(partnerName: partner, fileName: "f.csv"), by: admin, body: Bytes.chunks(Array(csv.utf8))).feed
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let job = try await app.catalog.runs.waitForFinish(feed.validationJobID, timeout: 300)
        guard job.status == .completed else { throw ReadPathTestError(description: "job \(job.jobID) \(job.status)") }
    }

    static func csv(_ rows: Range<Int>, price: String = "1.00") -> String {
        "sku,product_name,price\n" + rows.map { "S-\($0),Product \($0),\(price)" }.joined(separator: "\n") + "\n"
    }

    @Test(arguments: StoreKind.allCases)
    func aStreamGetsEachJobsChangesInOrderAndResumesWithLastEventID(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let (_, key) = try await app.createPartner("acme")
        _ = try await app.createPartner("rival")
        let worker = app.worker()
        let running = Task { await worker.run() }
        defer { running.cancel() }
        try await app.testLive { client in
            let port = try #require(client.port)
            try await Self.load(app, Self.csv(0..<3), partner: "acme")
            // The backlog first, then what comes live; another partner's changes never show.
            let stream = try await ChangeStreamClient(port: port, key: key, query: "?since=0")
            let backlog = try await stream.events(3)
            #expect(backlog.map { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] }.compactMap { $0?["sku"] as? String }
                    == ["S-0", "S-1", "S-2"])
            #expect(backlog.allSatisfy { $0.event == "product" && !$0.id.isEmpty })
            #expect(stream.comments.first == "stream open")
            try await Self.load(app, Self.csv(0..<1), partner: "rival")
            try await Self.load(app, Self.csv(3..<6), partner: "acme")
            let live = try await stream.events(3)
            #expect(live.map { ($0.data.contains("\"sku\":\"S-3\""), $0.data.contains("\"partner_name\":\"acme\"")) }.first! == (true, true))
            let ids = (backlog + live).map(\.id)
            #expect(ids == ids.sorted { (try! ChangeToken.decode($0)) < (try! ChangeToken.decode($1)) } && Set(ids).count == 6)

            // Dropped after the third; resumed from it: exactly what was missed, then live again.
            let resumeFrom = backlog[2].id
            try await Self.load(app, Self.csv(1..<2, price: "9.00"), partner: "acme")
            let resumed = try await ChangeStreamClient(port: port, key: key, lastEventID: resumeFrom)
            let missed = try await resumed.events(4)
            let skus = missed.map { event -> String in
                let json = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
                return json?["sku"] as? String ?? "?"
            }
            #expect(skus == ["S-3", "S-4", "S-5", "S-1"], "the changes after S-2, S-1 at its latest change")
        }
    }

    @Test func idleStreamsArePinged() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        try await app.testLive(pingInterval: .milliseconds(100)) { client in
            let stream = try await ChangeStreamClient(port: try #require(client.port), key: key, timeout: 5)
            let connection = stream.connection
            var pings = 0
            for _ in 0..<3 {
                guard let chunk = try await connection.readChunk() else { break }
                if String(decoding: chunk, as: UTF8.self).contains(": ping") { pings += 1 }
            }
            #expect(pings >= 2)
        }
    }

    /// A client that stops reading is disconnected once it is too far behind; the others get everything.
    @Test func aClientThatStopsReadingIsDroppedWhileOthersCarryOn() async throws {
        let app = try await TestApp.make()
        let (_, key) = try await app.createPartner("acme")
        let worker = app.worker()
        let running = Task { await worker.run() }
        defer { running.cancel() }
        let total = 40_000
        try await app.testLive { client in
            let port = try #require(client.port)
            let stalled = try await ChangeStreamClient(port: port, key: key, timeout: 120)
            let reader = try await ChangeStreamClient(port: port, key: key, timeout: 120)
            // The reader reads as fast as it can; should a loaded machine make even it fall behind, it is
            // dropped too and resumes from its last id: all the events arrive, none twice.
            let reading = Task { () -> (Int, String) in
                var (got, last, tail) = try await reader.countEvents(total)
                while got < total {
                    let resumed = try await ChangeStreamClient(port: port, key: key, lastEventID: last, timeout: 120)
                    let more = try await resumed.countEvents(total - got)
                    (got, last, tail) = (got + more.count, more.lastID ?? last, more.tail)
                }
                return (got, tail)
            }
            try await Self.load(app, Self.csv(0..<total), partner: "acme")
            let (received, tail) = try await reading.value
            #expect(received == total)
            #expect(tail.contains("\"sku\":\"S-\(total - 1)\""))
            // The stalled client, reading at last: what was buffered for it, then the end of the stream.
            var got = 0
            while try await stalled.next() != nil { got += 1 }
            #expect(stalled.ended && got < total, "the stalled stream got \(got) of \(total) and was ended")
        }
    }
}
