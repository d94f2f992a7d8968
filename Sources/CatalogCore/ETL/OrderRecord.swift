import Crypto
import struct Foundation.Date

/// One valid line of an orders feed; keyed by partner + order_id + sku.
public struct OrderLineRecord: Sendable, Equatable {
    public var orderID: String
    public var sku: String
    public var quantity: Int64
    public var unitPrice: ExactDecimal
    public var orderedAt: Date
    public var currency: String

    public init(orderID: String, sku: String, quantity: Int64, unitPrice: ExactDecimal, orderedAt: Date, currency: String = "USD") {
        self.orderID = orderID
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.orderedAt = orderedAt
        self.currency = currency
    }

    public var contentHash: String {
        let text = "\(quantity)|\(unitPrice)|\(Int64((orderedAt.timeIntervalSince1970 * 1000).rounded()))|\(currency)"
        return Hex.encode(SHA256.hash(data: Array(text.utf8)).prefix(16))
    }
}

public struct StagedOrderLine: Sendable {
    public var line: Int
    public var record: OrderLineRecord
    public var contentHash: String

    public init(line: Int, record: OrderLineRecord) {
        self.line = line
        self.record = record
        self.contentHash = record.contentHash
    }
}
