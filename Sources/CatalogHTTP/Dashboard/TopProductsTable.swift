import CatalogCore

/// Top products per currency with a sparkline of each one's units per period of the sales chart.
struct TopProductsTable {
    struct Sparkline {
        var points: String
        var dotX: String
        var dotY: String
        var title: String
        var desc: String
    }
    struct Row {
        var rank: Int
        var productName: String?
        var productID: String?
        var sku: String
        var partner: String
        var currency: String
        var units: String
        var unitsValue: Int64
        var total: String
        var totalValue: String
        var sparkline: Sparkline
        var sparklineID: String
    }

    static let sparkWidth = 120, sparkHeight = 28

    var rows: [Row] = []
    var hasRows = false
    var limit: Int
    let sparkWidth = Self.sparkWidth, sparkHeight = Self.sparkHeight

    init(_ figures: DashboardFigures) {
        limit = figures.topProductsLimit
        let periods = figures.periods
        var rank = 0
        var currency: String?
        for (index, product) in figures.topProducts.enumerated() {
            if product.currency != currency {
                currency = product.currency
                rank = 0
            }
            rank += 1
            let units = index < figures.topProductUnits.count ? figures.topProductUnits[index] : []
            rows.append(Row(
                rank: rank, productName: product.productName, productID: product.productID, sku: product.sku,
                partner: product.partnerName, currency: product.currency, units: DisplayNumber.integer(product.unitsSold),
                unitsValue: product.unitsSold, total: DisplayNumber.amount(product.totalSales), totalValue: product.totalSales.description,
                sparkline: Self.sparkline(units, periods: periods, grain: figures.grain, name: product.productName ?? product.sku),
                sparklineID: "spark-\(index)"))
        }
        hasRows = !rows.isEmpty
    }

    static func sparkline(_ units: [Int64], periods: [Int64], grain: SalesGrain, name: String) -> Sparkline {
        let top = max(units.max() ?? 0, 1)
        let (width, height) = (Double(sparkWidth - 4), Double(sparkHeight - 4))
        let coordinates = units.enumerated().map { index, value in
            (units.count == 1 ? 2 + width / 2 : 2 + width * Double(index) / Double(units.count - 1),
             2 + height - height * Double(value) / Double(top))
        }
        let last = coordinates.last ?? (2, 2 + height)
        let listed = zip(periods, units).map { "\(SalesPeriods.label($0)): \(DisplayNumber.integer($1))" }
        return Sparkline(
            points: coordinates.map { "\(SalesChart.coordinate($0.0)),\(SalesChart.coordinate($0.1))" }.joined(separator: " "),
            dotX: SalesChart.coordinate(last.0), dotY: SalesChart.coordinate(last.1),
            title: "Units of \(name) per \(grain.rawValue) period",
            desc: listed.isEmpty ? "No periods." : listed.joined(separator: ", "))
    }
}
