import Foundation

extension String {
    /// Whether the UTF-8 form holds `byte`: memchr over native strings, which the CSV reader makes.
    @inline(__always)
    func containsByte(_ byte: UInt8) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ UnsafeRawBufferPointer($0).containsByte(byte) }) {
            return found
        }
        return utf8.contains(byte)
    }
}

extension UnsafeRawBufferPointer {
    /// Whether the bytes hold `byte` (memchr).
    @inline(__always)
    func containsByte(_ byte: UInt8) -> Bool {
        guard let base = baseAddress, !isEmpty else { return false }
        return memchr(base, Int32(byte), count) != nil
    }
}
