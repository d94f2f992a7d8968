import CatalogCore
import Foundation
import NIOCore
import NIOPosix

/// The embedded object store: a local folder. Writes go to a temporary file, are fsynced and then
/// hard-linked into place, so an object appears whole or not at all and is never overwritten.
public struct FileObjectStore: ObjectStore {
    public let bucket = "local"
    let root: String
    let pool: NIOThreadPool

    public init(root: String, threadPool: NIOThreadPool = .singleton) throws {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        self.pool = threadPool
        do {
            try FileManager.default.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError.unavailable("cannot create \(temporaryDirectory): \(error.localizedDescription)")
        }
    }

    var temporaryDirectory: String { root + "/.tmp" }

    func path(for key: String) throws -> String {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }), !key.hasPrefix(".tmp/") else {
            throw ObjectStoreError.notFound(key)
        }
        return root + "/" + key
    }

    public func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter {
        let finalPath = try path(for: key)
        let temporaryPath = temporaryDirectory + "/" + UUID().uuidString
        let fd = try await pool.runIfActive {
            let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileIOError.last("create \(temporaryPath)") }
            return fd
        }
        return FileObjectWriter(fd: fd, temporaryPath: temporaryPath, finalPath: finalPath, key: key, pool: pool)
    }

    public func read(key: String) async throws -> ObjectReadStream {
        let path = try path(for: key)
        let reader = try await pool.runIfActive { () throws -> FileReader in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT { throw ObjectStoreError.notFound(key) }
                throw FileIOError.last("open \(key)")
            }
            return FileReader(fd: fd)
        }
        let pool = self.pool
        return ObjectReadStream(unfolding: {
            try await pool.runIfActive { try reader.next() }
        })
    }

    public func metadata(key: String) async throws -> ObjectMetadata? {
        let path = try path(for: key)
        return try await pool.runIfActive {
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return nil }
                throw FileIOError.last("stat \(key)")
            }
            return ObjectMetadata(key: key, sizeBytes: Int64(info.st_size), sha256: nil)
        }
    }

    public func discard(key: String) async {
        guard let path = try? path(for: key) else { return }
        _ = try? await pool.runIfActive { unlink(path) }
    }

    public func ping() async throws {
        let directory = temporaryDirectory
        try await pool.runIfActive {
            guard access(directory, W_OK) == 0 else { throw FileIOError.last("access \(directory)") }
        }
    }
}

/// Reads a file in fixed-size chunks; closes it when the stream is released.
final class FileReader: @unchecked Sendable {
    private static let chunkSize = 256 * 1024
    private let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    func next() throws -> ByteBuffer? {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Self.chunkSize)
        let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.chunkSize) { pointer in
            let count = Foundation.read(fd, pointer.baseAddress, Self.chunkSize)
            guard count >= 0 else { throw FileIOError.last("read") }
            return count
        }
        return count == 0 ? nil : buffer
    }
}

enum FileIOError {
    static func last(_ operation: String) -> ObjectStoreError {
        let code = errno
        return .unavailable("\(operation) failed: \(String(cString: strerror(code)))")
    }
}
