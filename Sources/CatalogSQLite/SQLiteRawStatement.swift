import GRDB
import GRDBSQLite
import Foundation

/// Binds and steps a prepared GRDB statement through the SQLite C API. The ETL stages a million rows
/// per feed; GRDB's `StatementArguments` box every value in an existential, which cost more than
/// SQLite's own work on that path.
struct SQLiteRawStatement {
    private let handle: OpaquePointer
    /// Kept for its SQL text, read only for an error: GRDB builds it anew on each read.
    private let statement: Statement

    init(_ statement: Statement) {
        handle = statement.sqliteStatement
        self.statement = statement
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: String) {
        var value = value
        value.withUTF8 { bytes in
            // An empty buffer may have no base address; SQLite reads NULL as NULL, so point at something.
            let base = bytes.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(bitPattern: 1)!
            _ = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        }
    }

    func bind(_ index: Int32, _ value: String?) {
        if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
    }

    /// Steps once; true when a row is available. Errors carry SQLite's code and message.
    func step(_ db: Database) throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Ready to step again; values bound so far stay bound.
    func resetKeepingBindings() {
        sqlite3_reset(handle)
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The integer in `column`; nil for NULL.
    func optionalInt64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    /// The value in `column` as GRDB reads it (for the rare value no faster accessor reads).
    func databaseValue(_ column: Int32) -> DatabaseValue {
        DatabaseValue(sqliteStatement: handle, index: column)
    }

    /// The text in `column`; nil for NULL.
    func string(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Whether the text in `column` has exactly the UTF-8 bytes of `value`.
    func text(_ column: Int32, equals value: String) -> Bool {
        guard let pointer = sqlite3_column_text(handle, column) else { return false }
        let count = Int(sqlite3_column_bytes(handle, column))
        var value = value
        return value.withUTF8 { bytes in
            bytes.count == count && (count == 0 || memcmp(bytes.baseAddress!, pointer, count) == 0)
        }
    }
}

