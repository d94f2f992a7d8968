import CatalogCore

/// Sales over time as a line chart, one line per currency on one value axis, with its data table.
struct SalesChart {
    struct Tick { var position: String; var label: String; var anchor = "middle" }
    struct Point { var x: String; var y: String; var title: String }
    struct Series {
        var currency: String
        var colour: String
        var points: String
        var dots: [Point]
        var total: String
    }
    struct Row {
        var period: String
        var currency: String
        var orders: String
        var ordersValue: Int64
        var units: String
        var unitsValue: Int64
        var total: String
        var totalValue: String
    }

    static let width = 560, height = 260
    static let left = 64, right = 540, top = 12, bottom = 228
    /// Each point gets a dot with its own tooltip up to this many periods.
    static let maxDots = 62

    var title: String
    var desc: String
    var yTicks: [Tick] = []
    var xLabels: [Tick] = []
    var series: [Series] = []
    var rows: [Row] = []
    /// Template fields are stored properties: Mustache reads them by reflection.
    var hasRows = false
    let width = Self.width, height = Self.height, left = Self.left, right = Self.right, top = Self.top, bottom = Self.bottom

    init(_ figures: DashboardFigures) {
        let grain = figures.grain.rawValue
        let periods = figures.periods
        let currencies = Array(Set(figures.salesOverTime.map(\.currency))).sorted()
        title = "Sales over time (\(grain))"
        rows = figures.salesOverTime.map { row in
            Row(period: row.salesPeriod, currency: row.currency, orders: DisplayNumber.integer(row.orders), ordersValue: row.orders,
                units: DisplayNumber.integer(row.unitsSold), unitsValue: row.unitsSold,
                total: DisplayNumber.amount(row.totalSales), totalValue: row.totalSales.description)
        }
        hasRows = !rows.isEmpty
        guard let first = periods.first, let last = periods.last else {
            desc = "No sales in this range."
            return
        }
        let scale = ChartScale(largest: figures.salesOverTime.map(\.totalSales.units).max() ?? 0)
        let plotWidth = Double(Self.right - Self.left), plotHeight = Double(Self.bottom - Self.top)
        func x(_ index: Int) -> Double {
            periods.count == 1 ? Double(Self.left) + plotWidth / 2 : Double(Self.left) + plotWidth * Double(index) / Double(periods.count - 1)
        }
        func y(_ units: Int64) -> Double { Double(Self.bottom) - plotHeight * scale.fraction(units) }
        yTicks = scale.ticks.map { Tick(position: Self.coordinate(y($0)), label: DisplayNumber.amount(ExactDecimal(units: $0))) }
        // At most five labels; the first and last keep inside the chart.
        let labelEvery = max(1, (periods.count + 4) / 5)
        xLabels = periods.indices.filter { $0 % labelEvery == 0 }.map { index in
            let anchor = periods.count == 1 ? "middle" : index == 0 ? "start" : index == periods.count - 1 ? "end" : "middle"
            return Tick(position: Self.coordinate(x(index)), label: SalesPeriods.label(periods[index]), anchor: anchor)
        }
        let position = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1, $0) })
        var summaries: [String] = []
        for (index, currency) in currencies.enumerated() {
            let points = figures.salesOverTime.filter { $0.currency == currency }.compactMap { row -> (Int, PeriodSales)? in
                position[row.periodStartDay].map { ($0, row) }
            }
            let total = ExactDecimal(units: points.reduce(0) { $0 + $1.1.totalSales.units })
            series.append(Series(
                currency: currency, colour: "c\(index % 6)",
                points: points.map { "\(Self.coordinate(x($0.0))),\(Self.coordinate(y($0.1.totalSales.units)))" }.joined(separator: " "),
                dots: periods.count > Self.maxDots ? [] : points.map { point in
                    Point(x: Self.coordinate(x(point.0)), y: Self.coordinate(y(point.1.totalSales.units)),
                          title: "\(point.1.salesPeriod) \(DisplayNumber.money(point.1.totalSales, currency)), \(point.1.orders) orders")
                },
                total: DisplayNumber.money(total, currency)))
            summaries.append("\(DisplayNumber.money(total, currency)) in all")
        }
        desc = "Total sales per \(grain) period from \(SalesPeriods.label(first)) to \(SalesPeriods.label(last)), "
            + "one line per currency (\(currencies.joined(separator: ", "))): " + summaries.joined(separator: "; ") + "."
    }

    /// SVG coordinates to a tenth of a pixel.
    static func coordinate(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(abs(tenths % 10))"
    }
}
