import Foundation
import Logging

/// Delivers one event to one webhook (§Webhooks, Standard Webhooks 1.0): a signed POST, success on
/// any 2xx within 15 s; otherwise tried again 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later (±10 %,
/// a longer `Retry-After` on 429/503 honoured; 8 tries in all). A 410 disables the webhook at once,
/// and so do 3 days of nothing but failures.
public struct WebhookDeliveryHandler: TaskHandler {
    public static let timeout: TimeInterval = 15
    public static let maxResponseBytes = 64 * 1024
    public static let failingFor: TimeInterval = 3 * 24 * 3600

    let store: any WebhookRepository
    let http: any OutboundHTTP
    let clock: any CatalogClock
    let allowPrivateTargets: Bool
    let logger: Logger
    public let retry = RetryPolicy.schedule([5, 300, 1800, 7200, 18_000, 36_000, 36_000], jitter: 0.1)
    public var kind: TaskKind { .deliverWebhook }

    public init(store: any WebhookRepository, http: any OutboundHTTP, clock: any CatalogClock, allowPrivateTargets: Bool, logger: Logger) {
        self.store = store
        self.http = http
        self.clock = clock
        self.allowPrivateTargets = allowPrivateTargets
        self.logger = logger
    }

    public func run(_ task: ClaimedTask, progress: TaskProgress) async throws -> TaskRunResult {
        let deliveryID = try WebhookTasks.deliveryID(of: task)
        guard let context = try await store.deliveryContext(id: deliveryID) else { return .completed }
        var logger = self.logger
        logger[metadataKey: "delivery_id"] = .string(deliveryID)
        logger[metadataKey: "webhook_id"] = .string(context.webhook.webhookID)
        logger[metadataKey: "event_id"] = .string(context.event.eventID)
        guard context.webhook.status == .active else {
            _ = try await store.recordAttempt(
                deliveryID: deliveryID, lease: task.lease,
                DeliveryAttempt(outcome: .failed, statusCode: nil, error: "The webhook is disabled."), now: clock.now())
            return .recorded
        }
        let now = clock.now()
        let timestamp = Int64(now.timeIntervalSince1970)
        let body = context.event.json
        let request = OutboundRequest(
            method: "POST", url: context.webhook.url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "partner-catalog-webhooks/1"),
                ("webhook-id", context.event.eventID), ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", WebhookSignature.header(
                    id: context.event.eventID, timestamp: timestamp, body: body, secrets: context.secrets.signing(at: now))),
            ],
            body: Array(body.utf8), timeout: Self.timeout, maxResponseBytes: Self.maxResponseBytes, allowPrivateTargets: allowPrivateTargets)
        let attempt: DeliveryAttempt
        do {
            let response = try await http.send(request)
            attempt = outcome(of: response, task, context)
        } catch let failure as OutboundFailure {
            let message = switch failure {
            case .refusedTarget(let reason): "Not called: \(reason)"
            case .transport(let reason): reason
            }
            attempt = failed(task, context, statusCode: nil, error: message, retryAfter: nil)
        }
        let recorded = try await store.recordAttempt(deliveryID: deliveryID, lease: task.lease, attempt, now: clock.now())
        if !recorded { logger.warning("delivery lease lost before its attempt was recorded") }
        switch attempt.outcome {
        case .succeeded: logger.info("webhook delivered", metadata: ["attempt": .stringConvertible(task.attempt), "status": .stringConvertible(attempt.statusCode ?? 0)])
        case .retry(let at):
            logger.info("webhook delivery failed; retrying", metadata: [
                "attempt": .stringConvertible(task.attempt), "error": .string(attempt.error ?? ""),
                "retry_in_s": .stringConvertible(Int(at.timeIntervalSince(now))),
            ])
        case .failed: logger.warning("webhook delivery failed", metadata: ["attempt": .stringConvertible(task.attempt), "error": .string(attempt.error ?? "")])
        }
        return .recorded
    }

    func outcome(of response: OutboundResponse, _ task: ClaimedTask, _ context: DeliveryContext) -> DeliveryAttempt {
        if (200..<300).contains(response.status) {
            return DeliveryAttempt(outcome: .succeeded, statusCode: response.status, error: nil)
        }
        let snippet = String(decoding: response.body.prefix(200), as: UTF8.self)
        let error = "The receiver answered \(response.status)" + (snippet.isEmpty ? "." : ": \(snippet)")
        if response.status == 410 {
            return DeliveryAttempt(outcome: .failed, statusCode: 410, error: error, disableWebhook: "The receiver answered 410 Gone.")
        }
        let retryAfter = [429, 503].contains(response.status) ? response.headers["retry-after"].flatMap(Self.retryAfter) : nil
        return failed(task, context, statusCode: response.status, error: error, retryAfter: retryAfter)
    }

    func failed(_ task: ClaimedTask, _ context: DeliveryContext, statusCode: Int?, error: String, retryAfter: TimeInterval?) -> DeliveryAttempt {
        let now = clock.now()
        var disable: String?
        if let since = context.webhook.failingSince, now.timeIntervalSince(since) >= Self.failingFor {
            disable = "Every delivery failed for 3 days."
        }
        guard disable == nil, let next = retry.nextAttempt(after: task.attempt, now: now, atLeast: retryAfter) else {
            return DeliveryAttempt(outcome: .failed, statusCode: statusCode, error: error, disableWebhook: disable)
        }
        return DeliveryAttempt(outcome: .retry(at: next), statusCode: statusCode, error: error)
    }

    /// `Retry-After` in seconds, or an HTTP date.
    static func retryAfter(_ value: String) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = TimeInterval(trimmed), seconds >= 0 { return min(seconds, 24 * 3600) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// Only what `run` did not record itself: a worker stopping, or leases lost too often.
    public func record(_ task: ClaimedTask, _ end: TaskEnd, now: Date) async throws -> Bool {
        let deliveryID = try WebhookTasks.deliveryID(of: task)
        let attempt: DeliveryAttempt = switch end {
        case .completed: DeliveryAttempt(outcome: .succeeded, statusCode: nil, error: nil)
        case .retry(let failure, let at): DeliveryAttempt(outcome: .retry(at: at), statusCode: nil, error: failure.failure.message)
        case .failed(let failure): DeliveryAttempt(outcome: .failed, statusCode: nil, error: failure.failure.message)
        case .handedBack: DeliveryAttempt(outcome: .retry(at: now), statusCode: nil, error: "The worker stopped; tried again.")
        case .abandoned: DeliveryAttempt(outcome: .failed, statusCode: nil, error: "The workers delivering this stopped answering too many times.")
        }
        return try await store.recordAttempt(deliveryID: deliveryID, lease: task.lease, attempt, now: now)
    }
}
