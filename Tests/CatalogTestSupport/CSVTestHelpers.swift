import CatalogCore

// Test helpers for the CSV reader: the service only streams, and writes no CSV.

extension CSVParser {
    /// Parses a whole byte array, feeding it in chunks of `chunkSize`; records are copied out.
    public static func parseAll(
        _ bytes: [UInt8], chunkSize: Int = .max, maxRecordBytes: Int = 64 << 20, maxFields: Int = 100_000
    ) -> [CSVRecord] {
        precondition(chunkSize > 0)
        var parser = CSVParser(maxRecordBytes: maxRecordBytes, maxFields: maxFields)
        var records: [CSVRecord] = []
        bytes.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = start + min(chunkSize, raw.count - start)
                parser.consume(UnsafeRawBufferPointer(rebasing: raw[start..<end])) { records.append(copy $0) }
                start = end
            }
        }
        parser.finish { records.append(copy $0) }
        return records
    }
}

/// Writes CSV lines as a careful producer would, to feed the reader in property tests.
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
