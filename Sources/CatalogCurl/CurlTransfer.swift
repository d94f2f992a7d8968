import CCurl
import CCurlShim
import CatalogCore
import Foundation
import NIOCore

/// A file that curl reads a request body from as it sends it (an upload spool), never held in memory.
public protocol CurlReadableFile: Sendable {
    /// Copies up to `count` bytes from `offset` into `buffer`; returns how many (0 at the end). Blocking.
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws -> Int
}

public struct CurlFileRange: Sendable {
    public let file: any CurlReadableFile
    public let offset: Int64
    public let length: Int64

    public init(file: any CurlReadableFile, offset: Int64, length: Int64) {
        self.file = file
        self.offset = offset
        self.length = length
    }
}

/// One HTTP exchange for curl to perform (signed with SigV4 by curl itself when the settings say so).
public struct CurlRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", head = "HEAD", put = "PUT", post = "POST", delete = "DELETE" }

    public var method: Method
    public var url: String
    /// "Name: value" lines; for S3 x-amz-content-sha256 and Content-Type among them (see the notes on curl 7.88 SigV4).
    public var headers: [String]
    public var body = ByteBuffer()
    /// A body read from a file as curl sends it (instead of `body`), so it is never held in memory.
    public var file: CurlFileRange?

    public init(method: Method, url: String, headers: [String], body: ByteBuffer = ByteBuffer(), file: CurlFileRange? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.file = file
    }

    var bodyLength: Int64 { file?.length ?? Int64(body.readableBytes) }
}

public struct CurlResponse: Sendable {
    public var status: Int
    /// Lower-cased names.
    public var headers: [String: String]
    /// Collected for small answers (XML, errors, webhook receivers); empty when the body was streamed to a `BodyChannel`.
    public var body: ByteBuffer

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var bodyText: String { String(decoding: body.readableBytesView, as: UTF8.self) }
}

/// A transfer that did not get an HTTP answer.
public struct CurlFailure: Error, Sendable {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// The target policy refused the address connected to (`CurlSettings.refusePrivateTargets`).
    public var isRefusedTarget: Bool { code == Int(CURLE_ABORTED_BY_CALLBACK.rawValue) }

    /// Connection refused, DNS, timeouts and dropped connections: worth another try.
    public var isTransient: Bool {
        [CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR,
         CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR]
            .contains { Int($0.rawValue) == code }
    }
}

/// How a transfer is signed, how long it may take and what it may reach.
public struct CurlSettings: Sendable {
    /// `aws:amz:REGION:s3` with the credentials below, or nil for an unsigned request.
    public var sigV4: String?
    public var accessKeyID: String
    public var secretAccessKey: String
    public var connectTimeoutMilliseconds: Int
    /// A transfer slower than 1 byte/s for this long is abandoned; large objects may take as long as they need.
    public var stallSeconds: Int
    /// The whole transfer at most this long (0: no limit).
    public var totalTimeoutMilliseconds: Int = 0
    /// A collected (not streamed) answer is cut off beyond this many bytes (the transfer still succeeds).
    public var maxCollectedBytes = 1 << 20
    /// Abort before sending when the address connected to is loopback, private, link-local or metadata.
    public var refusePrivateTargets = false

    public init(sigV4: String?, accessKeyID: String = "", secretAccessKey: String = "", connectTimeoutMilliseconds: Int, stallSeconds: Int) {
        self.sigV4 = sigV4
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.stallSeconds = stallSeconds
    }
}

extension CurlEasy {
    /// Performs `request` on the calling thread (a pool thread: this blocks until the transfer ends).
    /// A 2xx body goes to `channel` when one is given; every other body is collected.
    public func perform(_ request: CurlRequest, _ settings: CurlSettings, streamingTo channel: BodyChannel? = nil) -> Result<CurlResponse, CurlFailure> {
        let context = TransferContext(easy: self, body: request.body, file: request.file, channel: channel, settings: settings)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in request.headers { headerList = curl_slist_append(headerList, header) }
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code = errorBuffer.withUnsafeMutableBytes { errorBytes -> CURLcode in
            configure(request, settings, headerList: headerList, context: unmanaged.toOpaque(), errorBuffer: errorBytes.baseAddress)
            let code = curl_easy_perform(handle)
            // The buffer and the header list die with this call: leave no dangling pointers in the handle.
            set(CURLOPT_ERRORBUFFER, nil)
            set(CURLOPT_HTTPHEADER, nil)
            return code
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(CurlFailure(code: Int(code.rawValue), message: message))
        }
        return .success(CurlResponse(status: responseCode, headers: context.headers, body: context.collected))
    }

    private func configure(
        _ request: CurlRequest, _ settings: CurlSettings, headerList: UnsafeMutablePointer<curl_slist>?,
        context: UnsafeMutableRawPointer, errorBuffer: UnsafeMutableRawPointer?
    ) {
        set(CURLOPT_URL, request.url)
        set(CURLOPT_NOSIGNAL, 1)
        if let sigV4 = settings.sigV4 {
            set(CURLOPT_AWS_SIGV4, sigV4)
            set(CURLOPT_USERNAME, settings.accessKeyID)
            set(CURLOPT_PASSWORD, settings.secretAccessKey)
        }
        if settings.totalTimeoutMilliseconds > 0 { set(CURLOPT_TIMEOUT_MS, settings.totalTimeoutMilliseconds) }
        if settings.refusePrivateTargets {
            set(CURLOPT_PREREQFUNCTION, TransferContext.onConnected)
            set(CURLOPT_PREREQDATA, context)
        }
        set(CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
        set(CURLOPT_ERRORBUFFER, errorBuffer)
        set(CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds)
        set(CURLOPT_LOW_SPEED_LIMIT, 1)
        set(CURLOPT_LOW_SPEED_TIME, settings.stallSeconds)
        set(CURLOPT_BUFFERSIZE, 256 * 1024)
        set(CURLOPT_HEADERFUNCTION, TransferContext.onHeader)
        set(CURLOPT_HEADERDATA, context)
        set(CURLOPT_WRITEFUNCTION, TransferContext.onBody)
        set(CURLOPT_WRITEDATA, context)
        switch request.method {
        case .get:
            set(CURLOPT_HTTPGET, 1)
        case .head:
            set(CURLOPT_NOBODY, 1)
        case .delete:
            set(CURLOPT_CUSTOMREQUEST, "DELETE")
        case .put, .post:
            if request.method == .put {
                set(CURLOPT_UPLOAD, 1)
                set(CURLOPT_INFILESIZE_LARGE, request.bodyLength)
            } else {
                set(CURLOPT_POST, 1)
                set(CURLOPT_POSTFIELDSIZE_LARGE, request.bodyLength)
            }
            set(CURLOPT_UPLOAD_BUFFERSIZE, 512 * 1024)
            set(CURLOPT_READFUNCTION, TransferContext.onRead)
            set(CURLOPT_READDATA, context)
        }
    }
}

/// State the C callbacks reach through their userdata pointer, on the transfer's thread only.
private final class TransferContext {
    let easy: CurlEasy
    var body: ByteBuffer
    let file: CurlFileRange?
    let maxCollectedBytes: Int
    /// Bytes of `file` sent so far.
    var fileSent: Int64 = 0
    let channel: BodyChannel?
    var headers: [String: String] = [:]
    var collected = ByteBuffer()
    var announced = false

    init(easy: CurlEasy, body: ByteBuffer, file: CurlFileRange?, channel: BodyChannel?, settings: CurlSettings) {
        self.easy = easy
        self.maxCollectedBytes = settings.maxCollectedBytes
        self.body = body
        self.file = file
        self.channel = channel
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> TransferContext? {
        pointer.map { Unmanaged<TransferContext>.fromOpaque($0).takeUnretainedValue() }
    }

    static let onRead: ccurl_data_callback = { buffer, size, count, userdata in
        guard let context = from(userdata), let buffer else { return ccurl_readfunc_abort() }
        if let file = context.file {
            let wanted = Int(min(Int64(size * count), file.length - context.fileSent))
            guard wanted > 0 else { return 0 }
            // A spool that fails or ends early aborts the transfer rather than sending a short body.
            guard let read = try? file.file.read(into: buffer, count: wanted, at: file.offset + context.fileSent), read > 0 else {
                return ccurl_readfunc_abort()
            }
            context.fileSent += Int64(read)
            return read
        }
        let length = min(size * count, context.body.readableBytes)
        guard length > 0 else { return 0 }
        context.body.readWithUnsafeReadableBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress!, byteCount: length)
            return length
        }
        return length
    }

    static let onHeader: ccurl_data_callback = { buffer, size, count, userdata in
        let length = size * count
        guard let context = from(userdata), let buffer else { return 0 }
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            context.headers = [:]  // a new response (after 100 Continue or a redirect)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            context.headers[name] = value
        }
        return length
    }

    static let onBody: ccurl_data_callback = { buffer, size, count, userdata in
        let length = size * count
        guard let context = from(userdata), let buffer else { return 0 }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        if let channel = context.channel, (200..<300).contains(context.easy.responseCode) {
            if !context.announced {
                context.announced = true
                channel.announce(headers: context.headers)
            }
            // Blocks while the reader is behind; false once nobody reads any more, which aborts the transfer.
            return channel.push(ByteBuffer(bytes: bytes)) ? length : 0
        }
        // Beyond the cap the rest is read and dropped: the answer's status still counts.
        let room = max(0, context.maxCollectedBytes - context.collected.readableBytes)
        context.collected.writeBytes(UnsafeRawBufferPointer(rebasing: bytes.prefix(room)))
        return length
    }

    /// Called once connected, before the request is sent: aborts (CURLE_ABORTED_BY_CALLBACK) when the
    /// address is one the target policy refuses, whatever the name resolved to earlier.
    static let onConnected: ccurl_prereq_callback = { _, primaryIP, _, _, _ in
        guard let primaryIP else { return 1 }
        return NetworkAddress.isNonPublic(String(cString: primaryIP)) ? 1 : 0
    }
}
