import KilnCore
import Testing
@testable import KilnOpenAI

@Suite("Configuration from the environment and the manifest")
struct ConfigurationTests {
    @Test("Defaults follow the official SDKs")
    func defaults() {
        let configuration = OpenAIConfiguration(environment: [:])
        #expect(configuration.baseURL == "https://api.openai.com/v1")
        #expect(configuration.apiKey == nil)
        #expect(configuration.retries == 4)
        #expect(configuration.userAgent == "kiln/\(OpenAIConfiguration.defaultKilnVersion)")
        #expect(!configuration.standardHeaders().contains { $0.0 == "Authorization" })
    }

    @Test("Environment variables set base URL, key, organization and project; the manifest wins for the URL")
    func environmentAndSettings() {
        let env = ["OPENAI_BASE_URL": "http://proxy.local/v1/", "OPENAI_API_KEY": " sk-abc123 ",
                   "OPENAI_ORG_ID": "org-1", "OPENAI_PROJECT_ID": "proj-2"]
        let fromEnv = OpenAIConfiguration(environment: env)
        #expect(fromEnv.baseURL == "http://proxy.local/v1")
        #expect(fromEnv.apiKey == "sk-abc123")
        let headers = Dictionary(fromEnv.standardHeaders(), uniquingKeysWith: { a, _ in a })
        #expect(headers["Authorization"] == "Bearer sk-abc123")
        #expect(headers["OpenAI-Organization"] == "org-1")
        #expect(headers["OpenAI-Project"] == "proj-2")
        let settings = ProviderSettings(maxInFlight: 5, requestsPerMinute: 50, baseURL: "https://gw.example/v1",
                                        retries: 1, timeoutSeconds: 90)
        let merged = OpenAIConfiguration(environment: env, settings: settings)
        #expect(merged.baseURL == "https://gw.example/v1")
        #expect(merged.retries == 1)
        #expect(merged.requestTimeout == 90)
        #expect(merged.maxInFlight == 5)
        #expect(merged.requestsPerMinute == 50)
    }

    @Test("Default timeouts: 5 s to connect, 300 s per attempt, 900 s per step, 10 s without progress")
    func timeouts() {
        let configuration = OpenAIConfiguration(environment: [:])
        #expect(configuration.connectTimeout == 5)
        #expect(configuration.requestTimeout == 300)
        #expect(configuration.effectiveStepTimeout == 900)
        #expect(configuration.progressTimeout == 10)
        let raised = OpenAIConfiguration(environment: [:], settings: ProviderSettings(timeoutSeconds: 1200))
        #expect(raised.requestTimeout == 1200)
        #expect(raised.effectiveStepTimeout == 1200)  // a raised attempt deadline is not cut by the default
        var explicit = raised
        explicit.stepTimeout = 60
        #expect(explicit.effectiveStepTimeout == 60)
    }
}
