import struct Foundation.Date

public enum PartnerStatus: String, Sendable, Codable, CaseIterable {
    case active
    case suspended
}

public struct Partner: Sendable, Equatable, Codable {
    public var partnerID: String
    public var partnerName: String
    public var displayName: String
    public var status: PartnerStatus
    public var createdAt: Date

    public init(partnerID: String, partnerName: String, displayName: String, status: PartnerStatus, createdAt: Date) {
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.displayName = displayName
        self.status = status
        self.createdAt = createdAt
    }
}

public enum PartnerName {
    /// `^[a-z0-9][a-z0-9-]{1,62}$`
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (2...63).contains(bytes.count) else { return false }
        func allowed(_ b: UInt8, hyphen: Bool) -> Bool {
            (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || (hyphen && b == 0x2D)
        }
        return allowed(bytes[0], hyphen: false) && bytes.dropFirst().allSatisfy { allowed($0, hyphen: true) }
    }

    public static func validate(_ name: String, parameter: String = "partner_name") throws {
        guard isValid(name) else {
            throw CatalogError.validation(
                "partner_name must match ^[a-z0-9][a-z0-9-]{1,62}$.", parameter: parameter, value: name)
        }
    }
}
