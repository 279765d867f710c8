// swift-tools-version: 6.1
import PackageDescription

// Layers, bottom to top: CInfiniBand (C shim over libibverbs/libibumad) → MADWire (pure
// codecs, no dependencies) → MADTransport → MADAgents → Fabric → the `ibmad` tool.
// libibmad is linked by tests only (CIBMadOracle), as the oracle for every field codec.
let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "swift-ibmad",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MADWire", targets: ["MADWire"]),
        .library(name: "MADTransport", targets: ["MADTransport"]),
        .library(name: "MADAgents", targets: ["MADAgents"]),
        .library(name: "Fabric", targets: ["Fabric"]),
        .executable(name: "ibmad", targets: ["ibmad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "CInfiniBand",
            linkerSettings: [.linkedLibrary("ibverbs"), .linkedLibrary("ibumad")]
        ),
        .target(name: "MADWire", swiftSettings: strictSwift),
        .target(name: "MADTransport", dependencies: ["MADWire", "CInfiniBand"], swiftSettings: strictSwift),
        .target(
            name: "MADAgents",
            dependencies: [
                "MADWire", "MADTransport",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strictSwift
        ),
        .target(name: "Fabric", dependencies: ["MADWire", "MADAgents"], swiftSettings: strictSwift),
        .executableTarget(
            name: "ibmad",
            dependencies: [
                "MADWire", "MADTransport", "MADAgents", "Fabric",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),

        // A vendor-class GSI responder and requester over VerbsGSIPort, to copy from.
        .executableTarget(name: "vendor-class-example", dependencies: ["MADAgents", "MADTransport", "MADWire"],
                          path: "Examples/VendorClass", swiftSettings: strictSwift),
        // Round trips per second on the soft-RoCE rig: VerbsGSIPort vs UmadPort vs per-send
        // registration (scripts/bench-rig; BENCHMARKS.md). Benchmark only, never a test.
        .executableTarget(name: "rig-bench", dependencies: ["CInfiniBand", "MADAgents", "MADTransport", "MADWire"],
                          path: "Benchmarks/RigBench", swiftSettings: strictSwift),

        // Test-only oracle: libibmad's own field codecs.
        .target(name: "CIBMadOracle", linkerSettings: [.linkedLibrary("ibmad")]),

        .testTarget(name: "CInfiniBandTests", dependencies: ["CInfiniBand"], swiftSettings: strictSwift),
        .testTarget(name: "MADWireTests", dependencies: ["MADWire", "CIBMadOracle"], swiftSettings: strictSwift),
        .testTarget(name: "MADTransportTests", dependencies: ["MADTransport", "MADAgents"], swiftSettings: strictSwift),
        .testTarget(name: "MADAgentsTests", dependencies: ["MADAgents"], swiftSettings: strictSwift),
        .testTarget(name: "FabricTests", dependencies: ["Fabric", "MADWire", "CIBMadOracle"], swiftSettings: strictSwift),
        .testTarget(name: "ibmadTests", dependencies: ["ibmad"], swiftSettings: strictSwift),

    ]
)
