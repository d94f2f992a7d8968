/// One record of a JSON or NDJSON feed as named fields (§Sources, end: fields are named as the CSV
/// columns), or the diagnostic that skips it.
enum JSONFeedRecord {
    /// The members of the record's object in order, each as feed text (`JSONFeedValue.fieldText`); a
    /// name given twice keeps its first value.
    static func fields(_ bytes: [UInt8], position: Int, layout: JSONRecordSplitter.Layout) -> Result<[(name: String, text: String)], RowDiagnostic> {
        object(bytes, position: position, layout: layout).map { value in
            guard case .object(let members) = value else { return [] }
            var seen = Set<String>()
            var fields: [(name: String, text: String)] = []
            fields.reserveCapacity(members.count)
            for member in members where seen.insert(member.name).inserted {
                fields.append((member.name, member.value.fieldText))
            }
            return fields
        }
    }

    /// The record's object, whole (for a source's mapping to read paths from).
    static func object(_ bytes: [UInt8], position: Int, layout: JSONRecordSplitter.Layout) -> Result<JSONFeedValue, RowDiagnostic> {
        let place = layout == .lines ? "Line \(position)" : "Element \(position) of the array"
        func diagnostic(_ code: String, _ message: String) -> RowDiagnostic {
            RowDiagnostic(line: position, sku: nil, column: nil, code: code, message: message,
                          value: String(decoding: bytes.prefix(200), as: UTF8.self))
        }
        switch JSONFeedParser.parse(bytes) {
        case .failure(let failure):
            return .failure(diagnostic("invalid_json", "\(place) is not valid JSON: \(failure.reason) at byte \(failure.offset)."))
        case .success(let value) where value.isObject:
            return .success(value)
        case .success:
            return .failure(diagnostic("not_an_object", "\(place) is not a JSON object; each record must be an object of fields."))
        }
    }
}
