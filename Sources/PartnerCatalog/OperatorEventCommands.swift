import ArgumentParser
import CatalogCore
import Foundation

/// `partner-catalog webhooks list|create|disable` (§Webhooks), on the server's database, for operators.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "List, create and disable webhooks.", subcommands: [List.self, Create.self, Disable.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhooks, one JSON object a line (never their secrets).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            var after: Int64?
            repeat {
                let page = try await catalog.webhooks.list(PageRequest(limit: 200, after: after), by: .operatorCLI)
                for webhook in page.items { print(WebhookJSON.object(webhook)) }
                after = page.nextAfter
            } while after != nil
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a webhook and print it with its secret, shown once.")

        @Option(help: "Where deliveries are POSTed (http or https).") var url: String
        @Option(help: "Event types, comma-separated (job.completed,feed.uploaded …), or * for all.") var events: String = "*"
        @Option(help: "Only this partner's events (default: every partner's).") var partner: String?
        @Option(help: "A note to recognise the webhook by.") var description: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            let types = events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let (webhook, secret) = try await catalog.webhooks.create(
                .init(url: url, events: types, description: description, partnerName: partner), by: .operatorCLI)
            print(WebhookJSON.object(webhook, secret: secret))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a webhook by its ID (WH…): no more deliveries until enabled again.")
        @Argument(help: "The webhook's ID, as `webhooks list` shows it.") var webhookID: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            let webhook = try await catalog.webhooks.update(webhookID, WebhookChanges(status: .disabled), by: .operatorCLI)
            print("\(webhook.webhookID) disabled")
        }
    }
}

/// `partner-catalog events tail` (§Events): the event log, one JSON object a line, oldest first; it
/// keeps following until interrupted unless `--no-follow` is given.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Read the event log.", subcommands: [Tail.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print events after --since, then follow new ones as they are recorded.")

        @Option(help: "Start after this event ID (EV…); 0 for the whole log (default: only new events).") var since: String?
        @Option(help: "Only events of this type (job.completed …).") var type: String?
        @Option(help: "Only this partner's events.") var partner: String?
        @Flag(help: "Print what is there and stop instead of following.") var noFollow = false
        @Option(help: "Seconds between looks for new events while following.") var interval: Double = 1
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            let eventType: EventType? = try EnumParameter.parse(type, parameter: "type")
            let filter = EventFilter(type: eventType, partnerName: partner)
            guard interval > 0, interval <= 3600 else {
                throw CatalogError.validation("--interval must be from 0 to 3600 seconds.", parameter: "interval")
            }
            var cursor: String
            if let since {
                cursor = since
            } else {
                cursor = noFollow ? "0" : try await catalog.eventLog.latest()
            }
            while true {
                let (events, next) = try await catalog.eventLog.list(filter, since: cursor, limit: 500, by: .operatorCLI)
                // Unbuffered, so that a pipe or a file sees each event as it is printed.
                if !events.isEmpty { FileHandle.standardOutput.write(Data(events.map { $0.json + "\n" }.joined().utf8)) }
                cursor = next ?? cursor
                if events.count == 500 { continue }
                if noFollow { return }
                try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            }
        }
    }
}
