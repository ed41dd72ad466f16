// swift-tools-version:6.1
import PackageDescription

// Targets are split by the weight of what they import (docs/architecture.md):
// core, manifest, planner and engine build with nothing heavy; only KilnImaging links libvips.
let package = Package(
    name: "Kiln",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
        .executable(name: "openai-fake", targets: ["openai-fake"]),
        .library(name: "KilnCore", targets: ["KilnCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Values every other target shares: ids, digests, steps, plans, the provider protocol.
        .target(name: "KilnCore", dependencies: ["CKilnFiles", "CKilnHash", .product(name: "Crypto", package: "swift-crypto")]),
        // File calls Glibc's module leaves out: extended attributes (the seal), reads from memory only.
        .target(name: "CKilnFiles"),
        // XXH3 in C (AVX2 where the processor has it): the checksum of the seal.
        .target(name: "CKilnHash"),
        // YAML → typed manifest with source locations, plus single-file validation.
        .target(name: "KilnManifest", dependencies: ["KilnCore", .product(name: "Yams", package: "Yams")]),
        // Manifests → concrete steps, references, cache keys, targets.
        .target(name: "KilnPlanner", dependencies: ["KilnCore", "KilnManifest"]),
        // The result cache: one entry per answer, key locks, housekeeping, and the `CacheBackend`
        // protocol a remote store implements.
        // Also the remote tier: a shared store behind `CacheBackend`, read after the local disk and
        // written after it, with verified digests and HMAC-signed records.
        .target(name: "KilnCache", dependencies: ["KilnCore", .product(name: "Crypto", package: "swift-crypto")]),
        // Remote cache backends over HTTP: the bazel-remote layout (nginx WebDAV, bazel-remote) and
        // S3-compatible stores, signed with SigV4 by hand (no AWS SDK here).
        .target(name: "KilnRemoteCache", dependencies: [
            "KilnCore", "KilnCache",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // kiln.lock, step fingerprints, stale reasons, up-to-date checks and the stat cache.
        .target(name: "KilnLock", dependencies: ["KilnCore"]),
        // outputs/manifest.json: what a build produced, and its JSON Schema.
        .target(name: "KilnOutputs", dependencies: ["KilnCore"]),
        // The review page: outputs/index.html and its thumbnails, from the output manifest.
        .target(name: "KilnGallery", dependencies: ["KilnCore", "KilnOutputs"]),
        // Runs a plan concurrently (scheduler, driver, progress, budget) on top of the three above.
        .target(name: "KilnEngine", dependencies: [
            "KilnCore", "KilnCache", "KilnLock", "KilnOutputs", .product(name: "Logging", package: "swift-log"),
        ]),
        // libvips, through a system library and a shim for its variadic calls.
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .target(name: "CKilnVips", dependencies: ["CVips"]),
        .target(name: "KilnImaging", dependencies: ["KilnCore", "CKilnVips"]),
        // The offline, deterministic provider rendered with libvips.
        .target(name: "KilnPlaceholder", dependencies: ["KilnCore", "KilnImaging"]),
        // `kiln serve`: an HTTP server (Hummingbird) in front of the provider, the cache and the rules,
        // so apps never hold the OpenAI key. Only this target and KilnCLI see it.
        .target(name: "KilnServe", dependencies: [
            "KilnCore", "KilnManifest", "KilnPlanner", "KilnCache",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What `kiln serve` keeps: the audit log (SQLite through GRDB, one row per call) and its metrics
        // (swift-metrics and swift-prometheus on a registry of its own).
        .target(name: "KilnServeRecords", dependencies: [
            "KilnCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "KilnCLI", dependencies: [
            "KilnCore", "KilnManifest", "KilnPlanner", "KilnCache", "KilnLock", "KilnOutputs", "KilnEngine",
            "KilnImaging", "KilnPlaceholder", "KilnOpenAI", "KilnGallery", "KilnRemoteCache", "KilnServe", "KilnServeRecords",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The OpenAI Images API client: only this target (and the fake) pull in NIO/HTTP.
        .target(name: "KilnOpenAI", dependencies: [
            "KilnCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A fake of the OpenAI Images API for tests, benchmarks and keyless rehearsals.
        .target(name: "KilnFakeOpenAI", dependencies: [
            "KilnCore", "KilnImaging", "KilnPlaceholder",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "openai-fake", dependencies: [
            "KilnFakeOpenAI", "KilnOpenAI", "KilnCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "kiln", dependencies: ["KilnCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Benchmarks (release builds; results in docs/benchmarks.md).
        .executableTarget(name: "kiln-bench-plan", dependencies: ["KilnManifest", "KilnPlanner"],
                          path: "Benchmarks/PlanBench"),
        .executableTarget(name: "kiln-bench-engine", dependencies: [
            "KilnEngine", "KilnCache", "KilnCore", .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/EngineBench"),
        .executableTarget(name: "kiln-bench-imaging", dependencies: ["KilnCore", "KilnImaging"],
                          path: "Benchmarks/ImagingBench", exclude: ["peer_pyvips.py"]),

        .testTarget(name: "KilnCoreTests", dependencies: ["KilnCore", "KilnTestSupport"]),
        .testTarget(name: "KilnManifestTests", dependencies: ["KilnManifest", .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "KilnPlannerTests", dependencies: ["KilnPlanner", "KilnManifest"], exclude: ["Golden"]),
        // Shared by the tests of the cache, the lock and the engine: small steps, PNG bytes, temp folders.
        // Also real servers for the remote cache tests (nginx with WebDAV, moto's S3), started on loopback.
        .target(name: "KilnTestSupport", dependencies: ["KilnCore", .product(name: "Logging", package: "swift-log")],
                path: "Tests/KilnTestSupport",
                exclude: ["Servers/moto_setup.py"]),
        .testTarget(name: "KilnCacheTests", dependencies: ["KilnCache", "KilnCore", "KilnTestSupport"]),
        .testTarget(name: "KilnLockTests", dependencies: ["KilnLock", "KilnCore"]),
        .testTarget(name: "KilnOutputsTests", dependencies: ["KilnOutputs", "KilnCore"]),
        .testTarget(name: "KilnEngineTests", dependencies: [
            "KilnEngine", "KilnCache", "KilnLock", "KilnOutputs", "KilnCore", "KilnTestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Every place a request's parameters reach, checked against the one table.
        .testTarget(name: "KilnParameterTableTests", dependencies: [
            "KilnCore", "KilnManifest", "KilnPlanner", "KilnLock", "KilnOutputs", "KilnOpenAI", "KilnFakeOpenAI",
        ]),
        // The layout docs/architecture.md draws: import directions, a line per source folder.
        .testTarget(name: "KilnLayoutTests"),
        .testTarget(name: "KilnImagingTests", dependencies: ["KilnImaging", "KilnPlaceholder"]),
        .testTarget(name: "KilnGalleryTests", dependencies: ["KilnGallery", "KilnCore", "KilnOutputs", "KilnImaging", "KilnPlaceholder"]),
        .testTarget(name: "KilnCLITests", dependencies: [
            "KilnCLI", "kiln", "KilnCore", "KilnImaging", "KilnLock", "KilnEngine", "KilnFakeOpenAI", "KilnOpenAI",
            "KilnOutputs", "KilnTestSupport", "KilnServeRecords",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The backends against real servers: nginx with WebDAV and moto's S3, started on loopback.
        .testTarget(name: "KilnRemoteCacheTests", dependencies: [
            "KilnRemoteCache", "KilnCache", "KilnCore", "KilnTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Fixtures"]),
        // `kiln serve` over real sockets, with openai-fake as the upstream.
        .testTarget(name: "KilnServeTests", dependencies: [
            "KilnServe", "KilnServeRecords", "kiln", "KilnFakeOpenAI", "KilnOpenAI", "KilnCore", "KilnCache", "KilnImaging", "KilnPlaceholder",
            "KilnManifest", "KilnPlanner", "KilnRemoteCache",
            "KilnTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        // The audit log on real SQLite files in temp folders, and the metrics' exposition text.
        .testTarget(name: "KilnServeRecordsTests", dependencies: [
            "KilnServeRecords", "KilnCore", "KilnTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "KilnOpenAITests", dependencies: [
            "KilnOpenAI", "KilnFakeOpenAI", "KilnImaging", "KilnTestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
