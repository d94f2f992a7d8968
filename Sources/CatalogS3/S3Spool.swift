import CatalogCurl
import CatalogCore
import Crypto
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A temporary file holding an object's bytes until it is committed. Its name is removed as soon as
/// it is opened, so the disk space comes back when it is closed — by `close()`, or when the last
/// reference goes — and no crash leaves a file behind.
final class S3Spool: Sendable {
    /// The descriptor, or nil once closed. Reads hold the lock, so a descriptor is never used after
    /// `close` (when it could already name another file).
    private let descriptor: Mutex<Int32?>
    private let length = Atomic<Int64>(0)
    let path: String

    /// Creates the spool file in `directory` (made when missing). Blocking: call on a pool thread.
    init(directory: String) throws {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/s3-spool-" + UUID().uuidString
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("create \(path)", errno) }
        unlink(path)
        descriptor = Mutex(fd)
    }

    deinit { close() }

    var size: Int64 { length.load(ordering: .acquiring) }

    /// Appends `chunks` in order. Blocking: call on a pool thread, one call at a time. The bytes are
    /// not hashed here: the caller hashed them on the way in.
    func append(_ chunks: [ByteBuffer]) throws {
        for chunk in chunks { try append(chunk) }
    }

    private func append(_ bytes: ByteBuffer) throws {
        let offset = size
        try bytes.withUnsafeReadableBytes { raw in
            var written = 0
            while written < raw.count {
                let (result, code) = try descriptor.withLock { fd -> (Int, Int32) in
                    guard let fd else { throw ObjectStoreError.unavailable("the upload spool is closed") }
                    let result = pwrite(fd, raw.baseAddress! + written, raw.count - written, off_t(offset + Int64(written)))
                    return (result, errno)
                }
                if result < 0 {
                    if code == EINTR { continue }
                    throw Self.failure("write the upload spool", code)
                }
                written += result
            }
            length.store(offset + Int64(raw.count), ordering: .releasing)
        }
    }

    /// Copies up to `count` bytes from `offset` into `buffer`; returns how many (0 at the end). Blocking.
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws -> Int {
        while true {
            let (result, code) = try descriptor.withLock { fd -> (Int, Int32) in
                guard let fd else { throw ObjectStoreError.unavailable("the upload spool is closed") }
                let result = pread(fd, buffer, count, off_t(offset))
                return (result, errno)
            }
            if result >= 0 { return result }
            if code != EINTR { throw Self.failure("read the upload spool", code) }
        }
    }

    /// The SHA-256 of `length` bytes from `offset`, read back from the file; the bytes also go into
    /// `running` when given (parts hashed in order add up to the whole object). Blocking.
    func sha256(offset: Int64, length: Int64, alsoInto running: RunningSHA256? = nil) throws -> String {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var done: Int64 = 0
        while done < length {
            let count = try read(into: buffer, count: Int(min(Int64(chunk), length - done)), at: offset + done)
            guard count > 0 else { throw ObjectStoreError.unavailable("the upload spool ended early") }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
            hasher.update(bufferPointer: bytes)
            running?.update(bytes)
            done += Int64(count)
        }
        return Hex.encode(hasher.finalize())
    }

    /// Releases the file (its space returns to the file system); later reads and writes fail.
    func close() {
        descriptor.withLock { fd in
            if let current = fd { _ = Foundation.close(current) }
            fd = nil
        }
    }

    private static func failure(_ operation: String, _ code: Int32) -> ObjectStoreError {
        .unavailable("cannot \(operation): \(String(cString: strerror(code)))")
    }
}

/// A range of a spool file that curl sends as a request body, read as curl asks for it.
/// A range of a spool file, read by curl as it sends it.
typealias S3SpoolRange = CurlFileRange

extension CurlFileRange {
    init(spool: S3Spool, offset: Int64, length: Int64) {
        self.init(file: spool, offset: offset, length: length)
    }
}

extension S3Spool: CurlReadableFile {}

/// A SHA-256 fed from several threads in turn (never at once).
final class RunningSHA256: @unchecked Sendable {
    private let lock = NSLock()
    private var hasher = SHA256()  // guarded by `lock`

    func update(_ bytes: UnsafeRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        hasher.update(bufferPointer: bytes)
    }

    func finalize() -> String {
        lock.lock()
        defer { lock.unlock() }
        return Hex.encode(hasher.finalize())
    }
}
