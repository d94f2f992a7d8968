import CatalogCore
import Foundation
import NIOCore
import NIOPosix

actor FileObjectWriter: ObjectWriter {
    private var fd: Int32?
    private let temporaryPath: String
    private let finalPath: String
    private let key: String
    private let pool: NIOThreadPool
    private var size: Int64 = 0

    init(fd: Int32, temporaryPath: String, finalPath: String, key: String, pool: NIOThreadPool) {
        self.fd = fd
        self.temporaryPath = temporaryPath
        self.finalPath = finalPath
        self.key = key
        self.pool = pool
    }

    func write(_ chunk: ByteBuffer) async throws {
        guard let fd else { throw ObjectStoreError.unavailable("write after close") }
        try await pool.runIfActive {
            try chunk.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw FileIOError.last("write \(self.key)")
                    }
                    offset += written
                }
            }
        }
        size += Int64(chunk.readableBytes)
    }

    func commit(sha256: String) async throws -> ObjectMetadata {
        guard let fd else { throw ObjectStoreError.unavailable("commit after close") }
        self.fd = nil
        let (temporaryPath, finalPath, key) = (self.temporaryPath, self.finalPath, self.key)
        try await pool.runIfActive {
            defer { unlink(temporaryPath) }
            guard fsync(fd) == 0 else {
                close(fd)
                throw FileIOError.last("fsync \(key)")
            }
            close(fd)
            let directory = (finalPath as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ObjectStoreError.unavailable("cannot create \(directory): \(error.localizedDescription)")
            }
            // link(2) fails with EEXIST instead of replacing, unlike rename(2).
            guard link(temporaryPath, finalPath) == 0 else {
                if errno == EEXIST { throw ObjectStoreError.alreadyExists(key) }
                throw FileIOError.last("link \(key)")
            }
            let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                fsync(directoryFD)
                close(directoryFD)
            }
        }
        return ObjectMetadata(key: key, sizeBytes: size, sha256: sha256)
    }

    func abort() async {
        guard let fd else { return }
        self.fd = nil
        let temporaryPath = self.temporaryPath
        _ = try? await pool.runIfActive {
            close(fd)
            unlink(temporaryPath)
        }
    }
}
