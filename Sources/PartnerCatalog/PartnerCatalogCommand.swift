import ArgumentParser
import CatalogCore
import Foundation

@main
struct PartnerCatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner-catalog",
        abstract: "Ingests retail partners' product and order feeds and serves a unified catalog.",
        subcommands: [
            ServeCommand.self, WorkerCommand.self, MigrateCommand.self, IngestCommand.self, PartnersCommand.self, KeysCommand.self,
            WebhooksCommand.self, EventsCommand.self, SourcesCommand.self,
        ])

    /// Errors are one clear line on stderr and a non-zero exit.
    static func main() async {
        do {
            var command = try parseAsRoot()
            try LoggingSetup.bootstrap(for: command)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CatalogError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
