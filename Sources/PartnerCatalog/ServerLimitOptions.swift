import ArgumentParser
import CatalogCore
import CatalogHTTP
import Foundation

/// §Configuration: the limits `serve` holds its clients to.
struct ServerLimitOptions: ParsableArguments {
    @Option(help: "Open client connections; beyond it new connections are refused at once. [env: CATALOG_MAX_CONNECTIONS, default: 1024]")
    var maxConnections: Int?

    @Option(help: "Close an idle keep-alive connection, or one whose request head is incomplete, after this: 60s, 2m, 1h or seconds; 0: never. [env: CATALOG_IDLE_TIMEOUT, default: 60s]")
    var idleTimeout: String?

    @Option(help: "Failed authentications per client address and minute before 429 RATE_LIMITED; 0: no limit. [env: CATALOG_AUTH_FAILURES_PER_MINUTE, default: 30]")
    var authFailuresPerMinute: Int?

    @Option(help: "Uploads of one partner in progress at once; the next gets 429 RATE_LIMITED. [env: CATALOG_MAX_UPLOADS_PER_PARTNER, default: 4]")
    var maxUploadsPerPartner: Int?

    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerLimits {
        var limits = ServerLimits()
        limits.maxConnections = try Self.count(maxConnections, environment, "CATALOG_MAX_CONNECTIONS", default: limits.maxConnections, minimum: 1)
        limits.authFailuresPerMinute = try Self.count(
            authFailuresPerMinute, environment, "CATALOG_AUTH_FAILURES_PER_MINUTE", default: limits.authFailuresPerMinute, minimum: 0)
        limits.uploadsPerPartner = try Self.count(
            maxUploadsPerPartner, environment, "CATALOG_MAX_UPLOADS_PER_PARTNER", default: limits.uploadsPerPartner, minimum: 1)
        if let raw = idleTimeout.flatMap({ $0.isEmpty ? nil : $0 }) ?? environment["CATALOG_IDLE_TIMEOUT"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let timeout = Self.duration(raw) else {
                throw CatalogError.validation(
                    "CATALOG_IDLE_TIMEOUT must be a duration such as 60s, 2m, 1h or a number of seconds (0: never).",
                    parameter: "CATALOG_IDLE_TIMEOUT", value: raw)
            }
            limits.idleTimeout = timeout == .zero ? nil : timeout
        }
        return limits
    }

    /// `60s`, `2m`, `1h`, `500ms` or plain seconds (`90`, `1.5`).
    static func duration(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number), value.isFinite, value >= 0, value * scale <= 365 * 86400
        else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    private static func count(
        _ flag: Int?, _ environment: [String: String], _ name: String, default value: Int, minimum: Int
    ) throws -> Int {
        var result = value
        if let flag {
            result = flag
        } else if let raw = environment[name], !raw.isEmpty {
            guard let parsed = Int(raw.trimmingCharacters(in: .whitespaces)) else {
                throw CatalogError.validation("\(name) must be a whole number.", parameter: name, value: raw)
            }
            result = parsed
        }
        guard result >= minimum else {
            throw CatalogError.validation("\(name) must be at least \(minimum).", parameter: name, value: String(result))
        }
        return result
    }
}
