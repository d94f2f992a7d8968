/// Which hosts outbound calls (webhooks, vendor sources) may reach: a host that resolves to a
/// loopback, private, link-local or cloud-metadata address is refused unless allowed
/// (`CATALOG_ALLOW_PRIVATE_TARGETS`). Checked when a URL is saved, and again on the address each call
/// connects to.
public protocol TargetPolicy: Sendable {
    /// Throws `VALIDATION_ERROR` naming `url` when `host` is refused or does not resolve.
    func check(host: String) async throws
}
