/// The diagnostics of rows whose key appeared earlier in the same file: the first occurrence counts.
/// Stores that find duplicates themselves (in SQL, at merge) write the same codes and messages.
public enum DuplicateRows {
    public static let skuCode = "duplicate_sku"
    public static let skuMessage = "This SKU appeared earlier in the file; the first occurrence counts."

    public static let orderLineCode = "duplicate_order_line"
    /// The message is `orderLinePrefix + order_id + orderLineSuffix`.
    public static let orderLinePrefix = "Order "
    public static let orderLineSuffix = " already had this SKU earlier in the file; the first line counts."

    public static func sku(line: Int, sku: String) -> RowDiagnostic {
        RowDiagnostic(line: line, sku: sku, column: "sku", code: skuCode, message: skuMessage, value: sku)
    }

    public static func orderLine(line: Int, orderID: String, sku: String) -> RowDiagnostic {
        RowDiagnostic(line: line, sku: sku, column: "sku", code: orderLineCode,
                      message: orderLinePrefix + orderID + orderLineSuffix, value: orderID)
    }
}
