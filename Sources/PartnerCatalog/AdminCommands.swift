import ArgumentParser
import CatalogCore
import Foundation

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let runtime = try await store.builder().catalog()
        print("Database at \(runtime.storeDescription) is up to date: \(runtime.migrations.joined(separator: ", ")).")
    }
}

struct PartnersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partners", abstract: "Create and list partners.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a partner and print its first API key.")

        @Argument(help: "Lower-case name: ^[a-z0-9][a-z0-9-]{1,62}$") var name: String
        @Option(help: "Name shown to people.") var displayName: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            let (partner, key) = try await catalog.partners.create(name: name, displayName: displayName, by: .operatorCLI)
            print("\(partner.partnerID)\t\(partner.partnerName)\t\(partner.displayName)")
            print("API key for \(partner.partnerName) (shown once): \(key.secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List partners.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            var after: Int64?
            repeat {
                let page = try await catalog.partners.list(PageRequest(limit: 200, after: after), by: .operatorCLI)
                for partner in page.items {
                    print("\(partner.partnerID)\t\(partner.partnerName)\t\(partner.status.rawValue)\t\(partner.displayName)")
                }
                after = page.nextAfter
            } while after != nil
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once.")

        @Option(help: "partner, reader, analyst or admin.") var role: Role
        @Option(help: "The partner name a partner key is bound to.") var partner: String?
        @Option(help: "A note to recognise the key by.") var label: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            let issued = try await catalog.keys.create(role: role, partnerName: partner, label: label)
            print("\(issued.record.keyID)\t\(issued.record.role.rawValue)\t\(issued.record.partnerName ?? "-")")
            print("API key (shown once): \(issued.secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            for key in try await catalog.keys.list() {
                let state = key.revokedAt == nil ? "active" : "revoked"
                print("\(key.keyID)\t\(key.role.rawValue)\t\(key.partnerName ?? "-")\t\(state)\t\(key.label ?? "")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its ID (KY…).")
        @Argument(help: "The key's ID, as `keys list` shows it.") var keyID: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            let key = try await catalog.keys.revoke(keyID)
            print("\(key.keyID) revoked")
        }
    }
}

extension Role: ExpressibleByArgument {}

extension Principal {
    /// Whoever runs the CLI on the server holds the database itself: an admin.
    static let operatorCLI = Principal(keyID: "cli", role: .admin, partner: nil)
}
