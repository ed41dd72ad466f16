import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI

@Suite("Each error class gives its kind, run behaviour and message")
struct ErrorClassTests {
    struct Case: Sendable, CustomStringConvertible {
        var fault: FakeFault
        var kind: ProviderError.Kind
        var stopsRun: Bool
        var says: String
        var description: String { "\(kind)" }
    }

    static let cases: [Case] = [
        Case(fault: .moderationBlocked, kind: .moderationBlocked, stopsRun: false, says: "Reword the prompt"),
        Case(fault: .insufficientQuota(), kind: .quotaExhausted, stopsRun: true, says: "Add credit"),
        Case(fault: .insufficientQuota(credit: true), kind: .quotaExhausted, stopsRun: true,
             says: "credit_balance_exhausted"),
        Case(fault: .status(403, type: "invalid_request_error", code: nil,
                            message: "Your organization must be verified to use the model"),
             kind: .permission, stopsRun: true, says: "organization is verified"),
        Case(fault: .status(401, type: "invalid_request_error", code: "invalid_api_key", message: "bad key"),
             kind: .authentication, stopsRun: true, says: "OPENAI_API_KEY"),
    ]

    @Test("Never-retried classes are tried once", arguments: cases)
    func classified(_ c: Case) async throws {
        let (error, count) = try await withFake { provider, state in
            await state.enqueue([c.fault])
            let error = await expectProviderError { _ = try await provider.run(generateRequest()) }
            return (error, await state.requestCount)
        }
        let e = try #require(error)
        #expect(e.kind == c.kind)
        #expect(e.stopsRun == c.stopsRun)
        #expect(e.message.contains(c.says))
        #expect(e.message.contains("demo/hero/generate"))
        #expect(e.requestID?.hasPrefix("req_") == true)
        #expect(e.description.contains(e.requestID ?? "missing"))
        #expect(count == 1)
    }

    @Test("An invalid parameter is named, not retried")
    func invalidParameter() async throws {
        let (error, count) = try await withFake { provider, state in
            let request = generateRequest(ImageParameters(size: .fixed(width: 512, height: 512)))
            return (await expectProviderError { _ = try await provider.run(request) }, await state.requestCount)
        }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.contains("parameter 'size'") == true)
        #expect(error?.stopsRun == false)
        #expect(count == 1)
    }

    @Test("Moderation on a prompt marker is rejected once")
    func moderationMarker() async throws {
        let (error, count) = try await withFake { provider, state in
            let request = generateRequest(prompt: "a cat [moderation-block]")
            return (await expectProviderError { _ = try await provider.run(request) }, await state.requestCount)
        }
        #expect(error?.kind == .moderationBlocked)
        #expect(count == 1)
    }

    @Test("A retired model is a 404 naming the model")
    func modelNotFound() async throws {
        let error = try await withFake { provider, _ in
            await expectProviderError { _ = try await provider.run(generateRequest(model: "dall-e-3")) }
        }
        #expect(error?.kind == .modelNotFound)
        #expect(error?.message.contains("'dall-e-3'") == true)
    }

    @Test("A wrong key stops the run and never appears in the error")
    func wrongKey() async throws {
        let wrong = "sk-test-wrong-key-ABCDEFGHIJKLMNOP"
        let (error, count) = try await withFake(environment: ["OPENAI_API_KEY": wrong]) { provider, state in
            (await expectProviderError { _ = try await provider.run(generateRequest()) }, await state.requestCount)
        }
        let e = try #require(error)
        #expect(e.kind == .authentication)
        #expect(e.stopsRun)
        #expect(count == 1)
        #expect(!e.description.contains(wrong))
        #expect(!e.description.contains("MNOP"))  // the fake echoes a masked key; it is redacted too
    }

    @Test("A missing key is an authentication error")
    func missingKey() async throws {
        let error = try await withFake(environment: [:]) { provider, _ in
            await expectProviderError { _ = try await provider.run(generateRequest()) }
        }
        #expect(error?.kind == .authentication)
    }
}
