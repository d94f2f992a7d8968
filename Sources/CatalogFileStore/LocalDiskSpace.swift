import CatalogCore
import Foundation

/// The disk of a local folder, from statvfs(3).
public struct LocalDiskSpace: DiskSpaceProbe {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func space() throws -> DiskSpace {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw CatalogError.storageUnavailable("Cannot read the free space of \(path): \(String(cString: strerror(errno))).")
        }
        let unit = Int64(info.f_frsize)
        return DiskSpace(availableBytes: Int64(info.f_bavail) * unit, totalBytes: Int64(info.f_blocks) * unit)
    }
}
