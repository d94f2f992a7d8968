import CatalogCore
import Foundation
import NIOCore
import NIOPosix

/// One object in the making: a locked temporary file, fsynced and hard-linked into place at `commit`.
/// From `commit` to `release` a note names the key beside the temporary file (still locked and
/// linked), so that a process killed in between leaves a commit for `InterruptedCommits` to check.
actor FileObjectWriter: ObjectWriter {
    private enum State {
        case writing(Int32)
        /// Committed, the note written; the descriptor still holds the lock.
        case committed(Int32)
        case closed
    }

    private var state: State
    private let temporaryPath: String
    private let finalPath: String
    private let key: String
    private let pool: NIOThreadPool
    private var size: Int64 = 0

    init(fd: Int32, temporaryPath: String, finalPath: String, key: String, pool: NIOThreadPool) {
        self.state = .writing(fd)
        self.temporaryPath = temporaryPath
        self.finalPath = finalPath
        self.key = key
        self.pool = pool
    }

    deinit {
        // A writer dropped without abort or release: nothing may stay behind.
        switch state {
        case .writing(let fd), .committed(let fd):
            TemporaryObjectFiles.remove(temporaryPath)
            close(fd)
        case .closed:
            break
        }
    }

    func write(_ chunk: ByteBuffer) async throws {
        guard case .writing(let fd) = state else { throw ObjectStoreError.unavailable("write after close") }
        try await pool.runIfActive {
            try chunk.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        let error = FileIOError.last("write \(self.key)")
                        // The space that dead writers' files hold may be what this one lacked.
                        TemporaryObjectFiles.removeLeftovers(in: self.temporaryDirectory)
                        throw error
                    }
                    offset += written
                }
            }
        }
        size += Int64(chunk.readableBytes)
    }

    func commit(sha256: String) async throws -> ObjectMetadata {
        guard case .writing(let fd) = state else { throw ObjectStoreError.unavailable("commit after close") }
        let (temporaryPath, finalPath, key, directory) = (self.temporaryPath, self.finalPath, self.key, self.temporaryDirectory)
        do {
            try await pool.runIfActive {
                guard fsync(fd) == 0 else {
                    let error = FileIOError.last("fsync \(key)")
                    TemporaryObjectFiles.removeLeftovers(in: directory)
                    throw error
                }
                let folder = (finalPath as NSString).deletingLastPathComponent
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw ObjectStoreError.unavailable("cannot create \(folder): \(error.localizedDescription)")
                }
                try TemporaryObjectFiles.noteCommit(of: temporaryPath, key: key)
                // link(2) fails with EEXIST instead of replacing, unlike rename(2).
                guard link(temporaryPath, finalPath) == 0 else {
                    let error = errno == EEXIST ? ObjectStoreError.alreadyExists(key) : FileIOError.last("link \(key)")
                    throw error
                }
                let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if folderFD >= 0 {
                    fsync(folderFD)
                    close(folderFD)
                }
            }
        } catch {
            state = .closed
            TemporaryObjectFiles.remove(temporaryPath)
            close(fd)
            throw error
        }
        state = .committed(fd)
        return ObjectMetadata(key: key, sizeBytes: size, sha256: sha256)
    }

    func release() async {
        guard case .committed(let fd) = state else { return }
        state = .closed
        let temporaryPath = self.temporaryPath
        _ = try? await pool.runIfActive {
            TemporaryObjectFiles.remove(temporaryPath)
            close(fd)
        }
    }

    func abort() async {
        switch state {
        case .writing(let fd), .committed(let fd):
            state = .closed
            let temporaryPath = self.temporaryPath
            _ = try? await pool.runIfActive {
                TemporaryObjectFiles.remove(temporaryPath)
                close(fd)
            }
        case .closed:
            break
        }
    }

    private nonisolated var temporaryDirectory: String { (temporaryPath as NSString).deletingLastPathComponent }
}
