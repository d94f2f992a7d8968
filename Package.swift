// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "partner-catalog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "partner-catalog", targets: ["PartnerCatalog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Typed wrappers for curl's variadic setopt/getinfo, which Swift cannot call.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        // Domain, ports and use cases. No database, HTTP or curl imports.
        .target(
            name: "CatalogCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "CZlib",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CatalogSQLite",
            dependencies: [
                "CatalogCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CatalogPostgres",
            dependencies: [
                "CatalogCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CatalogFileStore",
            dependencies: [
                "CatalogCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The one outbound HTTP client: libcurl transfers on threads of their own (S3, webhooks, vendor sources).
        .target(
            name: "CatalogCurl",
            dependencies: [
                "CatalogCore", "CCurl", "CCurlShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CatalogS3",
            dependencies: [
                "CatalogCore", "CatalogCurl", "CCurl", "CCurlShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CatalogHTTP",
            dependencies: [
                "CatalogCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The request-part types of the channel pipeline, for the handler that answers unparsable request heads.
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/Dashboard")],
            swiftSettings: swiftSettings
        ),
        // The composition root as a library: one configuration and one builder for the CLI and the tests.
        .target(
            name: "CatalogApp",
            dependencies: [
                "CatalogCore", "CatalogSQLite", "CatalogPostgres", "CatalogFileStore", "CatalogS3", "CatalogCurl", "CatalogHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PartnerCatalog",
            dependencies: [
                "CatalogApp", "CatalogCore", "CatalogHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shared contract suites, run by each adapter's tests.
        .target(
            name: "CatalogTestSupport",
            dependencies: [
                "CatalogCore", "CatalogPostgres", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CatalogTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CatalogCoreTests", dependencies: ["CatalogCore", "CatalogTestSupport", "CZlib"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CatalogSQLiteTests",
            dependencies: ["CatalogSQLite", "CatalogTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CatalogPostgresTests",
            dependencies: ["CatalogPostgres", "CatalogTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PartnerCatalogTests",
            dependencies: ["PartnerCatalog", "CatalogCore", "CatalogPostgres", "CatalogFileStore", "CatalogTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CatalogAppTests", dependencies: ["CatalogApp", "CatalogCore"], swiftSettings: swiftSettings),
        .testTarget(name: "CatalogFileStoreTests", dependencies: ["CatalogFileStore", "CatalogTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CatalogS3Tests",
            dependencies: [
                "CatalogS3", "CatalogCurl", "CatalogTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CatalogHTTPTests",
            dependencies: [
                "CatalogApp", "CatalogHTTP", "CatalogSQLite", "CatalogFileStore", "CatalogS3", "CatalogTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
