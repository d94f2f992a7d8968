import Foundation

/// When a source is fetched by itself (§Sources `schedule`): every so often, or daily at a local time
/// of an IANA time zone, which follows that zone's daylight-saving changes.
public enum SourceSchedule: Sendable, Equatable {
    /// `text` as given ("15m", "6h", "1d").
    case every(seconds: Int, text: String)
    case dailyAt(hour: Int, minute: Int, timeZone: String)

    static let shortestInterval = 60

    /// The schedule object of a request; `null` is no schedule.
    public static func parse(_ value: JSONValue) throws -> SourceSchedule? {
        func invalid(_ message: String) -> CatalogError { .validation(message, parameter: "schedule") }
        switch value {
        case .null: return nil
        case .object(let fields):
            if let every = fields["every"] {
                guard fields.count == 1, case .string(let text) = every else {
                    throw invalid("schedule.every must be a text like \"15m\", \"6h\" or \"1d\", alone.")
                }
                guard let seconds = interval(text), seconds >= shortestInterval, seconds <= 366 * 86_400 else {
                    throw CatalogError.validation(
                        "schedule.every must be a whole number of minutes (m), hours (h) or days (d), at least 1m, like \"15m\".",
                        parameter: "schedule.every", value: text)
                }
                return .every(seconds: seconds, text: text)
            }
            guard case .string(let time)? = fields["daily_at"] else {
                throw invalid("schedule must be {\"every\": \"15m\"}, {\"daily_at\": \"02:00\", \"timezone\": \"Europe/Berlin\"} or null.")
            }
            let parts = time.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
                  let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
            else {
                throw CatalogError.validation("schedule.daily_at must be a time HH:MM (00:00–23:59).", parameter: "schedule.daily_at", value: time)
            }
            var zone = "UTC"
            if let given = fields["timezone"] {
                guard case .string(let name) = given, TimeZone(identifier: name) != nil, name.contains("/") || name == "UTC" else {
                    throw CatalogError.validation(
                        "schedule.timezone must be an IANA time zone name such as Europe/Berlin.", parameter: "schedule.timezone",
                        value: { if case .string(let text) = given { return text } else { return nil } }())
                }
                zone = name
            }
            guard fields.keys.allSatisfy({ ["daily_at", "timezone"].contains($0) }) else {
                throw invalid("schedule has fields other than daily_at and timezone.")
            }
            return .dailyAt(hour: hour, minute: minute, timeZone: zone)
        default:
            throw invalid("schedule must be an object or null.")
        }
    }

    static func interval(_ text: String) -> Int? {
        let digits = text.dropLast()
        guard let unit = text.last, let first = digits.first, first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let count = Int(digits)
        else { return nil }
        switch unit {
        case "m": return count.multipliedReportingOverflow(by: 60).overflow ? nil : count * 60
        case "h": return count.multipliedReportingOverflow(by: 3600).overflow ? nil : count * 3600
        case "d": return count.multipliedReportingOverflow(by: 86_400).overflow ? nil : count * 86_400
        default: return nil
        }
    }

    /// The first scheduled time strictly after `date`: `every` counts from `date`; `daily_at` is the
    /// next wall-clock time in the zone (a time the spring change skips runs at the first moment after it).
    public func next(after date: Date) -> Date {
        switch self {
        case .every(let seconds, _):
            return date.addingTimeInterval(TimeInterval(seconds))
        case .dailyAt(let hour, let minute, let zone):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
            let wanted = DateComponents(hour: hour, minute: minute, second: 0)
            return calendar.nextDate(after: date, matching: wanted, matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward)
                ?? date.addingTimeInterval(86_400)
        }
    }

    public var json: String {
        var writer = JSONObjectWriter()
        switch self {
        case .every(_, let text):
            writer.string("every", text)
        case .dailyAt(let hour, let minute, let zone):
            writer.string("daily_at", String(format: "%02d:%02d", hour, minute))
            writer.string("timezone", zone)
        }
        return writer.json
    }
}
