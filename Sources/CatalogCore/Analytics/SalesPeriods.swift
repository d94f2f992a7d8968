/// Calendar periods in UTC over days since 1970-01-01: days, ISO weeks (Monday first) and months.
public enum SalesPeriods {
    public static func start(ofDay day: Int64, _ grain: SalesGrain) -> Int64 {
        switch grain {
        case .daily:
            return day
        case .weekly:
            // 1970-01-01 was a Thursday: three days after a Monday.
            return day - floorMod(day + 3, 7)
        case .monthly:
            let (year, month, _) = UTCMicroseconds.civil(day)
            return Int64(ISODateTime.daysFromCivil(year: Int(year), month: Int(month), day: 1))
        }
    }

    public static func next(after start: Int64, _ grain: SalesGrain) -> Int64 {
        switch grain {
        case .daily: return start + 1
        case .weekly: return start + 7
        case .monthly:
            let (year, month, _) = UTCMicroseconds.civil(start)
            let (nextYear, nextMonth) = month == 12 ? (year + 1, Int64(1)) : (year, month + 1)
            return Int64(ISODateTime.daysFromCivil(year: Int(nextYear), month: Int(nextMonth), day: 1))
        }
    }

    /// The day holding the instant `microseconds`.
    public static func day(ofMicroseconds microseconds: Int64) -> Int64 {
        floorDiv(microseconds, 86_400_000_000)
    }

    /// `2026-11-02`
    public static func label(_ day: Int64) -> String {
        String(UTCMicroseconds.sqliteText(day * 86_400_000_000).prefix(10))
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
        return remainder < 0 ? quotient - 1 : quotient
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        let remainder = a % b
        return remainder < 0 ? remainder + b : remainder
    }
}

extension PeriodSales {
    /// The period's first day, e.g. `2026-11-02`.
    public var salesPeriod: String { SalesPeriods.label(periodStartDay) }
}
