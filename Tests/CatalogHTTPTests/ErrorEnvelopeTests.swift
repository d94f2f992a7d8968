import CatalogCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct ErrorEnvelopeTests {
    @Test func healthNeedsNoKeyAndCarriesRequestID() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.get("/health", key: nil)
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "ok")
            #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
        }
    }

    @Test func readyReportsBothDependenciesAndTheDisk() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.get("/ready", key: nil)
            #expect(response.status == .ok)
            #expect(response.json["checks"] as? [String: String] == ["database": "ok", "object_store": "ok", "disk": "ok"])
        }
    }

    @Test func readyIs503WhenTheObjectStoreIsGone() async throws {
        let app = try await TestApp.make()
        try FileManager.default.removeItem(atPath: app.directory.path + "/objects")
        try await app.test { client in
            let response = try await client.get("/ready", key: nil)
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorCode == "STORAGE_UNAVAILABLE")
            let reason = try #require(response.errorDetails["object_store"] as? String)
            #expect(reason.hasPrefix("The object store is unavailable"), "\(reason)")
            #expect(response.errorDetails["database"] as? String == "ok")
        }
    }

    @Test(arguments: [
        (DiskSpace(availableBytes: 50 << 20, totalBytes: 1 << 40), "50 MB"),  // under 100 MB on a large disk
        (DiskSpace(availableBytes: 900 << 20, totalBytes: 100 << 30), "0.8 %"),  // over 100 MB, under 1 %
    ])
    func readyIs503WhenTheDataDiskIsNearlyFull(space: DiskSpace, shown: String) async throws {
        let app = try await TestApp.make(disk: FixedDisk(fixed: space))
        try await app.test { client in
            let response = try await client.get("/ready", key: nil)
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorCode == "STORAGE_UNAVAILABLE")
            let reason = try #require(response.errorDetails["disk"] as? String)
            #expect(reason.contains("almost full") && reason.contains(shown), "\(reason)")
            #expect((response.json["error"] as? [String: Any])?["message"] as? String == "Not ready: \(reason).")
            #expect(response.errorDetails["database"] as? String == "ok")
        }
    }

    @Test func readyWithJustEnoughRoom() async throws {
        let app = try await TestApp.make(disk: FixedDisk(fixed: DiskSpace(availableBytes: 101 << 20, totalBytes: 5 << 30)))
        try await app.test { client in
            let response = try await client.get("/ready", key: nil)
            #expect(response.status == .ok)
        }
    }

    @Test func unknownRouteIsNotFoundEnvelope() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.get("/no/such/route", key: app.adminKey)
            #expect(response.status == .notFound)
            #expect(response.errorCode == "NOT_FOUND")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil)
        }
    }

    @Test func wrongMethodIsAnEnvelope() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.execute(uri: "/health", method: .delete, headers: headers(key: app.adminKey))
            #expect(response.status == .notFound)
            #expect(response.errorCode == "NOT_FOUND")
        }
    }

    @Test func clientRequestIDIsEchoed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.execute(
                uri: "/health", method: .get, headers: [HTTPField.Name("X-Request-Id")!: "trace-123"])
            #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "trace-123")
        }
    }

    @Test(arguments: [nil, "", "pck_not-a-real-key"])
    func missingOrUnknownKeyIs401(_ key: String?) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.get("/feeds", key: key)
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "UNAUTHENTICATED")
            #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil)
        }
    }

    @Test func bearerTokenIsAccepted() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.execute(
                uri: "/feeds", method: .get, headers: [.authorization: "Bearer \(app.adminKey)"])
            #expect(response.status == .ok)
        }
    }

    @Test func revokedKeyIs401() async throws {
        let app = try await TestApp.make()
        let issued = try await app.catalog.keys.create(role: .analyst, partnerName: nil, label: nil)
        _ = try await app.catalog.keys.revoke(issued.record.keyID)
        try await app.test { client in
            let response = try await client.get("/feeds", key: issued.secret)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func malformedJSONIs400() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.execute(
                uri: "/partners", method: .post,
                headers: headers(key: app.adminKey, [.contentType: "application/json"]), body: ByteBuffer(string: "{\"partner_name\": "))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_ERROR")
        }
    }

    @Test(arguments: ["/feeds?limit=0", "/feeds?limit=1000", "/feeds?limit=abc", "/feeds?bogus=1", "/feeds?status=done",
                      "/jobs?job_type=other", "/jobs?feed_id=XX1", "/feeds?cursor=garbage"])
    func badQueryParametersAre400NamingTheParameter(_ uri: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.get(uri, key: app.adminKey)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_ERROR")
            let parameter = response.errorDetails["parameter"] as? String
            #expect(parameter != nil && uri.contains(parameter!))
        }
    }
}

struct FixedDisk: DiskSpaceProbe {
    let fixed: DiskSpace
    func space() throws -> DiskSpace { fixed }
}
