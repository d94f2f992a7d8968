/// Turns CSV records of an orders feed into order lines or the diagnostic that skips them (§ETL).
public struct OrderRowReader: Sendable {
    private enum Column: String {
        case orderID = "order_id", sku, quantity, unitPrice = "unit_price", orderedAt = "ordered_at", currency
    }

    private let header: [String]
    private let index: [Column: Int]

    public init(header: [String]) {
        self.header = header.map { $0.trimmingWhitespace() }
        var index: [Column: Int] = [:]
        for (position, name) in header.enumerated() {
            if let column = Column(rawValue: FeedColumns.canonical(name, for: .orders)), index[column] == nil {
                index[column] = position
            }
        }
        self.index = index
    }

    public func read(_ record: borrowing CSVRecord) -> Result<OrderLineRecord, RowDiagnostic> {
        let row: CheckedRow
        switch RowFields.check(record, header: header, skuIndex: index[.sku]) {
        case .success(let checked): row = checked
        case .failure(let diagnostic): return .failure(diagnostic)
        }
        func fail(_ column: String?, _ code: String, _ message: String, _ value: String?) -> Result<OrderLineRecord, RowDiagnostic> {
            row.failure(column, code, message, value)
        }
        func text(_ column: Column) -> String? { row.text(index[column]) }

        guard let orderID = text(.orderID) else { return fail("order_id", "missing_value", "order_id is required.", nil) }
        guard ProductRowReader.length(of: orderID, isAtMost: 64), !ProductRowReader.hasControlCharacters(orderID) else {
            return fail("order_id", "invalid_order_id", "order_id must be 1–64 characters without control characters.", orderID)
        }
        guard let sku = text(.sku) else { return fail("sku", "missing_value", "sku is required.", nil) }
        guard ProductRowReader.length(of: sku, isAtMost: 64), !ProductRowReader.hasControlCharacters(sku) else {
            return fail("sku", "invalid_sku", "sku must be 1–64 characters without control characters.", sku)
        }
        let rawQuantity = text(.quantity) ?? ""
        guard rawQuantity.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let quantity = Int64(rawQuantity), quantity > 0 else {
            return fail("quantity", "invalid_quantity", "quantity must be a whole number greater than 0.", rawQuantity)
        }
        let unitPrice: ExactDecimal
        switch ExactDecimal.parse(text(.unitPrice) ?? "") {
        case .success(let value): unitPrice = value
        case .failure(let error):
            return fail("unit_price", "invalid_price", ProductRowReader.message(for: error).replacingOccurrences(of: "price", with: "unit_price"),
                        text(.unitPrice))
        }
        guard let rawDate = text(.orderedAt), let orderedAt = ISODateTime.parse(rawDate) else {
            return fail("ordered_at", "invalid_date", "ordered_at must be an ISO 8601 date or date-time, e.g. 2026-11-21T10:15:00Z.",
                        text(.orderedAt))
        }
        var currency = "USD"
        if let given = text(.currency) {
            guard let code = CurrencyCode.normalise(given) else {
                return fail("currency", "invalid_currency", "currency must be an ISO 4217 code such as USD or EUR.", given)
            }
            currency = code
        }
        return .success(OrderLineRecord(
            orderID: orderID, sku: sku, quantity: quantity, unitPrice: unitPrice, orderedAt: orderedAt, currency: currency))
    }
}
