import CatalogCore

struct DiagnosticJSON: Encodable {
    var diagnostic: RowDiagnostic

    enum CodingKeys: String, CodingKey { case line, sku, column, code, message, value }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(diagnostic.line, forKey: .line)
        try c.encode(diagnostic.sku, forKey: .sku)
        try c.encode(diagnostic.column, forKey: .column)
        try c.encode(diagnostic.code, forKey: .code)
        try c.encode(diagnostic.message, forKey: .message)
        try c.encode(diagnostic.value, forKey: .value)
    }
}
