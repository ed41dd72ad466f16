import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI

@Suite("Wire format over loopback HTTP")
struct WireFormatTests {
    @Test("A generation sends every parameter as the spec spells it, and nothing else")
    func generationFields() async throws {
        let parameters = ImageParameters(size: .fixed(width: 1536, height: 1024), quality: .high,
                                         background: .opaque, format: .webp, compression: 80,
                                         moderation: .low, n: 2, inputFidelity: .high, user: "kiln-ci")
        let env = ["OPENAI_API_KEY": testKey, "OPENAI_ORG_ID": "org-123", "OPENAI_PROJECT_ID": "proj_9"]
        let (response, seen) = try await withFake(environment: env) { provider, state in
            let response = try await provider.run(generateRequest(parameters))
            return (response, await state.requests)
        }
        let request = try #require(seen.first)
        #expect(seen.count == 1)
        #expect(request.path == "/v1/images/generations")
        #expect(Set(request.fieldNames) == ["prompt", "model", "n", "size", "quality", "background",
                                            "output_format", "output_compression", "moderation", "user"])
        #expect(request.field("size") == "1536x1024")
        #expect(request.field("output_format") == "webp")
        #expect(request.field("output_compression") == "80")
        #expect(request.field("moderation") == "low")
        #expect(request.field("n") == "2")
        #expect(request.authorized)
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["openai-organization"] == "org-123")
        #expect(request.headers["openai-project"] == "proj_9")
        #expect(request.headers["user-agent"]?.hasPrefix("kiln/") == true)
        #expect(request.contentLength == request.bodyBytes)
        #expect(response.images.count == 2)
        #expect(response.images.allSatisfy { ImageFormat(sniffing: $0) == .webp })
        #expect(response.resolved == ["size": "1536x1024", "quality": "high", "background": "opaque",
                                      "output_format": "webp"])
        #expect(response.usage?.outputTokens == 6208 * 2)
        #expect(response.requestID?.hasPrefix("req_") == true)
    }

    @Test("PNG output never sends output_compression; unset parameters are not sent")
    func minimalGeneration() async throws {
        let seen = try await withFake { provider, state in
            _ = try await provider.run(generateRequest(ImageParameters(compression: 50)))
            return await state.requests
        }
        #expect(seen.first?.fieldNames.sorted() == ["model", "n", "output_format", "prompt"])
    }

    @Test("An edit sends repeated image[] parts with sniffed content types, a mask, text parts, no moderation")
    func editMultipart() async throws {
        let png = Data(TinyImageSamples.png(width: 64, height: 48))
        let jpeg = Data(TinyImageSamples.jpeg(width: 32, height: 32))
        let webp = Data(TinyImageSamples.webp(width: 16, height: 16))
        let mask = Data(TinyImageSamples.png(width: 64, height: 48, alpha: true))
        let request = ImageRequest(
            stepID: testStep, kind: .edit, model: "gpt-image-1.5", prompt: "put the product on a table",
            parameters: ImageParameters(size: .fixed(width: 1024, height: 1024), quality: .medium, format: .png,
                                        moderation: .low, inputFidelity: .high),
            images: [InputImage(name: "product.png", data: png, format: .png),
                     // Named .png but really JPEG: the part must say image/jpeg.
                     InputImage(name: "photos/second.png", data: jpeg, format: .png),
                     InputImage(name: "third.webp", data: webp, format: .webp)],
            mask: InputImage(name: "mask.png", data: mask, format: .png))
        let (response, seen) = try await withFake { provider, state in
            (try await provider.run(request), await state.requests)
        }
        let edit = try #require(seen.first)
        #expect(edit.path == "/v1/images/edits")
        #expect(edit.files.map(\.field) == ["image[]", "image[]", "image[]", "mask"])
        #expect(edit.files.map(\.contentType) == ["image/png", "image/jpeg", "image/webp", "image/png"])
        #expect(edit.files.map(\.filename) == ["product.png", "second.jpg", "third.webp", "mask.png"])
        #expect(edit.files.map(\.byteCount) == [png.count, jpeg.count, webp.count, mask.count])
        #expect(!edit.fieldNames.contains("moderation"))
        #expect(edit.field("input_fidelity") == "high")
        #expect(edit.field("quality") == "medium")
        #expect(edit.headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(edit.headers["transfer-encoding"] == nil)
        #expect(edit.contentLength == edit.bodyBytes)
        #expect(response.usage?.inputImageTokens == 3 * PriceTable.estimatedTokensPerInputImage)
        #expect(response.images.count == 1)
    }

    @Test("gpt-image-2 edits omit input_fidelity")
    func gptImage2OmitsFidelity() async throws {
        let png = Data(TinyImageSamples.png(width: 32, height: 32))
        let request = ImageRequest(stepID: testStep, kind: .edit, model: "gpt-image-2", prompt: "brighter",
                                   parameters: ImageParameters(size: .fixed(width: 1280, height: 720),
                                                               inputFidelity: .high),
                                   images: [InputImage(name: "a.png", data: png, format: .png)])
        let seen = try await withFake { provider, state in
            _ = try await provider.run(request)
            return await state.requests
        }
        #expect(seen.first?.field("input_fidelity") == nil)
        #expect(seen.first?.field("size") == "1280x720")
    }
}
