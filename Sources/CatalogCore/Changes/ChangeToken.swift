import Crypto
import Foundation

/// A point in the product change feed: everything up to the product `seq` of the batch at
/// `position` (`Int64.max`: the whole batch). Opaque to clients, with a checksum so that an edited
/// token is refused rather than misread.
public struct ChangeToken: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var position: Int64
    public var seq: Int64

    public init(position: Int64, seq: Int64) {
        self.position = position
        self.seq = seq
    }

    /// Before the first change: reading from here is a full sync.
    public static let start = ChangeToken(position: 0, seq: 0)

    /// After the whole batch at `position`.
    public static func after(batch position: Int64) -> ChangeToken { ChangeToken(position: position, seq: .max) }

    public static func < (lhs: ChangeToken, rhs: ChangeToken) -> Bool {
        (lhs.position, lhs.seq) < (rhs.position, rhs.seq)
    }

    public var description: String { encoded }

    public var encoded: String {
        guard self != .start else { return "0" }
        return "\(position)-\(seq == .max ? "e" : String(seq))-\(Self.checksum(position, seq))"
    }

    /// `since=` / `Last-Event-ID`: "0" (or nothing) for the start, else a token this service issued.
    public static func decode(_ text: String?, parameter: String = "since") throws -> ChangeToken {
        guard let text, !text.isEmpty, text != "0" else { return .start }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, text.utf8.count <= 64, let position = Int64(parts[0]), position >= 0,
              let seq = parts[1] == "e" ? Int64.max : Int64(parts[1]), seq >= 0,
              parts[2] == Substring(checksum(position, seq))
        else {
            throw CatalogError.validation(
                "\(parameter) is not a change token of this feed: pass 0 for a full sync, or a `change` / `next_since` value as it was given.",
                parameter: parameter, value: String(text.prefix(100)))
        }
        return ChangeToken(position: position, seq: seq)
    }

    private static func checksum(_ position: Int64, _ seq: Int64) -> String {
        String(Hex.encode(SHA256.hash(data: Array("partner-catalog-changes|\(position)|\(seq)".utf8))).prefix(10))
    }
}

/// One product change as the feed shows it: the product as it now is, at its latest change.
public struct ProductChange: Sendable, Equatable {
    public var token: ChangeToken
    public var product: Product

    public init(token: ChangeToken, product: Product) {
        self.token = token
        self.product = product
    }
}

/// The products one merge changed, committed together at one position.
public struct ChangeBatch: Sendable, Equatable {
    public var batchID: Int64
    public var position: Int64
    public var partnerName: String
    public var jobID: String
    public var changes: Int64

    public init(batchID: Int64, position: Int64, partnerName: String, jobID: String, changes: Int64) {
        self.batchID = batchID
        self.position = position
        self.partnerName = partnerName
        self.jobID = jobID
        self.changes = changes
    }
}
