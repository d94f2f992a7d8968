import Logging

extension Logger.MetadataValue {
    /// Milliseconds since `start`, to the hundredth, as a number (`duration_ms` of request and job lines).
    public static func milliseconds(since start: ContinuousClock.Instant) -> Logger.MetadataValue {
        let elapsed = (ContinuousClock.now - start).components
        let microseconds = elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
        return .stringConvertible(Double(microseconds / 10) / 100)
    }
}
