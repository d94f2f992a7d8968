public enum CSVWriter {
    /// Quotes a field when it contains `,` `"` CR or LF, has leading or trailing space,
    /// or starts with U+FEFF (which a reader would take for a BOM at the start of a file).
    public static func escape(_ field: String) -> String {
        guard needsQuotes(field) else { return field }
        var quoted = "\""
        for scalar in field.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append("\"") }
            quoted.unicodeScalars.append(scalar)
        }
        quoted.unicodeScalars.append("\"")
        return quoted
    }

    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\n"
    }

    private static func needsQuotes(_ field: String) -> Bool {
        let utf8 = field.utf8
        if utf8.first == 0x20 || utf8.last == 0x20 || field.unicodeScalars.first == "\u{FEFF}" { return true }
        return utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
    }
}
