import Foundation
import Logging
import NIOCore

/// Fetches a source once (§Sources): a file streamed straight into the object store, or an API walked
/// page by page with each page's records written as NDJSON lines; either way the bytes become a feed
/// exactly as an upload does, unless they are what the last fetch got. Every request is paced per
/// host, retried 3 times on network errors, 408, 429 and 5xx (`Retry-After` honoured), and the whole
/// fetch is bounded by `maxDuration`.
public struct SourceFetcher: Sendable {
    public static let maxDuration: TimeInterval = 30 * 60
    public static let maxPageBytes = 64 << 20

    let uploads: FeedUploadService
    let http: any OutboundHTTP
    let secrets: SecretBox?
    let pacer: HostPacer
    let allowPrivateTargets: Bool
    /// The waits before the 2nd, 3rd and 4th try of a request (unless the server asks for longer).
    let retryDelays: [TimeInterval]
    let logger: Logger

    public init(
        uploads: FeedUploadService, http: any OutboundHTTP, secrets: SecretBox?, pacer: HostPacer, allowPrivateTargets: Bool,
        retryDelays: [TimeInterval] = [1, 4, 16], logger: Logger
    ) {
        self.uploads = uploads
        self.http = http
        self.secrets = secrets
        self.pacer = pacer
        self.allowPrivateTargets = allowPrivateTargets
        self.retryDelays = retryDelays
        self.logger = logger
    }

    /// A fetch that failed, with what to say in `error` (never a credential).
    struct Failed: Error {
        var message: String
        var httpStatus: Int?
    }

    /// Runs the fetch to its end; failures are results, not errors.
    public func fetch(_ context: FetchContext, progress: TaskProgress) async -> FetchResult {
        let source = context.source
        var secretValues: [String] = []
        do {
            var opened: SourceAuth?
            if let sealed = context.sealedAuth {
                guard let secrets else { throw Failed(message: "The source has credentials and CATALOG_SECRET_KEY is not set.") }
                opened = SourceAuth.decode(try secrets.open(sealed))
                secretValues = opened?.secrets ?? []
            }
            let auth = opened
            let deadline = Date().addingTimeInterval(Self.maxDuration)
            return try await withDeadline(deadline) {
                switch source.settings.kind {
                case .file: try await fetchFile(context, auth: auth, deadline: deadline)
                case .api: try await fetchAPI(context, auth: auth, deadline: deadline, progress: progress)
                }
            }
        } catch let failed as Failed {
            return FetchResult(status: .failed, httpStatus: failed.httpStatus, pages: 0, bytes: 0, error: scrub(failed.message, secretValues))
        } catch let error as CatalogError {
            return FetchResult(status: .failed, httpStatus: nil, pages: 0, bytes: 0, error: scrub(error.message, secretValues))
        } catch {
            return FetchResult(status: .failed, httpStatus: nil, pages: 0, bytes: 0, error: "The fetch failed: \(type(of: error)).")
        }
    }

    private func withDeadline<T: Sendable>(_ deadline: Date, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(max(0, deadline.timeIntervalSinceNow) * 1000)))
                throw Failed(message: "The fetch took longer than \(Int(Self.maxDuration / 60)) minutes.")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    // MARK: files

    private func fetchFile(_ context: FetchContext, auth: SourceAuth?, deadline: Date) async throws -> FetchResult {
        let source = context.source
        var headers = baseHeaders(auth)
        if let etag = context.etag { headers.append(("If-None-Match", etag)) }
        if let lastModified = context.lastModified { headers.append(("If-Modified-Since", lastModified)) }
        let url = source.settings.url
        return try await withRetries(url: url, source: source) {
            var session: FeedUploadSession?
            var bytes: Int64 = 0
            let response: OutboundResponse
            do {
                response = try await http.stream(
                    request(url, headers, deadline: deadline),
                    head: { headers in
                        let format = source.settings.format ?? FeedFormat.of(contentType: headers["content-type"], fileName: Self.fileName(url))
                        session = try await uploads.beginFetched(
                            partnerName: source.partnerName, feedType: source.settings.feedType, mode: source.settings.mode,
                            fileName: Self.fileName(url), format: format, sourceID: source.sourceID, mappingJSON: source.settings.mapping?.json)
                    },
                    into: { chunk in
                        bytes += Int64(chunk.readableBytes)
                        try await session?.write(chunk)
                    })
            } catch {
                await session?.abort()
                throw error
            }
            if response.status == 304 {
                await session?.abort()
                return FetchResult(status: .notModified, httpStatus: 304, pages: 1, bytes: 0)
            }
            guard (200..<300).contains(response.status) else {
                await session?.abort()
                return try Self.refusal(response)
            }
            let etag = response.headers["etag"]
            let lastModified = response.headers["last-modified"]
            guard let session else {
                throw Failed(message: "The vendor answered \(response.status) with an empty body.", httpStatus: response.status)
            }
            let (feed, sha256) = try await session.finish(unlessSHA256: context.lastSHA256)
            guard let feed else {
                return FetchResult(status: .notModified, httpStatus: response.status, pages: 1, bytes: bytes, etag: etag, lastModified: lastModified)
            }
            return FetchResult(
                status: .fetched, httpStatus: response.status, pages: 1, bytes: bytes, feedID: feed.feedID, etag: etag,
                lastModified: lastModified, sha256: sha256)
        }
    }

    static func fileName(_ url: String) -> String {
        let path = URLComponents(string: url)?.path ?? ""
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        return last.isEmpty ? "source" : last
    }

    // MARK: APIs

    private func fetchAPI(_ context: FetchContext, auth: SourceAuth?, deadline: Date, progress: TaskProgress) async throws -> FetchResult {
        let source = context.source
        let api = source.settings.api ?? SourceAPI(records: .root, next: .none)
        let session = try await uploads.beginFetched(
            partnerName: source.partnerName, feedType: source.settings.feedType, mode: source.settings.mode,
            fileName: "\(source.sourceID.lowercased())-records.ndjson", format: .ndjson, sourceID: source.sourceID,
            mappingJSON: source.settings.mapping?.json)
        var pages = 0
        var bytes: Int64 = 0
        var records = 0
        var lastStatus: Int?
        do {
            var url: String? = source.settings.url
            if case .page(let param, let sizeParam, let size) = api.next {
                url = Self.withQuery(source.settings.url, [(param, "1")] + (sizeParam.map { [($0, String(size))] } ?? []))
            }
            while let pageURL = url {
                guard pages < api.pageLimit else { break }
                let response = try await withRetries(url: pageURL, source: source) {
                    let response = try await http.send(request(pageURL, baseHeaders(auth) + [("Accept", "application/json")], deadline: deadline))
                    guard (200..<300).contains(response.status) else { return try Self.refusal(response) as OutboundResponse }
                    return response
                }
                pages += 1
                lastStatus = response.status
                bytes += Int64(response.body.count)
                let page = JSONPageScanner(bytes: response.body)
                var found: [Range<Int>] = []
                do {
                    if let range = try page.find(api.records), page.bytes[range.lowerBound] != UInt8(ascii: "n") {
                        guard let elements = try page.elements(of: range) else {
                            throw Failed(message: "Page \(pages) has no array at '\(api.records.text)'.", httpStatus: response.status)
                        }
                        found = elements
                    }
                } catch let malformed as JSONPageScanner.Malformed {
                    throw Failed(message: "Page \(pages) is not valid JSON (at byte \(malformed.offset)).", httpStatus: response.status)
                }
                // The records as the vendor wrote them, one a line.
                var lines: [UInt8] = []
                lines.reserveCapacity(response.body.count)
                for range in found { page.line(range, into: &lines) }
                if !lines.isEmpty { try await session.write(ByteBuffer(bytes: lines)) }
                records += found.count
                progress.add(Int64(found.count))
                url = nextURL(api.next, current: pageURL, response: response, page: page, count: found.count, pageNumber: pages)
            }
            guard records > 0 else {
                await session.abort()
                throw Failed(message: "The API returned no records at '\(api.records.text.isEmpty ? "(the page itself)" : api.records.text)'.", httpStatus: lastStatus)
            }
            let (feed, sha256) = try await session.finish(unlessSHA256: context.lastSHA256)
            guard let feed else { return FetchResult(status: .notModified, httpStatus: lastStatus, pages: pages, bytes: bytes) }
            return FetchResult(status: .fetched, httpStatus: lastStatus, pages: pages, bytes: bytes, feedID: feed.feedID, sha256: sha256)
        } catch let failed as Failed {
            await session.abort()
            throw Failed(message: "Page \(pages + 1): \(failed.message)", httpStatus: failed.httpStatus)
        } catch {
            await session.abort()
            throw error
        }
    }

    func nextURL(_ next: SourceAPI.Next, current: String, response: OutboundResponse, page: JSONPageScanner, count: Int, pageNumber: Int) -> String? {
        /// The value at `path`, parsed on its own few bytes.
        func value(_ path: JSONPath) -> JSONFeedValue? {
            guard let range = try? page.find(path), case .success(let value) = JSONFeedParser.parse(Array(page.bytes[range])) else { return nil }
            return value
        }
        switch next {
        case .none:
            return nil
        case .linkHeader:
            return response.headers["link"].flatMap { LinkHeader.next(in: $0, base: current) }
        case .bodyURL(let path):
            guard case .string(let text)? = value(path), !text.isEmpty else { return nil }
            return URL(string: text, relativeTo: URL(string: current))?.absoluteString
        case .cursor(let path, let param):
            let cursor: String? = switch value(path) {
            case .string(let text)?: text.isEmpty ? nil : text
            case .number(let text)?: text
            default: nil
            }
            return cursor.map { Self.withQuery(current, [(param, $0)]) }
        case .page(let param, _, let size):
            guard count > 0, count >= size else { return nil }
            return Self.withQuery(current, [(param, String(pageNumber + 1))])
        }
    }

    /// `url` with these query parameters set (replacing any of the same name).
    static func withQuery(_ url: String, _ parameters: [(String, String)]) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var items = components.queryItems ?? []
        for (name, value) in parameters {
            items.removeAll { $0.name == name }
            items.append(URLQueryItem(name: name, value: value))
        }
        components.queryItems = items
        return components.string ?? url
    }

    // MARK: requests

    private func baseHeaders(_ auth: SourceAuth?) -> [(String, String)] {
        var headers = [("User-Agent", "partner-catalog-sources/1")]
        if let auth { headers.append(auth.header) }
        return headers
    }

    private func request(_ url: String, _ headers: [(String, String)], deadline: Date) -> OutboundRequest {
        OutboundRequest(
            method: "GET", url: url, headers: headers, body: [], timeout: max(1, deadline.timeIntervalSinceNow),
            maxResponseBytes: Self.maxPageBytes, allowPrivateTargets: allowPrivateTargets)
    }

    /// Network errors, 408, 429 and 5xx are tried again (3 times, after `retryDelays` or a longer
    /// `Retry-After`); anything else ends the fetch.
    private func withRetries<T>(url: String, source: Source, _ attempt: () async throws -> T) async throws -> T {
        let host = URLComponents(string: url)?.host?.lowercased() ?? ""
        var tries = 0
        while true {
            tries += 1
            try await pacer.take(host: host, perMinute: source.settings.maxRequestsPerMinute)
            let failure: Failed
            var wait: TimeInterval?
            do {
                return try await attempt()
            } catch let refused as Refusal {
                guard refused.isTransient, tries <= retryDelays.count else {
                    throw Failed(message: refused.message, httpStatus: refused.status)
                }
                failure = Failed(message: refused.message, httpStatus: refused.status)
                wait = refused.retryAfter
            } catch OutboundFailure.refusedTarget(let reason) {
                throw Failed(message: "Not fetched: \(reason) (CATALOG_ALLOW_PRIVATE_TARGETS).")
            } catch OutboundFailure.transport(let reason) {
                guard tries <= retryDelays.count else { throw Failed(message: "The vendor could not be reached: \(reason)") }
                failure = Failed(message: reason)
            }
            let delay = max(retryDelays[tries - 1], wait ?? 0)
            logger.info("source request failed; retrying", metadata: [
                "source_id": .string(source.sourceID), "try": .stringConvertible(tries), "error": .string(failure.message),
                "retry_in_s": .stringConvertible(delay),
            ])
            try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
        }
    }

    /// A non-2xx answer, thrown so that `withRetries` decides.
    struct Refusal: Error {
        var status: Int
        var message: String
        var retryAfter: TimeInterval?
        var isTransient: Bool { status == 408 || status == 429 || status >= 500 }
    }

    static func refusal<T>(_ response: OutboundResponse) throws -> T {
        let snippet = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let retryAfter = [429, 503].contains(response.status) ? response.headers["retry-after"].flatMap(WebhookDeliveryHandler.retryAfter) : nil
        throw Refusal(
            status: response.status, message: "The vendor answered \(response.status)" + (snippet.isEmpty ? "." : ": \(snippet)"),
            retryAfter: retryAfter.map { min($0, maxDuration) })
    }

    func scrub(_ message: String, _ secrets: [String]) -> String {
        secrets.reduce(message) { $0.replacingOccurrences(of: $1, with: SourceAuth.mask) }
    }
}
