import KilnCore
@testable import KilnCLI
import KilnEngine
import Foundation
@testable import KilnOpenAI
import Logging
import Testing

@Test func commandLineLimitsReachTheOpenAIProvider() async throws {
    let step = PlannedStep(id: StepID(pipeline: "p", asset: "a", variant: nil, step: "main"), kind: .generate,
                           provider: "openai", model: "gpt-image-1.5", prompt: "x",
                           parameters: ImageParameters(), cacheKey: "k")
    let plan = Plan(steps: [step], providers: ["openai": ProviderSettings(requestsPerMinute: 50, retries: 2)])
    let runner = BuildRunner(options: BuildOptions(outputDirectory: URL(fileURLWithPath: "/tmp/unused")),
                             cacheDirectory: nil, progress: .plain, logger: Logger(label: "test"),
                             environment: ["OPENAI_API_KEY": "sk-test-limits"], retries: 7, requestsPerMinute: 12)
    let providers = try runner.providers(for: plan, terminal: TerminalProgress(mode: .plain))
    let openai = try #require(providers["openai"] as? OpenAIProvider)
    #expect(openai.configuration.retries == 7, "--retries wins over the manifest")
    #expect(openai.configuration.requestsPerMinute == 12, "--rpm wins over the manifest")
    try await openai.shutdown()
}

@Test func theConnectionPoolFollowsTheBuildsConcurrency() async throws {
    let step = PlannedStep(id: StepID(pipeline: "p", asset: "a", variant: nil, step: "main"), kind: .generate,
                           provider: "openai", model: "gpt-image-1.5", prompt: "x",
                           parameters: ImageParameters(), cacheKey: "k")
    let plan = Plan(steps: [step], providers: ["openai": ProviderSettings(maxInFlight: 600)])
    let runner = BuildRunner(options: BuildOptions(outputDirectory: URL(fileURLWithPath: "/tmp/unused"), jobs: 900),
                             cacheDirectory: nil, progress: .plain, logger: Logger(label: "test"),
                             environment: ["OPENAI_API_KEY": "sk-test-pool"])
    let providers = try runner.providers(for: plan, terminal: TerminalProgress(mode: .plain))
    let openai = try #require(providers["openai"] as? OpenAIProvider)
    #expect(openai.configuration.connectionsPerHost == 900, "the pool would cap --jobs 900")
    let pool = OpenAIProvider.clientConfiguration(for: openai.configuration, stalls: StallLog()).connectionPool
    #expect(pool.concurrentHTTP1ConnectionsPerHostSoftLimit == 900)
    var defaults = OpenAIConfiguration(environment: [:])
    #expect(defaults.connectionsPerHost == 256)
    defaults.maxInFlight = 400
    #expect(defaults.connectionsPerHost == 400)
    try await openai.shutdown()
}

@Test func theOpenFileLimitIsRaisedForBuildsWithManyConnections() {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    let now = OpenFileLimit.raise()
    #expect(now == Int(min(limit.rlim_max, OpenFileLimit.wanted)))
}
