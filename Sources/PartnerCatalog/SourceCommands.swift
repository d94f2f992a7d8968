import ArgumentParser
import CatalogCore
import Foundation

/// `partner-catalog sources list|create|fetch` (§Sources), on the server's database, for operators.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "List, register and fetch vendor sources.", subcommands: [List.self, Create.self, Fetch.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sources, one JSON object a line (credentials masked).")
        @Option(help: "Only this partner's sources.") var partner: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            var after: Int64?
            repeat {
                let page = try await catalog.sources.list(partnerName: partner, PageRequest(limit: 200, after: after), by: .operatorCLI)
                for source in page.items { print(SourceJSON.object(source)) }
                after = page.nextAfter
            } while after != nil
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a source and print it.",
            discussion: """
                Credentials, a mapping and API paging go in --settings as the JSON of POST /sources, e.g.
                --settings '{"auth": {"type": "bearer", "token": "…"}, "api": {"records": "data.items", "next": {"type": "link_header"}}}'.
                Credentials are sealed with CATALOG_SECRET_KEY.
                """)

        @Option(help: "The partner whose catalog the source feeds.") var partner: String
        @Option(help: "The vendor's file or API URL (http or https).") var url: String
        @Option(help: "A name to recognise the source by (default: the URL's host).") var name: String?
        @Option(help: "file (default) or api.") var kind: String?
        @Option(help: "csv, tsv, json or ndjson (default: from the answer's Content-Type, then the URL's extension).") var format: String?
        @Option(help: "products (default) or orders.") var feedType: String?
        @Option(help: "delta (default) or full.") var mode: String?
        @Option(help: "Fetch every 15m, 6h, 1d …") var every: String?
        @Option(help: "Fetch daily at HH:MM (with --timezone).") var dailyAt: String?
        @Option(help: "IANA time zone of --daily-at (default UTC).") var timezone: String?
        @Option(help: "More fields as a JSON object (auth, mapping, api, max_requests_per_minute).") var settings: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            var body: [String: JSONValue] = [:]
            if let settings {
                guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(settings.utf8)) else {
                    throw CatalogError.validation("--settings must be a JSON object.", parameter: "settings")
                }
                body = fields
            }
            body["partner_name"] = .string(partner)
            body["url"] = .string(url)
            for (key, value) in [("name", name), ("kind", kind), ("format", format), ("feed_type", feedType), ("mode", mode)] {
                if let value { body[key] = .string(value) }
            }
            if let every {
                body["schedule"] = .object(["every": .string(every)])
            } else if let dailyAt {
                var schedule: [String: JSONValue] = ["daily_at": .string(dailyAt)]
                if let timezone { schedule["timezone"] = .string(timezone) }
                body["schedule"] = .object(schedule)
            }
            print(SourceJSON.object(try await catalog.sources.create(body, by: .operatorCLI)))
        }
    }

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a fetch of a source now; a serve or worker process runs it. Prints the fetch (SF…).")
        @Argument(help: "The source's ID (SR…).") var sourceID: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let catalog = try await store.catalog()
            let fetch = try await catalog.sources.fetchNow(sourceID, by: .operatorCLI)
            print(SourceJSON.fetch(fetch))
        }
    }
}
