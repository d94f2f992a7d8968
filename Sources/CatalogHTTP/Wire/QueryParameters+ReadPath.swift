import CatalogCore
import Foundation

extension QueryParameters {
    /// A non-negative decimal with up to four fraction digits, kept exact.
    func decimal(_ name: String) throws -> ExactDecimal? {
        guard let raw = self[name] else { return nil }
        guard case .success(let value) = ExactDecimal.parse(raw) else {
            throw CatalogError.validation(
                "\(name) must be a decimal number ≥ 0 with '.' as separator and at most 4 fraction digits, e.g. 19.99.",
                parameter: name, value: raw)
        }
        return value
    }

    /// An ISO 8601 date (midnight UTC) or date-time.
    func instant(_ name: String) throws -> Date? {
        guard let raw = self[name] else { return nil }
        guard let date = ISODateTime.parse(raw) else {
            throw CatalogError.validation(
                "\(name) must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T10:15:00Z.", parameter: name, value: raw)
        }
        return date
    }

    /// Free text of at most `maxLength` characters.
    func text(_ name: String, maxLength: Int) throws -> String? {
        guard let raw = self[name] else { return nil }
        guard raw.count <= maxLength else {
            throw CatalogError.validation("\(name) must be at most \(maxLength) characters.", parameter: name, value: raw)
        }
        return raw
    }

    func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let raw = self[name] else { return nil }
        guard let value = Int64(raw), range.contains(value) else {
            throw CatalogError.validation(
                "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound).", parameter: name, value: raw)
        }
        return value
    }
}
