import Crypto
import Foundation

/// How a receiver written in Swift checks a delivery (swift-crypto's HMAC). The events and webhooks
/// guide shows this file; the webhook tests check every delivery with it.
enum WebhookVerification {
    /// True when one of the `webhook-signature` values is the HMAC of "id.timestamp.body" under the
    /// secret, and the timestamp is within 5 minutes (replayed deliveries are refused).
    static func isValid(id: String, timestamp: String, signatures: String, body: Data, secret: String, now: Date = Date()) -> Bool {
        guard let sent = TimeInterval(timestamp), abs(now.timeIntervalSince1970 - sent) < 300,
              secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count)))
        else { return false }
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(body)
        return signatures.split(separator: " ").contains { signature in
            guard signature.hasPrefix("v1,"), let given = Data(base64Encoded: String(signature.dropFirst(3))) else { return false }
            // A constant-time comparison.
            return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: signed, using: SymmetricKey(data: key))
        }
    }
}
