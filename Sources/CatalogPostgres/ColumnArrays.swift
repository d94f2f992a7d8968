import CatalogCore
import Foundation
import NIOCore
import PostgresNIO

/// Rows bound as one binary PostgreSQL array per column and inserted with `unnest`, one extended
/// query per batch.
///
/// This stands where COPY stood: PostgresNIO 1.33.2 stops the whole process (a precondition in its
/// connection state machine) when the connection drops while `copyFrom` is writing, so a PostgreSQL
/// restart during a job's staging killed `serve` and `worker`. A query on a dropped connection fails
/// like any other and the job is retried.
struct ColumnArrays {
    enum Kind {
        case text, bigint, boolean, timestamptz

        var element: PostgresDataType {
            switch self {
            case .text: .text
            case .bigint: .int8
            case .boolean: .bool
            case .timestamptz: .timestamptz
            }
        }

        var array: PostgresDataType {
            switch self {
            case .text: .textArray
            case .bigint: .int8Array
            case .boolean: .boolArray
            case .timestamptz: .timestamptzArray
            }
        }
    }

    let table: String
    let columns: [(name: String, kind: Kind)]
    private var elements: [ByteBuffer]
    private var column = 0
    private(set) var rowCount = 0

    init(into table: String, _ columns: [(name: String, kind: Kind)], bytesPerRow: Int = 64, rows: Int = 0) {
        self.table = table
        self.columns = columns
        let allocator = ByteBufferAllocator()
        let perColumn = max(64, rows * (bytesPerRow / max(1, columns.count) + 4))
        elements = columns.map { _ in allocator.buffer(capacity: perColumn) }
    }

    mutating func field(_ value: String?) {
        let index = next(.text)
        guard var value else { return writeNull(index) }
        value.withUTF8 { bytes in
            elements[index].writeWithUnsafeMutableBytes(minimumWritableBytes: 4 + bytes.count) { out in
                out.storeBytes(of: Int32(bytes.count).bigEndian, as: Int32.self)
                if let base = bytes.baseAddress { (out.baseAddress! + 4).copyMemory(from: base, byteCount: bytes.count) }
                return 4 + bytes.count
            }
        }
    }

    mutating func field(_ value: Int64?) {
        let index = next(.bigint)
        guard let value else { return writeNull(index) }
        write(value, to: index)
    }

    mutating func field(_ value: Int?) { field(value.map(Int64.init)) }

    mutating func field(_ value: Bool) {
        let index = next(.boolean)
        elements[index].writeWithUnsafeMutableBytes(minimumWritableBytes: 5) { out in
            out.storeBytes(of: Int32(1).bigEndian, as: Int32.self)
            out.storeBytes(of: UInt8(value ? 1 : 0), toByteOffset: 4, as: UInt8.self)
            return 5
        }
    }

    /// Microseconds since 2000-01-01 UTC, PostgreSQL's binary `timestamptz`.
    mutating func field(_ value: Date) {
        write(UTCMicroseconds.of(value) - Self.postgresEpoch, to: next(.timestamptz))
    }

    mutating func endRow() {
        precondition(column == columns.count, "a row of \(table) has \(column) of its \(columns.count) fields")
        column = 0
        rowCount += 1
    }

    /// `INSERT INTO table (…) SELECT * FROM unnest($1::text[], …)` with every column bound.
    var insert: PostgresQuery {
        var binds = PostgresBindings(capacity: columns.count)
        for (index, column) in columns.enumerated() {
            binds.append(BinaryArray(kind: column.kind, count: rowCount, elements: elements[index]))
        }
        let names = columns.map(\.name).joined(separator: ", ")
        let arrays = columns.enumerated().map { "$\($0.offset + 1)::\($0.element.kind.array.knownSQLName!)" }.joined(separator: ", ")
        return PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(names)) SELECT * FROM unnest(\(arrays))", binds: binds)
    }

    private static let postgresEpoch: Int64 = 946_684_800_000_000

    private mutating func next(_ kind: Kind) -> Int {
        precondition(column < columns.count && columns[column].kind == kind,
                     "field \(column) of \(table) is not \(kind)")
        defer { column += 1 }
        return column
    }

    // Each field is one write of raw bytes: the tests run a debug build, where every generic ByteBuffer
    // call costs microseconds, and staging writes a million rows' fields.
    private mutating func writeNull(_ index: Int) {
        elements[index].writeWithUnsafeMutableBytes(minimumWritableBytes: 4) { out in
            out.storeBytes(of: Int32(-1).bigEndian, as: Int32.self)
            return 4
        }
    }

    private mutating func write(_ value: Int64, to index: Int) {
        elements[index].writeWithUnsafeMutableBytes(minimumWritableBytes: 12) { out in
            out.storeBytes(of: Int32(8).bigEndian, as: Int32.self)
            out.storeBytes(of: value.bigEndian, toByteOffset: 4, as: Int64.self)
            return 12
        }
    }
}

/// One-dimensional array in PostgreSQL's binary form: its header, then each element's length and bytes
/// (−1 for NULL) as `ColumnArrays` wrote them.
private struct BinaryArray: PostgresDynamicTypeEncodable {
    let kind: ColumnArrays.Kind
    let count: Int
    let elements: ByteBuffer

    var psqlType: PostgresDataType { kind.array }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Int32(1))  // dimensions
        buffer.writeInteger(Int32(1))  // may hold NULLs
        buffer.writeInteger(kind.element.rawValue)
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))  // lower bound
        var elements = elements
        buffer.writeBuffer(&elements)
    }
}
