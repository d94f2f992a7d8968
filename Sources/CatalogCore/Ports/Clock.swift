import struct Foundation.Date

public protocol CatalogClock: Sendable {
    func now() -> Date
}

public struct SystemClock: CatalogClock {
    public init() {}
    public func now() -> Date { Date() }
}
