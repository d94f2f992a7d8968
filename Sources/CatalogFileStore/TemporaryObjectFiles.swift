import CatalogCore
import Foundation

/// The object store's files in the making, under `{root}/.tmp`. Each is held under an exclusive
/// `flock` by the process writing it, and the kernel drops the lock when that process ends, however
/// it ends. So a file whose lock can be taken is a leftover of a dead writer (a `kill -9` mid-upload)
/// and is removed: at start, and after a failed write (a full disk wants its space back). Files of
/// live writers, in this process or another on the same folder, are left alone.
///
/// From commit to release, `{file}.commit` names the key the file was linked to. A dead writer's
/// file with such a note is not removed by the sweep: it is an interrupted commit, which
/// `interruptedCommits` lists so that the caller can check the object's feed.
enum TemporaryObjectFiles {
    static let noteSuffix = ".commit"

    /// Creates and locks a new file in `directory`. Blocking: call on a pool thread.
    static func create(in directory: String) throws -> (fd: Int32, path: String) {
        while true {
            let path = directory + "/" + UUID().uuidString
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileIOError.last("create \(path)") }
            guard flock(fd, LOCK_EX) == 0 else {
                let error = FileIOError.last("lock \(path)")
                close(fd)
                unlink(path)
                throw error
            }
            // A sweep may have taken the file between open and flock: it is then gone, try another.
            if isStillNamed(path, by: fd) { return (fd, path) }
            close(fd)
        }
    }

    /// Writes the note that `path` is being linked to `key`.
    static func noteCommit(of path: String, key: String) throws {
        let note = path + noteSuffix
        guard FileManager.default.createFile(atPath: note, contents: Data(key.utf8)) else {
            throw ObjectStoreError.unavailable("cannot write \(note)")
        }
    }

    /// Removes a file and its note (the note first: a file without a note is only ever a leftover).
    static func remove(_ path: String) {
        unlink(path + noteSuffix)
        unlink(path)
    }

    /// Removes the files of `directory` that no live process holds, except interrupted commits; returns how many.
    @discardableResult
    static func removeLeftovers(in directory: String) -> Int {
        var removed = 0
        for (path, note) in deadWritersFiles(in: directory) where note == nil {
            unlink(path)
            removed += 1
        }
        return removed
    }

    /// The keys of interrupted commits: files of dead writers that were linked to a key and never released.
    static func interruptedCommits(in directory: String) -> [(path: String, key: String)] {
        deadWritersFiles(in: directory).compactMap { path, note in
            guard let note else { return nil }
            var info = stat()
            // Not linked after all (killed between note and link): only a leftover.
            guard stat(path, &info) == 0, info.st_nlink > 1 else {
                remove(path)
                return nil
            }
            return (path, note)
        }
    }

    /// Files (not notes) whose lock can be taken, each with the key its note names, if any; notes
    /// without their file are removed on the way.
    private static func deadWritersFiles(in directory: String) -> [(String, String?)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let present = Set(names)
        var found: [(String, String?)] = []
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            if name.hasSuffix(noteSuffix) {
                if !present.contains(String(name.dropLast(noteSuffix.count))) { unlink(path) }
                continue
            }
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            // Held: a writer is alive. Taken: nobody writes it any more.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0, isStillNamed(path, by: fd) else { continue }
            let note = present.contains(name + noteSuffix)
                ? (try? String(contentsOfFile: path + noteSuffix, encoding: .utf8)) : nil
            found.append((path, note))
        }
        return found
    }

    private static func isStillNamed(_ path: String, by fd: Int32) -> Bool {
        var opened = stat()
        var named = stat()
        return fstat(fd, &opened) == 0 && stat(path, &named) == 0 && opened.st_ino == named.st_ino && opened.st_dev == named.st_dev
    }
}
