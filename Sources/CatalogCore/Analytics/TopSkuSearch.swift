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
    /// Lines in the range (of one currency) up to which aggregating them is the quicker way: about 15 ms
    /// of them, where the bounded search takes 5–20 ms when it prunes.
    public var fewLines: Int64 = 2_000
    /// Straddling SKUs read per page.
    public var pageSize = 1000
    /// Past this many straddling SKUs to read, aggregating the order lines is the quicker way.
    public var maxCandidates = 30_000

    public init(fewLines: Int64 = 2_000, pageSize: Int = 1000, maxCandidates: Int = 30_000) {
        self.fewLines = fewLines
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
    /// From the SKUs' spans in `sales_by_sku` (`TopSkuSearch`).
    case bounded
    /// Aggregate the order lines in the range (few of them).
    case lines

    public static func choose(_ filter: AnalyticsFilter, linesInRange: Int64, _ tuning: TopProductsTuning) -> TopProductsStrategy {
        if filter.from == nil && filter.to == nil { return .allTime }
        return linesInRange <= tuning.fewLines ? .lines : .bounded
    }
}

/// A SKU whose lines straddle an edge of the range (its first line before the range or its last at or
/// after its end, and its span overlapping it), with an upper bound of its sales in the range: at least
/// one of its lines is outside, and every line sold at least its smallest, so it sold at most its
/// all-time sales less its smallest line.
public struct StraddlingSku: Sendable, Equatable {
    public var key: SkuKey
    public var bound: Int64

    public init(key: SkuKey, bound: Int64) {
        self.key = key
        self.bound = bound
    }

    /// The order the stores read them in: bound descending, then partner ID and SKU (bytewise).
    public static func precedes(_ a: StraddlingSku, _ b: StraddlingSku) -> Bool {
        if a.bound != b.bound { return a.bound > b.bound }
        if a.key.partnerID != b.key.partnerID { return a.key.partnerID.precedesInBytes(b.key.partnerID) }
        return a.key.sku.precedesInBytes(b.key.sku)
    }
}

/// The top `limit` SKUs of one currency over a range, from what `sales_by_sku` keeps of each SKU beside
/// its totals: the instants of its first and last lines and its smallest line's sales. A SKU whose lines
/// all lie in the range sold its all-time figures in it, one whose lines all lie outside sold nothing, and
/// one that straddles an edge sold at most its `StraddlingSku.bound`. Start from the best SKUs wholly
/// inside, then feed pages of the straddling ones in bound order with their exact figures in the range;
/// stop once the last of the best beats every bound not read yet.
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
    /// The last straddling SKU read: the next page starts after it.
    public private(set) var cursor: StraddlingSku?
    public private(set) var examined = 0

    /// `inside`: the best `limit` (or all) of the SKUs whose lines all lie in the range, with their
    /// all-time figures.
    public init(limit: Int, _ tuning: TopProductsTuning, inside: [SkuSales]) {
        self.limit = limit
        self.tuning = tuning
        for row in inside { insert(row) }
    }

    public var pageSize: Int { tuning.pageSize }

    /// The sales of the last of the best, once there are `limit` of them: only straddling SKUs whose
    /// bound reaches it can still change the answer (a tie in sales may rank first on units).
    public var weakestSales: Int64? { best.count == limit ? best.last?.sales : nil }

    /// `page`: the next straddling SKUs in `StraddlingSku.precedes` order, from those whose bound reaches
    /// `weakestSales` (`pageSize` of them unless they ended); `inRange`: the figures in the range of those
    /// that sold in it.
    public mutating func add(page: [StraddlingSku], inRange: [SkuKey: SkuSales]) -> Progress {
        guard limit > 0 else { return .done }
        for row in page {
            if let figures = inRange[row.key], figures.lines > 0 { insert(figures) }
        }
        examined += page.count
        guard page.count >= tuning.pageSize, let last = page.last else { return .done }
        cursor = last
        if let weakest = weakestSales, weakest > last.bound { return .done }
        return examined >= tuning.maxCandidates ? .gaveUp : .more
    }

    private mutating func insert(_ candidate: SkuSales) {
        guard limit > 0, best.count < limit || SkuSales.ranks(candidate, before: best[best.count - 1]) else { return }
        let position = best.firstIndex { SkuSales.ranks(candidate, before: $0) } ?? best.count
        best.insert(candidate, at: position)
        if best.count > limit { best.removeLast() }
    }
}
