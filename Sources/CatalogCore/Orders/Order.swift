import struct Foundation.Date

/// An order as `GET /orders` serves it: the catalog's `OR…` ID, the partner's own ID and its lines.
public struct Order: Sendable, Equatable {
    public var seq: Int64
    public var orderID: String
    public var partnerName: String
    public var partnerOrderID: String
    public var currency: String
    public var orderedAt: Date
    /// The orders feed that created it; nil for orders posted to `POST /orders`.
    public var feedID: String?
    public var createdAt: Date
    public var lines: [OrderLine]

    public init(
        seq: Int64, orderID: String, partnerName: String, partnerOrderID: String, currency: String, orderedAt: Date,
        feedID: String?, createdAt: Date, lines: [OrderLine]
    ) {
        self.seq = seq
        self.orderID = orderID
        self.partnerName = partnerName
        self.partnerOrderID = partnerOrderID
        self.currency = currency
        self.orderedAt = orderedAt
        self.feedID = feedID
        self.createdAt = createdAt
        self.lines = lines
    }

    /// The sum of the line totals when every line is in the order's currency and nothing overflows; else nil.
    public var total: ExactDecimal? {
        var units: Int64 = 0
        for line in lines {
            guard line.currency == currency, let lineTotal = line.total else { return nil }
            let (sum, overflow) = units.addingReportingOverflow(lineTotal.units)
            guard !overflow else { return nil }
            units = sum
        }
        return ExactDecimal(units: units)
    }
}

public struct OrderLine: Sendable, Equatable {
    public var sku: String
    public var quantity: Int64
    public var unitPrice: ExactDecimal
    public var currency: String
    public var orderedAt: Date

    public init(sku: String, quantity: Int64, unitPrice: ExactDecimal, currency: String, orderedAt: Date) {
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.currency = currency
        self.orderedAt = orderedAt
    }

    /// quantity × unit price, exactly; nil if it overflows.
    public var total: ExactDecimal? {
        let (units, overflow) = unitPrice.units.multipliedReportingOverflow(by: quantity)
        return overflow ? nil : ExactDecimal(units: units)
    }
}

/// A validated order on its way into the store: its lines carry the order's ID, date and currency.
public struct NewOrder: Sendable {
    public var partnerName: String
    public var partnerOrderID: String
    public var orderedAt: Date
    public var currency: String
    public var lines: [OrderLineRecord]
    public var createdAt: Date

    public init(partnerName: String, partnerOrderID: String, orderedAt: Date, currency: String, lines: [OrderLineRecord], createdAt: Date) {
        self.partnerName = partnerName
        self.partnerOrderID = partnerOrderID
        self.orderedAt = orderedAt
        self.currency = currency
        self.lines = lines
        self.createdAt = createdAt
    }
}

/// `GET /orders` filters: `ordered_at` in `[from, to)`.
public struct OrderFilter: Sendable, Equatable {
    public var partnerName: String?
    public var from: Date?
    public var to: Date?

    public init(partnerName: String? = nil, from: Date? = nil, to: Date? = nil) {
        self.partnerName = partnerName
        self.from = from
        self.to = to
    }
}

/// Where a page of orders ends; orders are listed newest first (`ordered_at` descending, then ID).
public struct OrderPosition: Sendable, Equatable {
    public var orderedAtMicroseconds: Int64
    public var seq: Int64

    public init(orderedAtMicroseconds: Int64, seq: Int64) {
        self.orderedAtMicroseconds = orderedAtMicroseconds
        self.seq = seq
    }
}

public struct OrderPage: Sendable {
    public var items: [Order]
    public var next: OrderPosition?

    public init(items: [Order], next: OrderPosition?) {
        self.items = items
        self.next = next
    }
}
