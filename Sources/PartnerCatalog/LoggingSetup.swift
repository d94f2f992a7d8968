import ArgumentParser
import CatalogHTTP
import Logging

/// Every process logs through swift-log as JSON lines on stderr (stdout stays for command output),
/// at the level `CATALOG_LOG_LEVEL` / `--log-level` names.
enum LoggingSetup {
    /// Installs `JSONLogHandler` for every logger of the process, this one's and its libraries'
    /// (Hummingbird, PostgresNIO, ServiceLifecycle), at the level that `command` resolves.
    /// Called once, before the command runs.
    static func bootstrap(for command: any ParsableCommand) throws {
        let level = try (command as? any StoreCommand).map { try $0.logLevel() } ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}

/// A command that opens the store: its `StoreOptions` carry the log level.
protocol StoreCommand {
    var store: StoreOptions { get }
    /// The level when neither `--log-level` nor `CATALOG_LOG_LEVEL` is given.
    static var defaultLogLevel: Logger.Level { get }
}

extension StoreCommand {
    static var defaultLogLevel: Logger.Level { .info }

    /// `--log-level`, else `CATALOG_LOG_LEVEL`, else the command's default.
    func logLevel() throws -> Logger.Level {
        try store.configuration().logLevel ?? Self.defaultLogLevel
    }
}

extension ServeCommand: StoreCommand {}
extension WorkerCommand: StoreCommand {}
extension MigrateCommand: StoreCommand {}
extension PartnersCommand.Create: StoreCommand {}
extension PartnersCommand.List: StoreCommand {}
extension KeysCommand.Create: StoreCommand {}
extension KeysCommand.List: StoreCommand {}
extension KeysCommand.Revoke: StoreCommand {}
extension WebhooksCommand.List: StoreCommand {}
extension WebhooksCommand.Create: StoreCommand {}
extension WebhooksCommand.Disable: StoreCommand {}

extension EventsCommand.Tail: StoreCommand {
    /// Its output is the events themselves: log lines only when something is wrong.
    static var defaultLogLevel: Logger.Level { .warning }
}

extension IngestCommand: StoreCommand {
    /// A command-line tool that prints its own summary: job transitions only when asked for.
    static var defaultLogLevel: Logger.Level { .warning }
}
