import CatalogCore
import Foundation
import NIOCore
import NIOPosix

/// A temporary file holding a multipart file part until every form field is known.
/// Removed when released.
final class SpoolFile: @unchecked Sendable {
    private static let chunkSize = 256 * 1024
    private let fd: Int32
    private let path: String
    private let pool: NIOThreadPool
    private(set) var size: Int64 = 0

    init(directory: String, pool: NIOThreadPool = .singleton) async throws {
        let path = directory + "/spool-" + UUID().uuidString
        self.path = path
        self.pool = pool
        fd = try await pool.runIfActive {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw Self.failure("create spool file") }
            unlink(path)
            return fd
        }
    }

    deinit { close(fd) }

    func write(_ chunk: ByteBuffer) async throws {
        let fd = self.fd
        try await pool.runIfActive {
            try chunk.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw Self.failure("write spool file")
                    }
                    offset += written
                }
            }
        }
        size += Int64(chunk.readableBytes)
    }

    /// Reads the whole file back from the start, chunk by chunk.
    func replay(_ body: (ByteBuffer) async throws -> Void) async throws {
        let fd = self.fd
        var offset: Int64 = 0
        while true {
            let position = offset
            let chunk = try await pool.runIfActive { () throws -> ByteBuffer in
                var buffer = ByteBuffer()
                _ = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.chunkSize) { pointer in
                    let count = pread(fd, pointer.baseAddress, Self.chunkSize, off_t(position))
                    guard count >= 0 else { throw Self.failure("read spool file") }
                    return count
                }
                return buffer
            }
            guard chunk.readableBytes > 0 else { return }
            offset += Int64(chunk.readableBytes)
            try await body(chunk)
        }
    }

    private static func failure(_ operation: String) -> CatalogError {
        CatalogError.storageUnavailable("Cannot buffer the upload (\(operation): \(String(cString: strerror(errno)))).")
    }
}
