/// A partner's SKU, as `sales_by_sku` keys it (with the currency beside it).
public struct SkuKey: Sendable, Hashable {
    public var partnerID: String
    public var sku: String

    public init(partnerID: String, sku: String) {
        self.partnerID = partnerID
        self.sku = sku
    }
}

/// The sales of one SKU of one partner in one currency: a row of `sales_by_sku` (all time), or the same
/// figures over a range. `sales` in integer ten-thousandths.
public struct SkuSales: Sendable, Equatable {
    public var partnerID: String
    public var partnerName: String
    public var sku: String
    public var currency: String
    public var lines: Int64
    public var unitsSold: Int64
    public var sales: Int64

    public init(partnerID: String, partnerName: String, sku: String, currency: String, lines: Int64, unitsSold: Int64, sales: Int64) {
        self.partnerID = partnerID
        self.partnerName = partnerName
        self.sku = sku
        self.currency = currency
        self.lines = lines
        self.unitsSold = unitsSold
        self.sales = sales
    }

    public var key: SkuKey { SkuKey(partnerID: partnerID, sku: sku) }

    /// The ranking of top-products: more sales, then more units, then partner name and SKU (bytewise).
    public static func ranks(_ a: SkuSales, before b: SkuSales) -> Bool {
        if a.sales != b.sales { return a.sales > b.sales }
        if a.unitsSold != b.unitsSold { return a.unitsSold > b.unitsSold }
        if a.partnerName != b.partnerName { return a.partnerName.precedesInBytes(b.partnerName) }
        return a.sku.precedesInBytes(b.sku)
    }
}

/// The sizes that decide how top-products searches; tests shrink them to reach every path with a few orders.
public struct TopProductsTuning: Sendable {
    /// Lines in the range up to which aggregating them is the quicker way.
    public var fewLines: Int64 = 20_000
    /// Ranges with less than 1/`smallShare` of the currency's lines are aggregated too (0: never).
    public var smallShare: Int64 = 4
    /// All-time rows read per page.
    public var pageSize = 1000
    /// Past this many all-time rows read, aggregating the order lines is the quicker way.
    public var maxCandidates = 30_000

    public init(fewLines: Int64 = 20_000, smallShare: Int64 = 4, pageSize: Int = 1000, maxCandidates: Int = 30_000) {
        self.fewLines = fewLines
        self.smallShare = smallShare
        self.pageSize = pageSize
        self.maxCandidates = maxCandidates
    }

    /// Read by the stores before they start a query (a database thread has no task locals).
    @TaskLocal public static var current = TopProductsTuning()
}

/// How top-products answers one currency.
public enum TopProductsStrategy: Sendable, Equatable {
    /// No bounds: the all-time rollup is the answer, read in rank order.
    case allTime
    /// The all-time rollup in rank order bounds each SKU's sales in any range from above (amounts are never
    /// negative): `TopSkuSearch` reads it page by page and stops once the best `limit` exact figures beat
    /// every SKU not read yet.
    case ranked
    /// Aggregate the order lines in the range (few lines, or a small part of the currency's sales).
    case lines

    public static func choose(
        _ filter: AnalyticsFilter, linesInRange: Int64, linesInAllTime: Int64, _ tuning: TopProductsTuning
    ) -> TopProductsStrategy {
        if filter.from == nil && filter.to == nil { return .allTime }
        if linesInRange <= tuning.fewLines || linesInRange * tuning.smallShare < linesInAllTime { return .lines }
        return .ranked
    }
}

/// The top `limit` SKUs of one currency over a range, found from the all-time ranking: feed it pages of
/// `sales_by_sku` in rank order with the exact figures of those SKUs in the range.
public struct TopSkuSearch: Sendable {
    public enum Progress: Sendable, Equatable {
        /// `best` is the answer.
        case done
        /// Read the next page, after `cursor`.
        case more
        /// Too many SKUs read: aggregate the order lines instead.
        case gaveUp
    }

    public let limit: Int
    public let tuning: TopProductsTuning
    /// The best SKUs so far with their figures in the range, in rank order, at most `limit`.
    public private(set) var best: [SkuSales] = []
    /// The last all-time row read: the next page starts after it.
    public private(set) var cursor: SkuSales?
    public private(set) var examined = 0

    public init(limit: Int, _ tuning: TopProductsTuning) {
        self.limit = limit
        self.tuning = tuning
    }

    public var pageSize: Int { tuning.pageSize }

    /// The sales of the last of the best, once there are `limit` of them: only SKUs that sold at least
    /// that much in all can still change the answer.
    public var weakestSales: Int64? { best.count == limit ? best.last?.sales : nil }

    /// `page`: the next all-time rows in rank order (`pageSize` of them unless the ranking ended);
    /// `inRange`: the figures in the range of those SKUs that sold in it.
    public mutating func add(page: [SkuSales], inRange: [SkuKey: SkuSales]) -> Progress {
        guard limit > 0 else { return .done }
        for row in page {
            guard let figures = inRange[row.key], figures.lines > 0 else { continue }
            var candidate = row
            candidate.lines = figures.lines
            candidate.unitsSold = figures.unitsSold
            candidate.sales = figures.sales
            if best.count < limit || SkuSales.ranks(candidate, before: best[best.count - 1]) {
                let position = best.firstIndex { SkuSales.ranks(candidate, before: $0) } ?? best.count
                best.insert(candidate, at: position)
                if best.count > limit { best.removeLast() }
            }
        }
        examined += page.count
        guard page.count >= tuning.pageSize, let last = page.last else { return .done }
        cursor = last
        // Every SKU not read yet sold at most `last.sales` in all, so at most that in the range: the best
        // are settled once the last of them sold strictly more (equal sales would leave ties to rank).
        if best.count == limit, let weakest = best.last, weakest.sales > last.sales { return .done }
        return examined >= tuning.maxCandidates ? .gaveUp : .more
    }
}
