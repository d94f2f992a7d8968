import CatalogCore
import NIOCore

/// Product changes as Server-Sent Events (§Products "Product changes"): `id: <change>`,
/// `event: product`, `data: <product JSON>`, written once per change and sliced per stream.
struct ChangeEventChunk: Sendable {
    let partnerName: String
    /// The change tokens of the events, in order, with where each event ends in `bytes`.
    let tokens: [ChangeToken]
    let ends: [Int]
    let bytes: ByteBuffer

    init(partnerName: String, _ changes: some Collection<ProductChange>) {
        self.partnerName = partnerName
        var text = ""
        text.reserveCapacity(changes.count * 800)
        var tokens: [ChangeToken] = []
        var ends: [Int] = []
        for change in changes {
            ChangeEventChunk.append(change, to: &text)
            tokens.append(change.token)
            ends.append(text.utf8.count)
        }
        self.tokens = tokens
        self.ends = ends
        self.bytes = ByteBuffer(string: text)
    }

    static func append(_ change: ProductChange, to text: inout String) {
        text += "id: "
        text += change.token.encoded
        text += "\nevent: product\ndata: "
        ProductJSON.append(change.product, to: &text)
        text += "\n\n"
    }

    var last: ChangeToken? { tokens.last }

    /// The events after `token`, sharing this chunk's storage.
    func events(after token: ChangeToken) -> ByteBuffer? {
        guard let first = tokens.firstIndex(where: { $0 > token }) else { return nil }
        let start = first == 0 ? 0 : ends[first - 1]
        return bytes.getSlice(at: bytes.readerIndex + start, length: bytes.readableBytes - start)
    }
}

/// What a live stream receives from the hub.
enum ChangeStreamItem: Sendable {
    case changes(ChangeEventChunk)
    case ping
}
