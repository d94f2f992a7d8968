/// One page of a list ordered by an internal sequence number (keyset pagination, never OFFSET).
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    /// Continue after the item with this sequence number; nil for the first page.
    public var after: Int64?

    public init(limit: Int, after: Int64? = nil) {
        self.limit = limit
        self.after = after
    }
}

public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// The sequence number to continue after, or nil when this is the last page.
    public var nextAfter: Int64?

    public init(items: [Item], nextAfter: Int64?) {
        self.items = items
        self.nextAfter = nextAfter
    }
}
