import Foundation

extension String {
    /// Whether the UTF-8 form holds `byte`: memchr over native strings, which the CSV reader makes.
    @inline(__always)
    func containsByte(_ byte: UInt8) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return false }
            return memchr(base, Int32(byte), buffer.count) != nil
        }) {
            return found
        }
        return utf8.contains(byte)
    }
}
