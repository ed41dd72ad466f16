import Foundation
import KilnCore
import KilnTestSupport

/// An in-process provider whose behaviour per step (by the step's last id component) is scripted:
/// latency, a gate to wait on, a failure, or the wrong image.
struct ScriptedProvider: ImageProvider {
    struct Script: Sendable {
        var latencyMS = 0
        var gate: Gate?
        var error: ProviderError?
        /// Answer with this size instead of the requested one.
        var size: (width: Int, height: Int)?
        /// Answer without alpha even when transparency was requested.
        var dropAlpha = false
        var usage: Usage? = Usage(inputTokens: 20, outputTokens: 100)
    }

    let name: String
    let recorder: Recorder
    var scripts: [String: Script] = [:]
    var defaultLatencyMS = 0
    /// `n`'s limit this provider claims for every model (1: candidates are asked for one by one).
    var maxImages = 1
    /// Answer with at most this many images, whatever `n` asked for.
    var deliverAtMost: Int?

    func maxImagesPerRequest(model: String) -> Int { maxImages }

    func run(_ request: ImageRequest) async throws -> ProviderResponse {
        let script = scripts[request.stepID.step] ?? Script(latencyMS: defaultLatencyMS)
        let pools = ["provider", "provider:\(name)"]
        await recorder.request(request)
        await recorder.begin(request.stepID, pools: pools)
        do {
            if let gate = script.gate { try await gate.wait() }
            if script.latencyMS > 0 { try await Task.sleep(for: .milliseconds(script.latencyMS)) }
        } catch {
            await recorder.end(request.stepID, pools: pools)
            throw error
        }
        await recorder.end(request.stepID, pools: pools)
        if let error = script.error { throw error }
        var (w, h) = (8, 8)
        if case let .fixed(rw, rh)? = request.parameters.size { (w, h) = (rw, rh) }
        if let size = script.size { (w, h) = size }
        let alpha = request.parameters.background == .transparent && !script.dropAlpha
        let images = (0..<min(request.parameters.n, deliverAtMost ?? .max)).map {
            TestPNG.make(width: w, height: h, alpha: alpha, seed: UInt8($0 * 40 + request.stepID.step.count))
        }
        return ProviderResponse(images: images, usage: script.usage, requestID: "req-\(request.stepID.step)",
                                resolved: ["size": "\(w)x\(h)"])
    }
}

/// An `ImageToolkit` over `TestPNG`: inspects PNG headers, "derives" by drawing a new PNG of the
/// size the operations call for, and pre-flights edits (mask PNG with alpha, same size as image 1).
struct FakeToolkit: ImageToolkit {
    struct Failure: Error, CustomStringConvertible { var description: String }

    let recorder: Recorder
    var deriveLatencyMS = 0

    func inspect(_ data: Data) async throws -> ImageInfo {
        guard let h = TestPNG.header(data) else { throw Failure(description: "not a PNG the fake can read") }
        return ImageInfo(format: .png, width: h.width, height: h.height, bands: h.alpha ? 4 : 3, hasAlpha: h.alpha)
    }

    func derive(_ data: Data, _ operations: DeriveOperations) async throws -> Data {
        let stepless = StepID(pipeline: "toolkit", asset: "derive", variant: nil, step: UUID().uuidString)
        await recorder.begin(stepless, pools: ["local"])
        if deriveLatencyMS > 0 { try? await Task.sleep(for: .milliseconds(deriveLatencyMS)) }
        await recorder.end(stepless, pools: ["local"])
        let info = try await inspect(data)
        let size = operations.outputSize(width: info.width, height: info.height)
        return TestPNG.make(width: size.width, height: size.height, alpha: info.hasAlpha)
    }

    func preflightEdit(images: [InputImage], mask: InputImage?) async throws {
        guard let first = images.first, let firstInfo = TestPNG.header(first.data) else {
            throw Failure(description: "edit needs a first image")
        }
        if let mask {
            guard let m = TestPNG.header(mask.data), m.alpha else {
                throw Failure(description: "mask \(mask.name) must be a PNG with alpha")
            }
            guard (m.width, m.height) == (firstInfo.width, firstInfo.height) else {
                throw Failure(description: "mask \(mask.name) is \(m.width)x\(m.height), image is \(firstInfo.width)x\(firstInfo.height)")
            }
        }
    }
}
