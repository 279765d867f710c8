// swift-tools-version: 6.1
import PackageDescription

// Micro benchmarks, kept out of the main package so that building or testing it never
// resolves the benchmark package. Run with scripts/bench-wire.
let package = Package(
    name: "swift-ibmad-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-ibmad", path: ".."),
        // MallocInterposer gives mallocCountTotal; the default RuntimeInterposer trait
        // (ARC counters) is left off.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MADWireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MADWire", package: "swift-ibmad"),
            ],
            path: "MADWireBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
