import CatalogCore
import CatalogCurl
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// §Webhooks delivery against a real receiver on loopback, through the real libcurl client.
@Suite struct WebhookDeliveryTests {
    static let http = CurlHTTPClient(threads: 2)

    static func deliveryWorker(_ app: TestApp, allowPrivateTargets: Bool = true) -> TaskWorker {
        var logger = Logger(label: "test-webhooks")
        logger.logLevel = .critical
        var settings = TaskWorker.Settings()
        settings.pollInterval = 0.01
        let handler = WebhookDeliveryHandler(
            store: app.catalog.store, http: http, clock: app.catalog.clock, allowPrivateTargets: allowPrivateTargets, logger: logger)
        return TaskWorker(queue: app.catalog.store, handlers: [handler], clock: app.catalog.clock, owner: "deliverer", settings: settings,
                          wake: app.catalog.events.queued, logger: logger)
    }

    static func register(_ client: any TestClientProtocol, url: String, events: String = #"["job.completed"]"#, key: String) async throws -> (String, String) {
        let response = try await WebhookRouteTests.post(client, "/webhooks", #"{"url": "\#(url)", "events": \#(events)}"#, key: key)
        guard response.status == .created, let id = response.json["webhook_id"] as? String, let secret = response.json["secret"] as? String else {
            throw ReadPathTestError(description: "webhook: \(String(buffer: response.body))")
        }
        return (id, secret)
    }

    static func deliveries(_ client: any TestClientProtocol, _ id: String, key: String) async throws -> [[String: Any]] {
        try await client.get("/webhooks/\(id)/deliveries", key: key).items
    }

    @Test(arguments: StoreKind.allCases)
    func aCompletedJobIsDeliveredSignedToThePartnersReceiver(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await app.testWithWorker { client in
                let (id, secret) = try await Self.register(client, url: url, key: key)
                let job = try await client.load("sku,product_name,price\nA,Alpha,1.00\n", key: key)
                #expect(try await Self.deliveryWorker(app).runOnce())
                let got = try #require(receiver.received.first)
                #expect(receiver.received.count == 1)
                #expect(WebhookReceiver.verifies(got, secret: secret), "\(got.headers)")
                #expect(!WebhookReceiver.verifies(got, secret: WebhookSignature.newSecret()), "a wrong secret does not verify")
                let timestamp = try #require(got.headers["webhook-timestamp"].flatMap(Double.init))
                #expect(abs(timestamp - Date().timeIntervalSince1970) < 60)
                let event = try #require(try JSONSerialization.jsonObject(with: Data(got.body.utf8)) as? [String: Any])
                #expect(event["type"] as? String == "job.completed" && got.headers["webhook-id"] == event["event_id"] as? String)
                #expect(EventLogTests.normalized(event["data"]) == EventLogTests.normalized(job))
                #expect(got.headers["content-type"]?.hasPrefix("application/json") == true)
                let delivery = try #require(try await Self.deliveries(client, id, key: key).first)
                #expect(delivery["status"] as? String == "succeeded" && delivery["attempts"] as? Int == 1 && delivery["last_status_code"] as? Int == 200)
                #expect(try await Self.deliveryWorker(app).runOnce() == false, "delivered once")
            }
        }
    }

    /// 500, 500, 200: three attempts at the scheduled gaps (5 s, then 5 min, each ±10 %), the same webhook-id each time.
    @Test func failuresAreRetriedOnTheScheduleThenSucceed() async throws {
        let clock = TestClock(Date())
        let app = try await TestApp.make(clock: clock, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let receiver = WebhookReceiver(answers: [(500, [:]), (500, [:])])
        try await receiver.serve { url in
            try await app.testWithWorker { client in
                let (id, _) = try await Self.register(client, url: url, events: #"["feed.uploaded"]"#, key: key)
                _ = try await client.uploadRaw(sampleCSV, key: key)
                let worker = Self.deliveryWorker(app)
                #expect(try await worker.runOnce())
                var delivery = try #require(try await Self.deliveries(client, id, key: key).first)
                #expect(delivery["status"] as? String == "pending" && delivery["last_status_code"] as? Int == 500)
                let next = try #require((delivery["next_attempt_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
                let gap = next.timeIntervalSince(clock.now())
                #expect(gap >= 4.4 && gap <= 5.6, "first retry after \(gap) s")
                #expect(try await worker.runOnce() == false, "retried before its time")
                clock.advance(by: 6)
                #expect(try await worker.runOnce())
                delivery = try #require(try await Self.deliveries(client, id, key: key).first)
                let second = try #require((delivery["next_attempt_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
                let secondGap = second.timeIntervalSince(clock.now())
                #expect(secondGap >= 270 && secondGap <= 330, "second retry after \(secondGap) s")
                clock.advance(by: 331)
                #expect(try await worker.runOnce())
                delivery = try #require(try await Self.deliveries(client, id, key: key).first)
                #expect(delivery["status"] as? String == "succeeded" && delivery["attempts"] as? Int == 3)
                #expect(Set(receiver.received.compactMap { $0.headers["webhook-id"] }).count == 1)
                #expect(receiver.received.count == 3)
            }
        }
    }

    @Test func a410DisablesTheWebhookAndRetryAfterIsHonoured() async throws {
        let clock = TestClock(Date())
        let app = try await TestApp.make(clock: clock, allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let receiver = WebhookReceiver(answers: [(429, ["Retry-After": "600"]), (410, [:])])
        try await receiver.serve { url in
            try await app.testWithWorker { client in
                let (id, _) = try await Self.register(client, url: url, events: #"["feed.uploaded"]"#, key: key)
                _ = try await client.uploadRaw(sampleCSV, key: key)
                let worker = Self.deliveryWorker(app)
                #expect(try await worker.runOnce())
                let delivery = try #require(try await Self.deliveries(client, id, key: key).first)
                let next = try #require((delivery["next_attempt_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
                #expect(next.timeIntervalSince(clock.now()) >= 599, "Retry-After: 600 is longer than the 5 s of the schedule")
                clock.advance(by: 601)
                #expect(try await worker.runOnce())
                #expect(try await client.get("/webhooks/\(id)", key: key).json["status"] as? String == "disabled")
                let disabled = try await EventLogTests.events(client, "?type=webhook.disabled", key: key)
                #expect(disabled.count == 1 && (disabled.first?["data"] as? [String: Any])?["webhook_id"] as? String == id)
                _ = try await client.uploadRaw(sampleCSV, key: key)
                #expect(try await Self.deliveries(client, id, key: key).count == 1, "a disabled webhook gets no new deliveries")
            }
        }
    }

    /// A target that resolves to a private address is not called when private targets are not allowed.
    @Test func aPrivateTargetIsNotCalledAtDelivery() async throws {
        let app = try await TestApp.make(allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await app.testWithWorker { client in
                // Saved while allowed (as if the name resolved elsewhere then), delivered by a strict node.
                let (id, _) = try await Self.register(client, url: url.replacingOccurrences(of: "127.0.0.1", with: "localhost"),
                                                      events: #"["feed.uploaded"]"#, key: key)
                _ = try await client.uploadRaw(sampleCSV, key: key)
                #expect(try await Self.deliveryWorker(app, allowPrivateTargets: false).runOnce())
                #expect(receiver.received.isEmpty, "the receiver was called")
                let delivery = try #require(try await Self.deliveries(client, id, key: key).first)
                #expect((delivery["last_error"] as? String)?.contains("Not called") == true, "\(delivery)")
            }
        }
    }

    @Test func aRotatedSecretSignsBesideTheNewOneAndARetryTriesAgainNow() async throws {
        let app = try await TestApp.make(allowPrivateTargets: true)
        let (_, key) = try await app.createPartner("acme")
        let receiver = WebhookReceiver(answers: [(503, [:])])
        try await receiver.serve { url in
            try await app.testWithWorker { client in
                let (id, old) = try await Self.register(client, url: url, events: #"["feed.uploaded"]"#, key: key)
                let rotated = try await WebhookRouteTests.post(client, "/webhooks/\(id)/rotate-secret", "", key: key)
                let new = try #require(rotated.json["secret"] as? String)
                _ = try await client.uploadRaw(sampleCSV, key: key)
                let worker = Self.deliveryWorker(app)
                #expect(try await worker.runOnce())
                let first = try #require(receiver.received.first)
                #expect(WebhookReceiver.verifies(first, secret: old) && WebhookReceiver.verifies(first, secret: new))
                #expect(first.headers["webhook-signature"]?.split(separator: " ").count == 2)
                // Failed (503) and waiting 5 s: retried by hand, it goes now.
                let deliveryID = try #require(try await Self.deliveries(client, id, key: key).first?["delivery_id"] as? String)
                let retry = try await WebhookRouteTests.post(client, "/webhook-deliveries/\(deliveryID)/retry", "", key: key)
                #expect(retry.status == .accepted && retry.json["status"] as? String == "pending")
                #expect(try await worker.runOnce())
                #expect(receiver.received.count == 2)
                #expect(try await Self.deliveries(client, id, key: key).first?["status"] as? String == "succeeded")
                #expect(try await worker.runOnce() == false, "the earlier series ended with the retry")
                #expect(try await WebhookRouteTests.post(client, "/webhook-deliveries/WD99999/retry", "", key: key).status == .notFound)
            }
        }
    }
}
