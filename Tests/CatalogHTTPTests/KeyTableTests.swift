import CatalogCore
import CatalogTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// §Users and roles, checked from each node's in-memory key table: a key revoked or created by another
/// process (the CLI, another node) takes effect here at the table's next poll (every 0.5 s, so within
/// 1 s on a machine that is not overloaded); a change made through this node at once. The waits below
/// allow for a `make test` that loads both cores: they fail when a change never arrives, while the
/// time it took is printed, not judged.
@Suite struct KeyTableTests {
    /// What `partner-catalog keys …` does: the same store, without this node's table.
    static func otherProcess(_ app: TestApp) -> KeyService {
        KeyService(store: app.catalog.store, clock: SystemClock())
    }

    static func status(_ client: any TestClientProtocol, key: String) async throws -> HTTPResponse.Status {
        try await client.get("/products?limit=1", key: key).status
    }

    @Test(arguments: StoreKind.allCases)
    func keysRevokedOrCreatedElsewhereTakeEffectWithinASecond(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store, followKeys: true)
        let issued = try await app.catalog.keys.create(role: .reader, partnerName: nil, label: "app")
        try await app.test { client in
            #expect(try await Self.status(client, key: issued.secret) == .ok)

            _ = try await Self.otherProcess(app).revoke(issued.record.keyID)
            let revokedAfter = try await ProductCacheTests.waitUntil(timeout: 15) {
                try await Self.status(client, key: issued.secret) == .unauthorized
            }
            let seconds = try #require(revokedAfter, "a key revoked by another process was still accepted after 15 s")
            print("KeyTableTests (\(store)): a revocation elsewhere reached this node in \(seconds) s")

            let created = try await Self.otherProcess(app).create(role: .analyst, partnerName: nil, label: "cli")
            let acceptedAfter = try await ProductCacheTests.waitUntil(timeout: 15) {
                try await Self.status(client, key: created.secret) == .ok
            }
            let createdSeconds = try #require(acceptedAfter, "a key created by another process was still refused after 15 s")
            print("KeyTableTests (\(store)): a key created elsewhere was accepted here after \(createdSeconds) s")
        }
    }

    /// A key created by another process (`keys create`, then curl at once) works on the very next
    /// request, without waiting for the table's poll.
    @Test(arguments: StoreKind.allCases)
    func aKeyCreatedElsewhereWorksAtOnce(_ store: StoreKind) async throws {
        let app = try await TestApp.make(store)
        try await app.test { client in
            #expect(try await Self.status(client, key: "pck_" + String(repeating: "1", count: 40)) == .unauthorized)
            for round in 0..<3 {
                let created = try await Self.otherProcess(app).create(role: .reader, partnerName: nil, label: "cli \(round)")
                #expect(try await Self.status(client, key: created.secret) == .ok, "round \(round)")
            }
        }
    }

    /// Revocation through this node is immediate: the very next request is refused.
    @Test func aKeyRevokedThroughThisNodeIsRefusedAtOnce() async throws {
        let app = try await TestApp.make(.sqlite)
        let issued = try await app.catalog.keys.create(role: .reader, partnerName: nil, label: "app")
        try await app.test { client in
            #expect(try await Self.status(client, key: issued.secret) == .ok)
            _ = try await app.catalog.keys.revoke(issued.record.keyID)
            #expect(try await Self.status(client, key: issued.secret) == .unauthorized)
            #expect(try await Self.status(client, key: "pck_" + String(repeating: "0", count: 40)) == .unauthorized)
        }
    }

    /// A suspended partner's key can no longer upload, at once on this node and within 1 s on another.
    @Test func aSuspendedPartnersKeyCannotUpload() async throws {
        let app = try await TestApp.make(.postgres)
        let (partner, key) = try await app.createPartner("acme")
        let second = try await ProductCacheTests.node(of: app, name: "keys-node2")
        let secondTable = KeyTable()
        try await secondTable.refresh(from: second.app.catalog.store, force: true)
        let node2 = second.app.node(catalog: second.app.catalog.keepingKeysInMemory(secondTable))
        let following = BackgroundTask { await secondTable.follow(second.app.catalog.store, logger: TestApp.quietLogger) }
        defer { withExtendedLifetime(following) {} }

        try await app.test { client in
            #expect(try await client.uploadRaw(sampleCSV, key: key).status == .created)
            let suspend = try await client.execute(
                uri: "/partners/\(partner.partnerID)", method: .patch, headers: headers(key: app.adminKey, [.contentType: "application/json"]),
                body: .init(string: #"{"status":"suspended"}"#))
            #expect(suspend.status == .ok)
            let refused = try await client.uploadRaw(sampleCSV, key: key)
            #expect(refused.status == .forbidden && refused.errorCode == "FORBIDDEN", "\(String(buffer: refused.body))")
        }
        try await node2.test { client in
            let after = try await ProductCacheTests.waitUntil(timeout: 15) {
                try await client.uploadRaw(sampleCSV, key: key).status == .forbidden
            }
            let seconds = try #require(after, "the other node still let a suspended partner upload after 15 s")
            print("KeyTableTests: a suspension reached the other node in \(seconds) s")
        }
    }
}
