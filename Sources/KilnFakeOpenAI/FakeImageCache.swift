import Foundation
import KilnCore
import KilnPlaceholder

/// The fake's answers, rendered once per shape (size, format, background, compression) with Kiln's
/// placeholder renderer (libvips) and reused as base64, so a benchmark measures the client, not the fake.
actor FakeImageCache {
    private var renders: [String: Task<String, any Error>] = [:]
    private var realistic: [String: Task<RealisticAnswer, any Error>] = [:]
    private var serial = 0
    private let provider = PlaceholderProvider()

    /// Base64 of a `width`×`height` image in `format`; the first caller of a shape renders it, the
    /// others (even concurrent ones) wait for that render. `index`: the image's place among `n`;
    /// as on the real service, the images of one answer differ from each other.
    func base64(width: Int, height: Int, format: ImageFormat, transparent: Bool, compression: Int?,
                index: Int = 0) async throws -> String {
        let key = "\(width)x\(height)-\(format.rawValue)-\(transparent)-\(compression.map(String.init) ?? "")-\(index)"
        if let render = renders[key] { return try await render.value }
        let provider = provider
        let render = Task {
            let shape = "\(width)x\(height) \(format.rawValue)\(transparent ? " transparent" : "")"
            let request = ImageRequest(
                stepID: StepID(pipeline: "openai-fake", asset: "answer", variant: nil, step: "generate"),
                kind: .generate, model: "openai-fake", prompt: "openai-fake answer \(shape)" + (index > 0 ? " #\(index + 1)" : ""),
                parameters: ImageParameters(size: .fixed(width: width, height: height),
                                            background: transparent ? .transparent : .opaque,
                                            format: format, compression: compression))
            guard let image = try await provider.run(request).images.first else {
                throw FakeAPIError(status: 500, message: "The fake rendered no image.", type: "server_error")
            }
            return image.base64EncodedString()
        }
        renders[key] = render
        do {
            return try await render.value
        } catch {
            renders[key] = nil  // a failed render is not cached
            throw error
        }
    }

    /// Base64 of a PNG of about `targetBytes`, different from every other answer (`RealisticAnswer`).
    func realisticBase64(width: Int, height: Int, targetBytes: Int) async throws -> Data {
        let key = "\(width)x\(height)-\(targetBytes)"
        let render = realistic[key] ?? Task { try RealisticAnswer(width: width, height: height, targetBytes: targetBytes) }
        realistic[key] = render
        serial += 1
        let number = serial
        do {
            return try await render.value.base64(serial: number)
        } catch {
            realistic[key] = nil
            throw error
        }
    }
}
