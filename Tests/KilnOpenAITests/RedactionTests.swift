import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI
import KilnTestSupport

@Suite("Secrets never leak")
struct RedactionTests {
    @Test("The redactor scrubs the key, sk- keys, Bearer tokens and Authorization values")
    func redactor() {
        let redactor = SecretRedactor(secrets: ["my-proxy-token-123"])
        let text = redactor.redact("""
            key sk-proj-AbC_123-xyz; header Authorization: Bearer abc.def; token my-proxy-token-123 \
            {"authorization": "Basic Zm9v"} masked sk-te******CRET
            """)
        #expect(!text.contains("sk-proj-AbC_123-xyz"))
        #expect(!text.contains("abc.def"))
        #expect(!text.contains("my-proxy-token-123"))
        #expect(!text.contains("Zm9v"))
        #expect(!text.contains("CRET"))
        #expect(text.contains("[redacted]"))
        #expect(text.contains("header"))
    }

    @Test("The configuration's description never shows the key")
    func configurationDescription() {
        let configuration = OpenAIConfiguration(environment: ["OPENAI_API_KEY": testKey],
                                                settings: ProviderSettings(headers: ["Authorization": "Bearer x",
                                                                                     "X-Trace": "1"]))
        #expect(!configuration.description.contains(testKey))
        #expect(configuration.description.contains("set (redacted)"))
        #expect(configuration.extraHeaders == ["X-Trace": "1"])
    }

    @Test("The key appears in no log line, error, or recorded request across every path")
    func keyNowhere() async throws {
        let logs = LogCapture()
        let wrongKey = "sk-test-another-secret-ZZZZ9999"
        var texts: [String] = []
        let errors = try await withFake(logger: logs.logger) { provider, state in
            await state.enqueue([.rateLimited(retryAfterMs: "1"), .serverError(), .truncatedBody,
                                 .status(400, type: "invalid_request_error", code: "invalid_value",
                                         message: "Authorization: Bearer \(testKey) was odd")])
            var found: [String] = []
            // Three retryable faults, then a 400 echoing the key: the call fails with the 400.
            if let e = await expectProviderError({ _ = try await provider.run(generateRequest()) }) {
                found.append(e.description)
            }
            for request in await state.requests { found.append("\(request.headers) \(request.fields)") }
            return found
        }
        texts += errors
        let wrong = try await withFake(environment: ["OPENAI_API_KEY": wrongKey], logger: logs.logger) { provider, _ in
            await expectProviderError { _ = try await provider.run(generateRequest()) }?.description ?? ""
        }
        texts.append(wrong)
        texts.append(logs.text)
        #expect(errors.count >= 2)
        #expect(errors[0].contains("gave up after 4 attempts"))
        #expect(logs.text.contains("retrying OpenAI call"))
        for text in texts {
            #expect(!text.contains(testKey))
            #expect(!text.contains(wrongKey))
            #expect(!text.contains("ZZZZ9999"))
        }
    }
}
