import Foundation

/// The upload spools in `{data dir}/tmp` (multipart file parts, S3 uploads in the making) are
/// unlinked as soon as they are opened, so any file found there is a leftover of a process that died
/// in between; `serve` removes them at start. Removing one that a live process has just opened is
/// harmless: that process holds it open and was about to unlink it itself.
enum SpoolCleanup {
    @discardableResult
    static func removeLeftovers(in directory: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if unlink(path) == 0 { removed += 1 }
        }
        return removed
    }
}
