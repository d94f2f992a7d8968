import Foundation

/// The process's limit on open files (RLIMIT_NOFILE), which every client connection counts against.
enum FileLimit {
    struct Limits: Equatable {
        var soft: Int
        var hard: Int
    }

    /// Raises the soft limit to the hard one (as far as the kernel allows) and returns both as they are then.
    static func raiseToHard() -> Limits {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Limits(soft: 1024, hard: 1024) }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is the largest rlim_t: it clamps to Int.max.
        return Limits(soft: clamp(limit.rlim_cur), hard: clamp(limit.rlim_max))
    }

    /// Files kept for everything but client connections: databases, objects and spools in the making,
    /// PostgreSQL and S3 connections, logs, event-loop descriptors.
    static func reserve(for soft: Int) -> Int {
        max(128, soft / 8)
    }

    /// The connection cap to use: the configured one, lowered to stay below the file limit.
    static func connectionCap(configured: Int, soft: Int) -> Int {
        max(1, min(configured, soft - reserve(for: soft)))
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value >= rlim_t(Int.max) ? Int.max : Int(value)
    }
}
