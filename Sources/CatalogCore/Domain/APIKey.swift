import Crypto
import struct Foundation.Date

public struct APIKeyRecord: Sendable, Equatable {
    public var keyID: String
    public var role: Role
    public var partnerID: String?
    public var partnerName: String?
    public var label: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(keyID: String, role: Role, partnerID: String?, partnerName: String?, label: String?, createdAt: Date, revokedAt: Date?) {
        self.keyID = keyID
        self.role = role
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A freshly created key: the secret is shown once and only its hash is stored.
public struct IssuedAPIKey: Sendable {
    public var record: APIKeyRecord
    public var secret: String
}

public enum APIKeySecret {
    /// 256 random bits, URL-safe, with a recognisable prefix.
    public static func generate(prefix: String = "pck_") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Hex.encode(bytes)
    }

    public static func hash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Array(secret.utf8)))
    }
}
