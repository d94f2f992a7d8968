import CatalogCore

/// The catalog's stock per partner and category: bars of active products with the low-stock part
/// highlighted, and the table with every figure of `/analytics/inventory`.
struct InventoryChart {
    struct Bar {
        var y: String
        var textY: String
        var width: String
        var lowWidth: String
        var hasLow: Bool
        var label: String
        var fullLabel: String
        var value: String
        var valueX: String
    }
    struct Row {
        var partner: String
        var category: String?
        var currency: String
        var products: Int64
        var active: Int64
        var inStock: Int64
        var outOfStock: Int64
        var lowStock: Int64
        var isLow: Bool
        var averagePrice: String?
        var averagePriceValue: String?
        var inventoryValue: String
        var inventoryValueValue: String
    }

    static let width = 480, labelWidth = 150, barArea = 170, rowHeight = 26
    static let maxBars = 40

    var title = "Inventory per category"
    var desc: String
    var threshold: Int64
    var height = 0
    var bars: [Bar] = []
    var rows: [Row] = []
    var hasRows = false
    var note: String?
    let width = Self.width, labelWidth = Self.labelWidth, barX = Self.labelWidth + 10

    init(_ figures: DashboardFigures) {
        threshold = figures.lowStockThreshold
        rows = figures.inventory.map { group in
            Row(partner: group.partnerName, category: group.category, currency: group.currency, products: group.products,
                active: group.active, inStock: group.inStock, outOfStock: group.outOfStock, lowStock: group.lowStock,
                isLow: group.lowStock > 0, averagePrice: group.averagePrice.map(DisplayNumber.amount),
                averagePriceValue: group.averagePrice?.description, inventoryValue: DisplayNumber.amount(group.inventoryValue),
                inventoryValueValue: group.inventoryValue.description)
        }
        hasRows = !rows.isEmpty
        let largest = max(figures.inventory.map(\.active).max() ?? 0, 1)
        for (index, group) in figures.inventory.prefix(Self.maxBars).enumerated() {
            let y = index * Self.rowHeight
            let width = Double(Self.barArea) * Double(group.active) / Double(largest)
            let lowWidth = Double(Self.barArea) * Double(min(group.lowStock, group.active)) / Double(largest)
            let name = "\(group.category ?? "(no category)") · \(group.partnerName)"
            let value = "\(group.active) active, \(group.lowStock) low" + (group.outOfStock > 0 ? ", \(group.outOfStock) out" : "")
            bars.append(Bar(
                y: String(y + 4), textY: String(y + 18), width: SalesChart.coordinate(max(width, 1)),
                lowWidth: SalesChart.coordinate(lowWidth), hasLow: group.lowStock > 0, label: ShareChart.short(name, 22),
                fullLabel: "\(name) (\(group.currency)): \(value)", value: value,
                valueX: SalesChart.coordinate(Double(Self.labelWidth + 16) + max(width, 1))))
        }
        height = max(figures.inventory.prefix(Self.maxBars).count * Self.rowHeight + 4, 30)
        if figures.inventory.count > Self.maxBars {
            note = "The chart shows the first \(Self.maxBars) of \(figures.inventory.count) groups; the table lists them all."
        }
        let low = figures.inventory.filter { $0.lowStock > 0 }
        desc = figures.inventory.isEmpty ? "No products in this scope."
            : "Active products per partner and category; \(low.count) of \(figures.inventory.count) groups have products with 1 to "
                + "\(threshold) units left, highlighted" + (low.isEmpty ? "." : ": "
                    + low.map { "\($0.category ?? "(no category)") of \($0.partnerName) (\($0.lowStock))" }.joined(separator: ", ") + ".")
    }
}
