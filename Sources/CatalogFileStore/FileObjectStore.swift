import CatalogCore
import Foundation
import NIOCore
import NIOPosix

/// The embedded object store: a local folder. Writes go to a temporary file, are fsynced and then
/// hard-linked into place, so an object appears whole or not at all and is never overwritten.
/// Temporary files left by a writer that died are removed when a store is opened (`TemporaryObjectFiles`).
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
        TemporaryObjectFiles.removeLeftovers(in: temporaryDirectory)
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
        let directory = temporaryDirectory
        let (fd, temporaryPath) = try await pool.runIfActive { try TemporaryObjectFiles.create(in: directory) }
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

extension FileObjectStore: InterruptedCommits {
    public func interruptedCommits() async -> [String] {
        let directory = temporaryDirectory
        return (try? await pool.runIfActive { TemporaryObjectFiles.interruptedCommits(in: directory).map(\.key) }) ?? []
    }

    public func forgetInterruptedCommit(_ key: String) async {
        let directory = temporaryDirectory
        _ = try? await pool.runIfActive {
            for commit in TemporaryObjectFiles.interruptedCommits(in: directory) where commit.key == key {
                TemporaryObjectFiles.remove(commit.path)
            }
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
