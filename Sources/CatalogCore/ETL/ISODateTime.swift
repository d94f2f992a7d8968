import struct Foundation.Date

/// ISO 8601 dates (`2026-11-21`, midnight UTC) and date-times (`2026-11-21T10:15:00Z`, `…+01:00`,
/// fractional seconds, a space instead of `T`, no zone meaning UTC), converted to UTC.
public enum ISODateTime {
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.trimmingWhitespace().utf8)
        var position = 0

        func number(_ width: Int) -> Int? {
            guard position + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[position..<(position + width)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            position += width
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D), let day = number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        guard position < bytes.count else { return Date(timeIntervalSince1970: seconds) }

        guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: "t")) || expect(0x20),
              let hour = number(2), expect(0x3A), let minute = number(2), hour < 24, minute < 60
        else { return nil }
        var second = 0
        var fraction = 0.0
        if expect(0x3A) {
            guard let value = number(2), value < 60 else { return nil }
            second = value
            if expect(0x2E) || expect(0x2C) {
                var scale = 0.1
                var digits = 0
                while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                    fraction += Double(bytes[position] - 0x30) * scale
                    scale /= 10
                    digits += 1
                    position += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        seconds += Double(hour * 3600 + minute * 60 + second) + fraction
        guard position < bytes.count else { return Date(timeIntervalSince1970: seconds) }
        if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
            return position == bytes.count ? Date(timeIntervalSince1970: seconds) : nil
        }
        let sign: Double
        if expect(0x2B) { sign = 1 } else if expect(0x2D) { sign = -1 } else { return nil }
        guard let offsetHours = number(2), offsetHours < 24 else { return nil }
        _ = expect(0x3A)
        guard let offsetMinutes = number(2), offsetMinutes < 60, position == bytes.count else { return nil }
        return Date(timeIntervalSince1970: seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
