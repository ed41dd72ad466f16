import Foundation
import KilnCore
import KilnPlanner
import Testing
@testable import KilnServe

@Suite("kiln serve: POST /api/images and the cache")
struct ServeImagesTests {
    @Test("a generation is paid once: the same request again is answered from the cache with the same digest")
    func repeatedRequestIsCached() async throws {
        try await withServe { serve in
            let first = try await serve.generate()
            #expect(first.status == 200)
            #expect(await serve.upstreamCalls == 1)
            #expect(first.value("images", "0", "cached") == .bool(false))
            let second = try await serve.generate()
            #expect(second.status == 200)
            #expect(await serve.upstreamCalls == 1)
            #expect(second.digests == first.digests)
            #expect(second.string("images", "0", "url")?.hasSuffix("/images/" + first.digests[0]) == true)
            guard case let .array(images)? = second.json?["images"], case let .object(image)? = images.first else {
                Issue.record("no images in \(second.text)"); return
            }
            let names = Set(image.map(\.0))
            #expect(names == ["url", "digest", "width", "height", "bytes", "format", "cost_usd", "cached"])
            #expect(second.value("images", "0", "cached") == .bool(true))
            #expect(second.value("images", "0", "width") == .integer(1024))
            // The same prompt with other whitespace is the same request, as in a manifest.
            let spaced = try await serve.generate("a red  kiln\\n at dusk ")
            #expect(spaced.digests == first.digests)
            #expect(await serve.upstreamCalls == 1)
            // The image itself is in the cache by digest.
            let fetched = try await serve.send(.GET, "/images/" + first.digests[0])
            #expect(fetched.status == 200)
            #expect(Digest.sha256(fetched.body) == first.digests[0])
        }
    }

    @Test("two identical requests at once make one upstream call")
    func concurrentIdenticalRequests() async throws {
        try await withServe(fake: .init(apiKey: testKey, latency: .milliseconds(300))) { serve in
            async let a = serve.generate("two at once")
            async let b = serve.generate("two at once")
            let (ra, rb) = try await (a, b)
            #expect(ra.status == 200 && rb.status == 200)
            #expect(ra.digests == rb.digests)
            #expect(await serve.upstreamCalls == 1)
        }
    }

    @Test("?stream=1 and Accept: image/* answer the first image's bytes with its content type")
    func imageBytes() async throws {
        try await withServe { serve in
            let streamed = try await serve.send(.POST, "/api/images?stream=1",
                                                json: #"{"prompt": "bytes please", "format": "webp", "quality": "low"}"#)
            #expect(streamed.status == 200)
            #expect(streamed.header("content-type") == "image/webp")
            #expect(ImageFormat(sniffing: streamed.body) == .webp)
            let accepted = try await serve.send(.POST, "/api/images", json: #"{"prompt": "bytes please", "format": "webp", "quality": "low"}"#,
                                                headers: [("Accept", "image/*")])
            #expect(accepted.header("content-type") == "image/webp")
            #expect(accepted.body == streamed.body)
            #expect(await serve.upstreamCalls == 1)
        }
    }

    @Test("the server's key for a request is the planner's key for the same manifest step")
    func sameKeyAsManifest() async throws {
        try await withServe { serve in
            let reply = try await serve.generate("a lighthouse")
            #expect(reply.status == 200)
            let key = RequestCacheKey.make(kind: .generate, provider: "openai", model: ModelCatalog.defaultModel,
                                           parameters: ImageParameters(size: .fixed(width: 1024, height: 1024), quality: .low),
                                           prompt: "a lighthouse")
            let entry = serve.cacheDirectory.appendingPathComponent("actions/\(key.prefix(2))/\(key).entry")
            #expect(FileManager.default.fileExists(atPath: entry.path))
        }
    }
}
