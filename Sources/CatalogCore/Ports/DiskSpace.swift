/// The free room on the disk that holds the data folder (§Operations: `/ready`).
public protocol DiskSpaceProbe: Sendable {
    func space() throws -> DiskSpace
}

public struct DiskSpace: Sendable, Equatable {
    /// Bytes that the service may still write (what an unprivileged process may use).
    public var availableBytes: Int64
    public var totalBytes: Int64

    /// Ready only with at least 1 % and 100 MB free.
    public static let minimumFreeBytes: Int64 = 100 * 1024 * 1024
    public static let minimumFreeFraction = 0.01

    public init(availableBytes: Int64, totalBytes: Int64) {
        self.availableBytes = availableBytes
        self.totalBytes = totalBytes
    }

    /// nil when there is room; else why there is not.
    public var shortage: String? {
        let fraction = totalBytes > 0 ? Double(availableBytes) / Double(totalBytes) : 0
        guard availableBytes < Self.minimumFreeBytes || fraction < Self.minimumFreeFraction else { return nil }
        let percent = (fraction * 1000).rounded(.down) / 10
        return "The data disk is almost full: \(availableBytes / (1024 * 1024)) MB (\(percent) %) free of "
            + "\(totalBytes / (1024 * 1024)) MB; at least 100 MB and 1 % must be free"
    }
}
