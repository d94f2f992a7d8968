import Foundation

/// The checks every feed row passes before its columns are read: well-formed CSV, as many fields
/// as the header, UTF-8 text without NUL bytes.
enum RowFields {
    static func check(_ record: borrowing CSVRecord, header: [String], skuIndex: Int?) -> Result<CheckedRow, RowDiagnostic> {
        let line = record.line
        if let malformation = record.malformation {
            return .failure(RowDiagnostic(line: line, sku: nil, column: nil, code: malformation.code, message: malformation.message, value: nil))
        }
        let count = record.fieldCount
        let sku = skuIndex.flatMap { $0 < count ? record.string($0)?.trimmingWhitespace() : nil }
        func fail(_ column: String?, _ code: String, _ message: String, _ value: String?) -> Result<CheckedRow, RowDiagnostic> {
            .failure(RowDiagnostic(line: line, sku: sku, column: column, code: code, message: message, value: value))
        }
        guard count == header.count else {
            return fail(nil, "wrong_field_count", "The row has \(count) fields; the header has \(header.count).", nil)
        }
        var strings: [String] = []
        strings.reserveCapacity(count)
        for index in 0..<count {
            guard let value = record.string(index) else {
                return fail(header[index], "invalid_utf8", "The value is not valid UTF-8 text.", nil)
            }
            strings.append(value)
        }
        if record.containsByte(0), let bad = strings.firstIndex(where: { $0.containsByte(0) }) {
            // Shown with U+FFFD in place of each NUL: no store (nor most clients) keeps NUL in text.
            return fail(header[bad], "invalid_characters", "The value contains NUL bytes.",
                        strings[bad].replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"))
        }
        return .success(CheckedRow(line: line, fields: strings, sku: sku))
    }
}

/// A row that passed `RowFields.check`, with what the readers need to read its columns and report on it.
struct CheckedRow {
    let line: Int
    let fields: [String]
    /// The row's SKU as given, for diagnostics.
    let sku: String?

    /// The trimmed value at `position`; nil when the column is absent or the value empty.
    func text(_ position: Int?) -> String? {
        guard let position else { return nil }
        let value = fields[position].trimmingWhitespace()
        return value.isEmpty ? nil : value
    }

    func raw(_ position: Int?) -> String? { position.map { fields[$0] } }

    func failure<T>(_ column: String?, _ code: String, _ message: String, _ value: String?) -> Result<T, RowDiagnostic> {
        .failure(RowDiagnostic(line: line, sku: sku, column: column, code: code, message: message, value: value))
    }
}
