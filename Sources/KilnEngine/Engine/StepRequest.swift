import Foundation
import KilnCore

/// The request a paid step sends, built the same way for a direct call and for a Batch API line:
/// its inputs read (files, or the images of the steps it reads, passed in `upstream`) and, for an
/// edit, the toolkit's pre-flight checks run before anything is paid.
public enum StepRequest {
    /// A generate or edit request; for an edit, reads the inputs and runs the toolkit's
    /// pre-flight checks before anything is paid.
    public static func make(_ step: PlannedStep, upstream: [StepID: Data], toolkit: any ImageToolkit) async throws -> ImageRequest {
        guard let model = step.model, let prompt = step.prompt, let parameters = step.parameters else {
            throw EngineError.invalidPlan("\(step.id): a \(step.kind.rawValue) step needs a model, a prompt and parameters")
        }
        var request = ImageRequest(stepID: step.id, kind: step.kind, model: model, prompt: prompt, parameters: parameters)
        if step.candidate != nil { request.candidates = [BuildEngine.candidate(step)] }
        if step.kind == .edit {
            request.images = try step.inputs.map { try loadInput($0, step: step, upstream: upstream) }
            request.mask = try step.mask.map { try loadInput($0, step: step, upstream: upstream) }
            try await toolkit.preflightEdit(images: request.images, mask: request.mask)
        }
        return request
    }

    /// One input's bytes: a file (checked against its planned digest) or an upstream result.
    public static func loadInput(_ input: StepInput, step: PlannedStep, upstream: [StepID: Data]) throws -> InputImage {
        let data: Data, name: String
        switch input {
        case let .file(path, digest):
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw EngineError(.inputMissing, "\(step.id): cannot read input file \(path): \(SystemErrorText.describe(error))")
            }
            if !digest.isEmpty && Digest.sha256(data) != digest {
                throw EngineError(.inputChanged, "\(step.id): input file \(path) changed since the build was planned; run the build again")
            }
            name = path   // as planned (`pipelines/inputs/a.png`): errors name the file a person can find
        case let .step(ref):
            guard let result = upstream[ref] else {
                throw EngineError(.inputMissing, "\(step.id): the result of @\(ref) is not available (it did not run)")
            }
            data = result
            name = ref.step
        }
        guard let format = ImageFormat(sniffing: data) else {
            throw EngineError(.inputFormat, "\(step.id): input \(input) is not a PNG, JPEG or WebP image")
        }
        let fileName = (name as NSString).pathExtension.isEmpty ? "\(name).\(format.fileExtension)" : name
        return InputImage(name: fileName, data: data, format: format)
    }
}
