/// API keys: random secrets stored only as hashes, bound to a role and optionally a partner.
public struct KeyService: Sendable {
    let store: any APIKeyRepository & PartnerRepository
    let clock: any CatalogClock
    /// The node's in-memory keys, when it keeps them (`serve`); else each check asks the store.
    let table: KeyTable?

    public init(store: any APIKeyRepository & PartnerRepository, clock: any CatalogClock, table: KeyTable? = nil) {
        self.store = store
        self.clock = clock
        self.table = table
    }

    public func authenticate(_ secret: String?) async throws -> Principal {
        guard let secret, !secret.isEmpty, secret.utf8.count <= 512 else { throw CatalogError.unauthenticated }
        let hash = APIKeySecret.hash(secret)
        if let table, table.isLoaded {
            if let key = table.lookup(hash: hash) { return Principal(keyID: key.record.keyID, role: key.record.role, partner: key.partner) }
            await table.refreshAfterMiss(from: store)
            guard let key = table.lookup(hash: hash) else { throw CatalogError.unauthenticated }
            return Principal(keyID: key.record.keyID, role: key.record.role, partner: key.partner)
        }
        guard let (record, partner) = try await store.activeKey(hash: hash) else { throw CatalogError.unauthenticated }
        return Principal(keyID: record.keyID, role: record.role, partner: partner)
    }

    /// After a change on this node: the table need not wait for its next poll.
    func refreshTable() async {
        try? await table?.refresh(from: store, force: true)
    }

    /// Creates a key for `role`; partner keys name the partner they are bound to.
    public func create(role: Role, partnerName: String?, label: String?) async throws -> IssuedAPIKey {
        switch (role, partnerName) {
        case (.partner, nil):
            throw CatalogError.validation("A partner key needs --partner.", parameter: "partner")
        case (.partner, let name?):
            guard let partner = try await store.partner(name: name) else { throw CatalogError.notFound("Partner", name) }
            return try await issue(role: role, partnerID: partner.partnerID, partnerName: partner.partnerName, label: label)
        case (_, .some):
            throw CatalogError.validation("Only partner keys are bound to a partner.", parameter: "partner")
        case (_, nil):
            return try await issue(role: role, partnerID: nil, partnerName: nil, label: label)
        }
    }

    func issue(role: Role, partnerID: String?, partnerName: String?, label: String?) async throws -> IssuedAPIKey {
        let secret = APIKeySecret.generate()
        var record = try await store.createKey(
            hash: APIKeySecret.hash(secret), role: role, partnerID: partnerID, label: label, at: clock.now())
        await refreshTable()
        record.partnerName = partnerName
        return IssuedAPIKey(record: record, secret: secret)
    }

    public func list() async throws -> [APIKeyRecord] {
        try await store.listKeys()
    }

    public func revoke(_ keyID: String) async throws -> APIKeyRecord {
        guard let record = try await store.revokeKey(id: keyID, at: clock.now()) else {
            throw CatalogError.notFound("Key", keyID)
        }
        await refreshTable()
        return record
    }

    public enum BootstrapResult: Sendable, Equatable {
        case none
        /// The configured admin key was registered now.
        case registeredConfiguredKey
        /// No key existed at all: this one was created and must be shown once.
        case generated(String)
    }

    /// At `serve` start: registers `CATALOG_ADMIN_KEY`, or creates a first admin key when none exists.
    public func bootstrapAdmin(configuredKey: String?) async throws -> BootstrapResult {
        if let configuredKey, !configuredKey.isEmpty {
            guard configuredKey.utf8.count >= 16 else {
                throw CatalogError.validation("CATALOG_ADMIN_KEY must be at least 16 characters.", parameter: "CATALOG_ADMIN_KEY")
            }
            let hash = APIKeySecret.hash(configuredKey)
            if try await store.activeKey(hash: hash) != nil { return .none }
            do {
                _ = try await store.createKey(hash: hash, role: .admin, partnerID: nil, label: "CATALOG_ADMIN_KEY", at: clock.now())
            } catch let error as CatalogError where error.code == .conflict {
                return .none  // another node starting with the same key registered it first
            }
            return .registeredConfiguredKey
        }
        guard try await store.countKeys() == 0 else { return .none }
        let issued = try await issue(role: .admin, partnerID: nil, partnerName: nil, label: "first admin key")
        return .generated(issued.secret)
    }
}
