/// The body of `POST /orders` as the client sent it: text fields, validated by `OrderService`.
public struct OrderRequest: Sendable {
    public struct Item: Sendable {
        public var sku: String?
        /// The JSON number or string as written.
        public var quantity: String?
        /// The JSON number or string as written; parsed as an exact decimal.
        public var unitPrice: String?

        public init(sku: String?, quantity: String?, unitPrice: String?) {
            self.sku = sku
            self.quantity = quantity
            self.unitPrice = unitPrice
        }
    }

    public var partnerName: String?
    public var orderID: String?
    public var orderedAt: String?
    public var currency: String?
    public var items: [Item]

    public init(partnerName: String?, orderID: String?, orderedAt: String?, currency: String?, items: [Item]) {
        self.partnerName = partnerName
        self.orderID = orderID
        self.orderedAt = orderedAt
        self.currency = currency
        self.items = items
    }

    public static let maxItems = 1000

    /// Each item checked by the orders feed's own row rules (`OrderRowReader`), so that a posted order and a
    /// feed line are held to the same standard; a failure names the field, e.g. `items[1].unit_price`.
    func validatedLines() throws -> [OrderLineRecord] {
        guard !items.isEmpty, items.count <= Self.maxItems else {
            throw CatalogError.validation("items must hold 1 to \(Self.maxItems) order lines.", parameter: "items")
        }
        let columns = ["order_id", "sku", "quantity", "unit_price", "ordered_at", "currency"]
        let reader = OrderRowReader(header: columns)
        var lines: [OrderLineRecord] = []
        var seen = Set<String>()
        for (index, item) in items.enumerated() {
            let record = CSVRecord(fields: [
                orderID ?? "", item.sku ?? "", item.quantity ?? "", item.unitPrice ?? "", orderedAt ?? "", currency ?? "",
            ])
            switch reader.read(record) {
            case .success(let line):
                guard seen.insert(line.sku).inserted else {
                    throw CatalogError.validation(
                        "SKU '\(line.sku)' appears twice in this order; give each SKU once with its total quantity.",
                        parameter: "items[\(index)].sku", value: line.sku)
                }
                lines.append(line)
            case .failure(let diagnostic):
                let column = diagnostic.column ?? "items"
                let parameter = ["sku", "quantity", "unit_price"].contains(column) ? "items[\(index)].\(column)" : column
                throw CatalogError.validation(diagnostic.message, parameter: parameter, value: diagnostic.value)
            }
        }
        return lines
    }
}
