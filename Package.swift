// swift-tools-version:6.0
// LabourMatch: a labour supply–demand matching engine for international labour mobility.
import PackageDescription

let package = Package(
    name: "LabourMatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "labourmatch", targets: ["labourmatch"]),
        // For the fuzz package in Fuzz/ (README "Fuzzing"), which depends on this one by path.
        .library(name: "FeedsFuzzing", targets: ["FeedsFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"4.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.0"),
    ],
    targets: [
        // libpq through the system library; the only C the project touches.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // A small, safe Swift face for libpq; knows nothing of the domain.
        .target(name: "Postgres", dependencies: [
            "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The pure core: model, policy, rules, scoring, candidates, assignment. Foundation, and
        // BigInt for feed decimals past 64 bits (FEEDS.md sets no limit on their digits).
        .target(name: "Matching", dependencies: [.product(name: "BigInt", package: "BigInt")]),
        // Parsing and validating operator feeds (CSV, NDJSON), the policy file, output files.
        .target(name: "Feeds", dependencies: [
            "Matching",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // One fuzz input through the readers, with its invariants: run by Fuzz/ and by FeedsTests.
        .target(name: "FeedsFuzzing", dependencies: ["Feeds", "Matching"]),
        // The domain on PostgreSQL: migrations, loading, snapshots, results.
        .target(name: "Store", dependencies: [
            "Postgres", "Feeds", "Matching",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The job runner: jobs, steps, executions, the scope lease, restart, retries, verification.
        .target(name: "Batch", dependencies: [
            "Store", "Feeds", "Matching", "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The command line; thin, one file per subcommand.
        .executableTarget(name: "labourmatch", dependencies: [
            "Batch", "Store", "Feeds", "Matching", "Postgres",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Shared by the end-to-end test targets: running the built `labourmatch`, and a proxy that
        // loses the answer to a statement (`LostAnswerProxy`).
        .target(name: "TestSupport", dependencies: ["Postgres"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
        .testTarget(name: "MatchingTests", dependencies: [
            "Matching",
            .product(name: "PropertyBased", package: "swift-property-based"),
            .product(name: "BigInt", package: "BigInt"),
        ]),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds", "Matching", "FeedsFuzzing"]),
        .testTarget(name: "StoreTests", dependencies: [
            "TestSupport",
            "Store", "Postgres", "Feeds",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CLITests", dependencies: ["Feeds", "Matching", "TestSupport"]),
        .testTarget(name: "BatchTests", dependencies: ["Batch", "Store", "Feeds", "Matching", "Postgres", "TestSupport"]),
    ]
)
