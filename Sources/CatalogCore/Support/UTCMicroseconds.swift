import struct Foundation.Date

/// Instants as whole microseconds since 1970-01-01 UTC, and the two text forms the read path needs
/// (SQLite's stored `yyyy-MM-dd HH:mm:ss.SSS` and ISO 8601 with milliseconds), written and parsed by
/// hand: they run for every product on every page, where Foundation's formatters cost the most.
public enum UTCMicroseconds {
    /// 2001-01-01, Foundation's reference date, in microseconds since 1970: dates hold their time since
    /// it, and converting from there keeps microseconds exact for centuries around now.
    static let referenceDate: Int64 = 978_307_200_000_000

    public static func of(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSinceReferenceDate * 1_000_000).rounded()) + referenceDate
    }

    public static func date(_ microseconds: Int64) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(microseconds - referenceDate) / 1_000_000)
    }

    /// `2026-11-21T15:04:05.123Z` (milliseconds, truncated).
    public static func iso8601(_ date: Date) -> String {
        format(of(date), dateTimeSeparator: "T", suffix: "Z")
    }

    /// `2026-11-21 15:04:05.123`, the form GRDB stores dates in.
    public static func sqliteText(_ microseconds: Int64) -> String {
        format(microseconds, dateTimeSeparator: " ", suffix: "")
    }

    /// Parses `yyyy-MM-dd HH:mm:ss.SSS` (also with `T`, without fraction, or a date alone); nil otherwise.
    public static func parseSQLiteText(_ text: String) -> Int64? {
        var utf8 = text.utf8.makeIterator()
        var position = 0
        func number(_ width: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<width {
                guard let byte = utf8.next(), byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
                position += 1
            }
            return value
        }
        func separator(_ allowed: UInt8...) -> Bool? {
            guard let byte = utf8.next() else { return nil }
            position += 1
            return allowed.contains(byte)
        }
        guard let year = number(4), separator(0x2D) == true, let month = number(2), separator(0x2D) == true,
              let day = number(2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let days = Int64(ISODateTime.daysFromCivil(year: Int(year), month: Int(month), day: Int(day)))
        var micros = days * 86_400_000_000
        switch separator(0x20, 0x54) {
        case .none: return micros
        case .some(false): return nil
        case .some(true): break
        }
        guard let hour = number(2), separator(0x3A) == true, let minute = number(2), separator(0x3A) == true,
              let second = number(2)
        else { return nil }
        micros += ((hour * 60 + minute) * 60 + second) * 1_000_000
        switch separator(0x2E) {
        case .none: return micros
        case .some(false): return nil
        case .some(true): break
        }
        var scale: Int64 = 100_000
        var digits = 0
        while let byte = utf8.next() {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            micros += Int64(byte - 0x30) * scale
            scale /= 10
            digits += 1
        }
        return digits > 0 ? micros : nil
    }

    private static func format(_ microseconds: Int64, dateTimeSeparator: Character, suffix: String) -> String {
        var (days, microsOfDay) = microseconds.quotientAndRemainder(dividingBy: 86_400_000_000)
        if microsOfDay < 0 {
            microsOfDay += 86_400_000_000
            days -= 1
        }
        let (year, month, day) = civil(days)
        let millis = microsOfDay / 1000
        var out = ""
        out.reserveCapacity(32)
        append(year, width: 4, to: &out)
        out.append("-")
        append(month, width: 2, to: &out)
        out.append("-")
        append(day, width: 2, to: &out)
        out.append(dateTimeSeparator)
        append(millis / 3_600_000, width: 2, to: &out)
        out.append(":")
        append(millis / 60_000 % 60, width: 2, to: &out)
        out.append(":")
        append(millis / 1000 % 60, width: 2, to: &out)
        out.append(".")
        append(millis % 1000, width: 3, to: &out)
        out += suffix
        return out
    }

    private static func append(_ value: Int64, width: Int, to out: inout String) {
        let digits = String(value)
        if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
        out += digits
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
