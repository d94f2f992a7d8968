import NIOCore

/// Runs a `FeedContentInspector` for one upload. Plain chunks are checked where they arrive (a
/// pass over their bytes, between two awaits of the upload). A gzip chunk inflates to up to about a
/// thousand times its size, so it is inflated and checked on `BackgroundThreads`: the threads that
/// serve other requests never wait for it.
///
/// One caller at a time (the upload session awaits each call before the next), which is what makes
/// the unchecked `Sendable` safe: the inspector is only touched by whoever holds the current call.
final class UploadInspection: @unchecked Sendable {
    private var inspector: FeedContentInspector

    init(_ inspector: FeedContentInspector) {
        self.inspector = inspector
    }

    var isGzip: Bool { inspector.isGzip }

    func consume(_ chunk: ByteBuffer) async throws {
        guard inspector.inflates(chunk) else { return try inspector.consume(chunk) }
        try await BackgroundThreads.shared.run { try self.inspector.consume(chunk) }
    }

    func finish() throws -> [String] {
        try inspector.finish()
    }
}
