import CCurl
import CCurlShim
import NIOPosix
import Synchronization

/// libcurl's process-wide setup, done once before the first handle is made.
public enum CurlRuntime {
    public static let setup: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}

/// One easy handle. It is used by one thread at a time (the pool hands it out exclusively).
public final class CurlEasy: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init?() {
        guard CurlRuntime.setup == CURLE_OK, let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    func set(_ option: CURLoption, _ value: Int) { _ = ccurl_setopt_long(handle, option, value) }
    func set(_ option: CURLoption, _ value: Int64) { _ = ccurl_setopt_off_t(handle, option, curl_off_t(value)) }
    /// curl copies string options, so the Swift string need not outlive the call.
    func set(_ option: CURLoption, _ value: String) { _ = ccurl_setopt_string(handle, option, value) }
    func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) { _ = ccurl_setopt_pointer(handle, option, value) }
    func set(_ option: CURLoption, _ callback: ccurl_data_callback) { _ = ccurl_setopt_callback(handle, option, callback) }
    func set(_ option: CURLoption, _ callback: ccurl_prereq_callback) { _ = ccurl_setopt_prereq(handle, option, callback) }

    public var responseCode: Int {
        var code = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }
}

/// Idle easy handles for reuse. `curl_easy_reset` clears options but keeps a handle's live
/// connections and DNS cache, so a reused handle usually skips the TCP (and TLS) handshake.
public final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlEasy]>([])
    private let maxIdle: Int

    public init(maxIdle: Int) { self.maxIdle = maxIdle }

    public func take() -> CurlEasy? {
        if let easy = idle.withLock({ $0.popLast() }) {
            curl_easy_reset(easy.handle)
            return easy
        }
        return CurlEasy()
    }

    public func give(_ easy: CurlEasy) {
        idle.withLock { handles in
            if handles.count < maxIdle { handles.append(easy) }
        }
    }

    /// Performs `request` on a thread of `pool` with a handle of this pool, its 2xx body streaming into
    /// `channel`, which is finished with the outcome.
    public func stream(_ request: CurlRequest, _ settings: CurlSettings, into channel: BodyChannel, on pool: NIOThreadPool, poolName: String) {
        pool.submit { state in
            guard case .active = state else {
                return channel.finish(.failure(CurlFailure(code: -1, message: "\(poolName) is shut down")))
            }
            guard let easy = self.take() else {
                return channel.finish(.failure(CurlFailure(code: -1, message: "curl could not make a handle")))
            }
            let result = easy.perform(request, settings, streamingTo: channel)
            self.give(easy)
            channel.finish(result)
        }
    }
}
