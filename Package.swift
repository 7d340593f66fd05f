// swift-tools-version: 6.0
import PackageDescription

// Data flows one way: FleetCore (pure values) -> FleetSSH (transport + remote scripts)
// -> FleetStore (SQLite, audit log, content store, state directory) -> FleetGather (collectors)
// and FleetWrite (safe changes to hosts) -> views in the `fleetroll` executable (FleetTUI and
// FleetWeb read through FleetReport only). FleetLab builds the fake fleet used by the demo,
// the tests and the benchmark.
let package = Package(
    name: "fleetroll",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fleetroll", targets: ["fleetroll"]),
        .executable(name: "fleetroll-lab", targets: ["fleetroll-lab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "FleetCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // fork+exec for ProcessRunner: a child must be told to die with fleetroll (Linux's
        // PR_SET_PDEATHSIG) between fork and exec, which posix_spawn cannot do.
        .target(name: "CSpawn"),
        .target(
            name: "FleetSSH",
            dependencies: ["FleetCore", "CSpawn", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "FleetStore",
            dependencies: ["FleetCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        .target(
            name: "FleetGather",
            dependencies: [
                "FleetCore", "FleetSSH", "FleetStore", "FleetTaskcluster", "FleetGitHub", "FleetHTTP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FleetConfig",
            dependencies: ["FleetCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "FleetHTTP",
            dependencies: [
                "FleetCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FleetTaskcluster",
            dependencies: ["FleetCore", "FleetHTTP", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "FleetGitHub",
            dependencies: ["FleetCore", "FleetHTTP", .product(name: "Yams", package: "Yams")]
        ),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", providers: [.apt(["libncurses-dev"])]),
        .target(name: "FleetTUI", dependencies: ["FleetCore", "FleetReport", "CNcurses"]),
        .target(name: "FleetReport", dependencies: ["FleetCore", "FleetStore", .product(name: "Yams", package: "Yams")]),
        // The web page and JSON API: reads the fleet through FleetReport only (no store, ssh or
        // write module), so nothing it serves can change a host.
        .target(
            name: "FleetWeb",
            dependencies: [
                "FleetCore", "FleetReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FleetWrite",
            dependencies: [
                "FleetCore", "FleetSSH", "FleetStore",
                .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FleetLab",
            dependencies: [
                "FleetCore", "FleetSSH", "FleetStore", .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FleetOps",
            dependencies: [
                "FleetCore", "FleetSSH", "FleetStore", "FleetGather", "FleetWrite", "FleetConfig", "FleetTaskcluster",
                "FleetGitHub", "FleetReport", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "fleetroll",
            dependencies: [
                "FleetOps",
                "FleetCore", "FleetSSH", "FleetStore", "FleetGather", "FleetWrite", "FleetConfig",
                "FleetHTTP", "FleetTaskcluster", "FleetGitHub", "FleetReport", "FleetTUI", "FleetWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "fleetroll-lab",
            dependencies: ["FleetLab", "FleetStore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "FleetCoreTests", dependencies: ["FleetCore"]),
        .testTarget(name: "FleetStoreTests", dependencies: ["FleetCore", "FleetStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "FleetSSHTests", dependencies: ["FleetCore", "FleetSSH"]),
        .testTarget(name: "FleetReportTests", dependencies: ["FleetCore", "FleetStore", "FleetReport"]),
        .testTarget(
            name: "FleetWebTests",
            dependencies: [
                // FleetOps and FleetConfig: the inputs the command hands in, as it makes them.
                "FleetCore", "FleetStore", "FleetReport", "FleetWeb", "FleetOps", "FleetConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "FleetTUITests", dependencies: ["FleetCore", "FleetReport", "FleetTUI"]),
        .testTarget(name: "FleetWriteTests", dependencies: ["FleetCore", "FleetSSH", "FleetStore", "FleetWrite"]),
        .testTarget(name: "FleetGatherTests", dependencies: ["FleetCore", "FleetSSH", "FleetStore", "FleetGather"]),
        .testTarget(name: "FleetOpsTests", dependencies: ["FleetCore", "FleetSSH", "FleetStore", "FleetWrite", "FleetGather", "FleetOps"]),
        .testTarget(
            name: "LabTests",
            dependencies: [
                "FleetCore", "FleetSSH", "FleetStore", "FleetGather", "FleetWrite", "FleetLab", "FleetConfig",
                "FleetHTTP", "FleetTaskcluster", "FleetGitHub", "FleetReport",
                // To read and write a Python fleetroll database the way that tool does.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
