import CatalogCore
import Foundation
import GRDB

/// Dates as GRDB stores them: `yyyy-MM-dd HH:mm:ss.SSS` text in UTC.
extension SQLiteCatalogStore {
    /// A stored date, parsed without Foundation's calendar (it costs more than the rest of a product row).
    static func date(_ value: DatabaseValue) -> Date {
        if case .string(let text) = value.storage, let micros = UTCMicroseconds.parseSQLiteText(text) {
            return UTCMicroseconds.date(micros)
        }
        return Date.fromDatabaseValue(value) ?? Date(timeIntervalSince1970: 0)
    }

    /// A lower or upper bound on a stored date: dates are stored to the millisecond, so `date` rounded up to
    /// the next millisecond keeps `>=` and `<` exact.
    static func storedBound(_ date: Date) -> String {
        let micros = UTCMicroseconds.of(date)
        let remainder = ((micros % 1000) + 1000) % 1000
        return UTCMicroseconds.sqliteText(remainder == 0 ? micros : micros + 1000 - remainder)
    }
}
