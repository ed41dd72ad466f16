import KilnCore
@testable import KilnCLI
import KilnEngine
import Synchronization
import Foundation
import KilnOpenAI
import Logging
import Testing

private final class Collect: BuildProgressSink {
    let events = Mutex<[BuildEvent]>([])
    func handle(_ event: BuildEvent) { events.withLock { $0.append(event) } }
}

private func finished(_ step: String, cost: Double) -> BuildEvent {
    BuildEvent.done(StepID(pipeline: "p", asset: "a", variant: nil, step: step), cached: false, outputs: [],
                    durationMS: 1, costUSD: cost)
}

@Test func budgetStopsOnceWhenSpendReachesTheLimitAndForwardsEverything() {
    let next = Collect()
    let guardian = BudgetGuard(limitUSD: 1.0, forwardingTo: next)
    let stops = Mutex(0)
    guardian.onLimit { stops.withLock { $0 += 1 } }
    guardian.handle(finished("a", cost: 0.4))
    guardian.handle(finished("b", cost: 0.5))
    #expect(!guardian.tripped)
    #expect(stops.withLock { $0 } == 0)
    guardian.handle(finished("c", cost: 0.2))
    guardian.handle(finished("d", cost: 0.2))
    #expect(guardian.tripped)
    #expect(stops.withLock { $0 } == 1)
    #expect(next.events.withLock { $0.count } == 4)
}

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
