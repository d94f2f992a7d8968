import CCurl
import CCurlShim
import Foundation
import NIOCore

/// One HTTP exchange for curl to perform, signed with SigV4 by curl itself.
struct CurlRequest: Sendable {
    enum Method: String, Sendable { case get = "GET", head = "HEAD", put = "PUT", post = "POST", delete = "DELETE" }

    var method: Method
    var url: String
    /// "Name: value" lines; x-amz-content-sha256 and Content-Type among them (see the notes on curl 7.88 SigV4).
    var headers: [String]
    var body = ByteBuffer()
    /// A body read from a spool file as curl sends it (instead of `body`), so it is never held in memory.
    var file: S3SpoolRange?

    var bodyLength: Int64 { file?.length ?? Int64(body.readableBytes) }
}

struct CurlResponse: Sendable {
    var status: Int
    /// Lower-cased names.
    var headers: [String: String]
    /// Collected for small answers (XML, errors); empty when the body was streamed to a `BodyChannel`.
    var body: ByteBuffer

    var isSuccess: Bool { (200..<300).contains(status) }
    var bodyText: String { String(decoding: body.readableBytesView, as: UTF8.self) }
}

/// A transfer that did not get an HTTP answer.
struct CurlFailure: Error, Sendable {
    var code: Int
    var message: String

    /// Connection refused, DNS, timeouts and dropped connections: worth another try.
    var isTransient: Bool {
        [CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR,
         CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR]
            .contains { Int($0.rawValue) == code }
    }
}

/// How a transfer is signed and how long it may stall.
struct CurlSettings: Sendable {
    var sigV4: String
    var accessKeyID: String
    var secretAccessKey: String
    var connectTimeoutMilliseconds: Int
    /// A transfer slower than 1 byte/s for this long is abandoned; large objects may take as long as they need.
    var stallSeconds: Int
}

extension CurlEasy {
    /// Performs `request` on the calling thread (a pool thread: this blocks until the transfer ends).
    /// A 2xx body goes to `channel` when one is given; every other body is collected.
    func perform(_ request: CurlRequest, _ settings: CurlSettings, streamingTo channel: BodyChannel? = nil) -> Result<CurlResponse, CurlFailure> {
        let context = TransferContext(easy: self, body: request.body, file: request.file, channel: channel)
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
        set(CURLOPT_AWS_SIGV4, settings.sigV4)
        set(CURLOPT_USERNAME, settings.accessKeyID)
        set(CURLOPT_PASSWORD, settings.secretAccessKey)
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
    static let maxCollectedBytes = 1 << 20

    let easy: CurlEasy
    var body: ByteBuffer
    let file: S3SpoolRange?
    /// Bytes of `file` sent so far.
    var fileSent: Int64 = 0
    let channel: BodyChannel?
    var headers: [String: String] = [:]
    var collected = ByteBuffer()

    init(easy: CurlEasy, body: ByteBuffer, file: S3SpoolRange?, channel: BodyChannel?) {
        self.easy = easy
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
            guard let read = try? file.spool.read(into: buffer, count: wanted, at: file.offset + context.fileSent), read > 0 else {
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
            // Blocks while the reader is behind; false once nobody reads any more, which aborts the transfer.
            return channel.push(ByteBuffer(bytes: bytes)) ? length : 0
        }
        guard context.collected.readableBytes + length <= maxCollectedBytes else { return 0 }
        context.collected.writeBytes(bytes)
        return length
    }
}
