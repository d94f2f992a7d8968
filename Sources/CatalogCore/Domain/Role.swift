public enum Role: String, Sendable, Codable, CaseIterable {
    case partner
    case reader
    case analyst
    case admin
}

/// The caller behind a request's API key.
public struct Principal: Sendable, Equatable {
    public var keyID: String
    public var role: Role
    /// Set for partner keys: the one partner the key is bound to.
    public var partner: Partner?

    public init(keyID: String, role: Role, partner: Partner?) {
        self.keyID = keyID
        self.role = role
        self.partner = partner
    }

    public func require(_ roles: Role...) throws {
        guard roles.contains(role) else {
            throw CatalogError.forbidden("The '\(role.rawValue)' role may not do this.")
        }
    }

    /// The partner name a query is confined to: partner keys see their own partner only.
    public var confinedPartnerName: String? {
        role == .partner ? partner?.partnerName : nil
    }

    /// Whether the caller may see a resource that belongs to `partnerName`.
    public func canSee(partnerName: String) -> Bool {
        guard let confined = confinedPartnerName else { return role != .reader }
        return confined == partnerName
    }
}
