import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

/// A webhook receiver on loopback: records every request and answers with the statuses it is given
/// in turn (then 200). Signatures are checked here with the documented algorithm, not the service's code.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: String
        var at: Date
    }

    private let state = Mutex<(answers: [(Int, [String: String])], received: [Received])>(([], []))

    init(answers: [(Int, [String: String])] = []) {
        state.withLock { $0.answers = answers }
    }

    var received: [Received] { state.withLock { $0.received } }

    /// Serves on a loopback port for the duration of `body`.
    func serve(_ body: @Sendable (_ url: String) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = self.state.withLock { state -> (Int, [String: String]) in
                state.received.append(Received(headers: headers, body: String(buffer: bytes), at: Date()))
                return state.answers.isEmpty ? (200, [:]) : state.answers.removeFirst()
            }
            var fields = HTTPFields()
            for (name, value) in answer.1 { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: answer.0), headers: fields, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)/hook") }
    }

    /// Checked with the guide's Swift receiver code, not the service's signing code.
    static func verifies(_ received: Received, secret: String) -> Bool {
        guard let id = received.headers["webhook-id"], let timestamp = received.headers["webhook-timestamp"],
              let signatures = received.headers["webhook-signature"]
        else { return false }
        return WebhookVerification.isValid(id: id, timestamp: timestamp, signatures: signatures, body: Data(received.body.utf8), secret: secret)
    }
}
