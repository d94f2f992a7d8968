import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// One log line per job transition, in order, each naming the job, its feed, partner and kind.
@Suite struct JobLogTests {
    let admin = Principal(keyID: "test", role: .admin, partner: nil)

    /// The job lines (`message` starting "job "), in order.
    func jobLines(_ capture: LogCapture) -> [[String: Any]] {
        capture.records.filter { ($0["message"] as? String)?.hasPrefix("job ") == true }
    }

    func expectIdentified(_ lines: [[String: Any]], _ feed: Feed) {
        for line in lines {
            #expect(line["job_id"] as? String == feed.validationJobID, "\(line)")
            #expect(line["feed_id"] as? String == feed.feedID)
            #expect(line["partner"] as? String == feed.partnerName)
            #expect(line["kind"] as? String == "validation")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRunLogsQueuedStartedCompletedAndARerunQueuesAgain(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        let capture = LogCapture()
        let worker = app.worker(logger: capture.logger("worker"))
        try await app.test(logger: capture.logger("http")) { client in
            let upload = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme&file_name=a.csv")
            let jobID = try #require(upload.json["validation_job_id"] as? String)
            _ = try await client.execute(uri: "/jobs/\(jobID)/run", method: .post, headers: headers(key: app.adminKey))
            #expect(try await worker.runOnce())
            _ = try await client.execute(uri: "/jobs/\(jobID)/run", method: .post, headers: headers(key: app.adminKey))
            #expect(try await worker.runOnce())
        }
        let feed = try #require(try await app.catalog.store.listFeeds(FeedFilter(), PageRequest(limit: 1)).items.first)
        let lines = jobLines(capture)
        #expect(lines.map { $0["message"] as? String } == [
            "job queued", "job run requested", "job started", "job completed", "job queued", "job started", "job completed",
        ], "\(capture.text)")
        expectIdentified(lines, feed)
        #expect(lines[0]["feed_type"] as? String == "products" && lines[0]["mode"] as? String == "delta")
        #expect(lines[1]["previous_status"] as? String == "queued")
        #expect(lines[2]["attempt"] as? Int == 1 && lines[2]["level"] as? String == "info")
        let completed = lines[3]
        #expect(completed["inserted"] as? Int == 2 && completed["rows_total"] as? Int == 2 && completed["skipped"] as? Int == 0)
        #expect(completed["updated"] as? Int == 0 && completed["unchanged"] as? Int == 0 && completed["deactivated"] as? Int == 0)
        #expect(completed["duration_ms"] is Double || completed["duration_ms"] is Int)
        #expect(lines[4]["previous_status"] as? String == "completed")
        #expect(lines[6]["unchanged"] as? Int == 2 && lines[6]["inserted"] as? Int == 0)
        // The HTTP lines carry the request id of the call that caused them.
        #expect(lines[0]["request_id"] is String && lines[1]["request_id"] is String && lines[2]["request_id"] == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func aTransientFailureLogsItsRetryWithTheBackoffThenTheJobFails(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock) { FlakyReads(base: $0, failures: 100) }
        let feed = try await JobWorkerTests().upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let capture = LogCapture()
        let worker = app.worker(logger: capture.logger(), retryBaseDelay: 10)
        #expect(try await worker.runOnce())
        clock.advance(by: 10)
        #expect(try await worker.runOnce())
        clock.advance(by: 20)
        #expect(try await worker.runOnce())
        let lines = jobLines(capture)
        #expect(lines.map { $0["message"] as? String } == [
            "job started", "job retry scheduled", "job started", "job retry scheduled", "job started", "job failed",
        ], "\(capture.text)")
        expectIdentified(lines, feed)
        #expect(lines[1]["level"] as? String == "warning" && lines[1]["error_code"] as? String == "STORAGE_UNAVAILABLE")
        #expect(lines[1]["backoff_ms"] as? Int == 10_000 && lines[1]["attempt"] as? Int == 1)
        #expect(lines[3]["backoff_ms"] as? Int == 20_000 && lines[3]["attempt"] as? Int == 2)
        #expect(lines[2]["previous_error_code"] as? String == "STORAGE_UNAVAILABLE" && lines[2]["attempt"] as? Int == 2)
        #expect(lines[5]["level"] as? String == "error" && lines[5]["error_code"] as? String == "STORAGE_UNAVAILABLE")
        #expect(lines[5]["attempt"] as? Int == 3 && lines[5]["error"] is String)
        #expect(!lines.contains { $0["message"] as? String == "job lease reclaimed" }, "a retry is not a reclaim")
    }

    @Test(arguments: StoreKind.allCases)
    func aJobWhoseWorkerDiedIsLoggedAsReclaimed(_ store: StoreKind) async throws {
        let clock = TestClock()
        let app = try await TestApp.make(store, clock: clock)
        let feed = try await JobWorkerTests().upload(app, partner: "acme")
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        _ = try #require(try await app.catalog.store.claim(kinds: [.validateFeed], owner: "dead", now: clock.now(), leaseFor: 30))
        clock.advance(by: 31)
        let capture = LogCapture()
        #expect(try await app.worker("survivor", logger: capture.logger()).runOnce())
        let lines = jobLines(capture)
        #expect(lines.map { $0["message"] as? String } == ["job lease reclaimed", "job started", "job completed"], "\(capture.text)")
        expectIdentified(lines, feed)
        #expect(lines[0]["level"] as? String == "warning" && lines[0]["attempt"] as? Int == 2 && lines[0]["worker"] as? String == "survivor")
    }

    @Test func progressIsLoggedAtDebugAndAStoppedWorkerHandsItsJobBack() async throws {
        let app = try await TestApp.make { WorkerShutdownTests.EndlessReads(base: $0) }
        let feed = try await app.catalog.uploads.upload(
            UploadRequest(partnerName: "acme"), by: admin, body: Bytes.chunks(Array("sku,product_name,price\n".utf8))).feed
        _ = try await app.catalog.runs.requestRun(feed.validationJobID, by: admin)
        let capture = LogCapture()
        let worker = app.worker(logger: capture.logger(level: .debug))
        let running = Task { await worker.run() }
        let deadline = Date().addingTimeInterval(20)
        while capture.records("job progress").count < 2 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        running.cancel()
        await running.value
        let lines = jobLines(capture)
        let messages = lines.compactMap { $0["message"] as? String }
        #expect(messages.first == "job started" && messages.last == "job handed back on shutdown", "\(capture.text)")
        #expect(Set(messages.dropFirst().dropLast()) == ["job progress"])
        expectIdentified(lines, feed)
        let progress = try #require(capture.records("job progress").first)
        #expect(progress["level"] as? String == "debug" && progress["rows_read"] is Int)
    }
}
