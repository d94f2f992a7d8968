import CatalogCore
import Foundation
import HummingbirdTesting
import Testing

@Suite struct MetricsTests {
    @Test func metricsCountRequestsJobsUploadsAndRows() async throws {
        let app = try await TestApp.make()
        try await app.testWithWorker { client in
            _ = try await client.uploadRaw(ETLTests.clean, key: app.adminKey, query: "partner_name=metrics-partner")
            _ = try await client.run("JV00001", key: app.adminKey)
            _ = try await client.get("/feeds/FD09999", key: app.adminKey)
            let response = try await client.get("/metrics", key: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body)
            let lines = text.split(separator: "\n").map(String.init)
            func has(_ parts: String...) -> Bool { lines.contains { line in parts.allSatisfy { line.contains($0) } } }
            #expect(has("hb_requests", #"http_route="/feeds/upload""#, #"http_response_status_code="201""#))
            #expect(has("hb_requests", #"http_route="/feeds/{feed_id}""#, #"http_response_status_code="404""#))
            #expect(has("http_server_request_duration_bucket", #"http_route="/jobs/{job_id}/run""#))
            #expect(lines.contains(#"catalog_jobs{job_type="validation",status="completed"} 1.0"#)
                || lines.contains(#"catalog_jobs{job_type="validation",status="completed"} 1"#), "\(lines.filter { $0.hasPrefix("catalog_jobs") })")
            #expect(has("catalog_etl_rows", #"feed_type="products""#))
            #expect(has("catalog_upload_bytes"))
            let rate = lines.first { $0.hasPrefix("catalog_etl_rows_per_second ") }.flatMap { Double($0.split(separator: " ")[1]) }
            #expect((rate ?? 0) > 0, "\(lines.filter { $0.hasPrefix("catalog_etl") })")
            #expect(has("catalog_job_attempts", #"outcome="completed""#))
        }
    }
}
