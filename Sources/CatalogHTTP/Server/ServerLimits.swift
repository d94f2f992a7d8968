/// What one `serve` process allows its clients (§Configuration, §Errors).
public struct ServerLimits: Sendable, Equatable {
    /// Open client connections; beyond it a new connection is answered 503 `OVERLOADED` and closed at once.
    public var maxConnections: Int
    /// An idle keep-alive connection, or one whose request head is incomplete, is closed after this; nil: never.
    /// A request whose response is being written (a stream, a long wait) is never cut.
    public var idleTimeout: Duration?
    /// Failed authentications per client address in any minute before requests with a key get 429; 0: no limit.
    public var authFailuresPerMinute: Int
    /// Uploads of one partner in flight at once; the next gets 429.
    public var uploadsPerPartner: Int

    public init(maxConnections: Int = 1024, idleTimeout: Duration? = .seconds(60), authFailuresPerMinute: Int = 30, uploadsPerPartner: Int = 4) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.authFailuresPerMinute = authFailuresPerMinute
        self.uploadsPerPartner = uploadsPerPartner
    }
}
