import Foundation
import KilnCore
import KilnEngine

// The stand-ins the engine bench runs against: a provider that only waits, a toolkit that only
// reads a PNG header, and the plans (independent images, generate → edit → derive chains).

/// Minimal PNG-looking bytes: signature + IHDR, enough for the fake toolkit and format sniffing,
/// then `tag` (a real provider never answers two prompts with the same bytes, so neither does this:
/// every answer is a new cache object to write).
func fakePNG(width: Int, height: Int, tag: some Sequence<UInt8> = []) -> Data {
    func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    let body = be32(width) + be32(height) + [8, 6, 0, 0, 0]
    return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8) + body + [0, 0, 0, 0])
        + Data(tag)
}

/// Answers every request after `latency`, with bytes of its own (as a real provider would).
struct SleepyProvider: ImageProvider {
    let name = "bench"
    let latency: Duration
    var timeline: Timeline?

    func run(_ request: ImageRequest) async throws -> ProviderResponse {
        timeline?.mark("\(request.kind.rawValue) call")
        defer { timeline?.mark("\(request.kind.rawValue) answer") }
        try await Task.sleep(for: latency)
        return ProviderResponse(images: [fakePNG(width: 64, height: 64, tag: request.prompt.utf8)], usage: Usage(inputTokens: 10, outputTokens: 100), requestID: "bench")
    }
}

/// Reads the size from the PNG header; a derive returns a header of the resized size.
struct TrivialToolkit: ImageToolkit {
    struct NotPNG: Error {}

    func inspect(_ data: Data) async throws -> ImageInfo {
        let b = [UInt8](data.prefix(24))
        guard b.count == 24 else { throw NotPNG() }
        func int(_ i: Int) -> Int { b[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return ImageInfo(format: .png, width: int(16), height: int(20), bands: 4, hasAlpha: true)
    }

    func derive(_ data: Data, _ operations: DeriveOperations) async throws -> Data {
        let info = try await inspect(data)
        let size = operations.outputSize(width: info.width, height: info.height)
        return fakePNG(width: size.width, height: size.height, tag: data.dropFirst(33))
    }

    func preflightEdit(images: [InputImage], mask: InputImage?) async throws {}
}

func id(_ asset: Int, _ step: String) -> StepID { StepID(pipeline: "bench", asset: "a\(asset)", variant: nil, step: step) }

func generate(_ i: Int) -> PlannedStep {
    let sid = id(i, "gen")
    return PlannedStep(id: sid, kind: .generate, provider: "bench", model: "gpt-image-1", prompt: "image \(i)",
                       parameters: ImageParameters(size: .fixed(width: 64, height: 64)),
                       outputs: [StepOutput(path: "gen/\(i).png", owner: sid)], cacheKey: Digest.sha256("g\(i)"))
}

func chain(_ i: Int) -> [PlannedStep] {
    let g = generate(i)
    let e = PlannedStep(id: id(i, "edit"), kind: .edit, provider: "bench", model: "gpt-image-1", prompt: "edit \(i)",
                        parameters: ImageParameters(size: .fixed(width: 64, height: 64)), inputs: [.step(g.id)],
                        outputs: [StepOutput(path: "edit/\(i).png", owner: id(i, "edit"))], dependencies: [g.id],
                        cacheKey: Digest.sha256("e\(i)"))
    let d = PlannedStep(id: id(i, "thumb"), kind: .derive, inputs: [.step(e.id)],
                        derive: DeriveOperations(resize: ResizeSpec(width: 16, height: nil)),
                        outputs: [StepOutput(path: "thumb/\(i).png", owner: id(i, "thumb"))], dependencies: [e.id],
                        cacheKey: Digest.sha256("d\(i)"))
    return [g, e, d]
}
