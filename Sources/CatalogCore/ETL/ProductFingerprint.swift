import Crypto

/// A products row as the feed holds it: its SKU and a digest of its header and fields. Validation
/// and normalisation depend on nothing else, so a row whose digest its active product still carries
/// would come out exactly as that product: an unchanged re-run is recognised without reading the rows.
public struct ProductFingerprint: Sendable, Hashable {
    public var sku: String
    /// 32 hex digits (SHA-256, first 16 bytes).
    public var digest: String

    public init(sku: String, digest: String) {
        self.sku = sku
        self.digest = digest
    }
}

extension CSVRecord {
    /// Feeds the record's fields, with where each ends, into `hasher`: equal digests mean equal fields,
    /// however they were quoted.
    func hashFields(into hasher: inout SHA256) {
        var count = UInt32(fieldEnds.count)
        withUnsafeBytes(of: &count) { hasher.update(bufferPointer: $0) }
        fieldEnds.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }
}

extension SHA256 {
    /// A hasher over a header row's names, whose digest seeds the fingerprints of the rows under it.
    static func headerSeed(_ header: [String]) -> SHA256 {
        var hasher = SHA256()
        for name in header {
            var length = UInt32(name.utf8.count)
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: Array(name.utf8))
        }
        return hasher
    }
}
