import Crypto
import Foundation

/// Seals source credentials at rest with AES-256-GCM under a key derived from `CATALOG_SECRET_KEY`
/// (HKDF-SHA256), so a copy of the database alone reveals no vendor's token.
public struct SecretBox: Sendable {
    /// The derived key's bytes (`SymmetricKey` itself is not `Sendable`).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    static let prefix = "v1:"

    /// nil when no secret key is configured.
    public init?(secretKey: String?) {
        guard let secretKey, !secretKey.isEmpty else { return nil }
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secretKey.utf8)), info: Data("partner-catalog source credentials".utf8),
            outputByteCount: 32)
        keyBytes = derived.withUnsafeBytes { Array($0) }
    }

    public func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = box.combined else { throw CatalogError(.internal, "Sealing the credentials failed.") }
        return Self.prefix + combined.base64EncodedString()
    }

    /// Throws when the text was sealed under another key or altered.
    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix(Self.prefix), let combined = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))),
              let box = try? AES.GCM.SealedBox(combined: combined), let plain = try? AES.GCM.open(box, using: key)
        else {
            throw CatalogError(.internal, "The source's credentials cannot be opened with this CATALOG_SECRET_KEY.")
        }
        return String(decoding: plain, as: UTF8.self)
    }
}
