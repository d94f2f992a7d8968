import Synchronization

/// What inner middleware and handlers learn about a request that its log line should carry. The
/// request context is a value that each middleware copies, so `RequestLogMiddleware` (outside
/// `AuthMiddleware`) sees it through this shared reference.
public final class RequestLogFields: Sendable {
    private let state = Mutex<String?>(nil)

    public init() {}

    /// The partner the request's key belongs to.
    public var partner: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
