/// Parses a request parameter naming one case of an enum; the error names the parameter and the allowed values.
public enum EnumParameter {
    public static func parse<T: RawRepresentable & CaseIterable>(_ raw: String?, parameter: String) throws -> T?
    where T.RawValue == String {
        guard let raw, !raw.isEmpty else { return nil }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw CatalogError.validation("\(parameter) must be one of: \(allowed).", parameter: parameter, value: raw)
        }
        return value
    }
}
