import Foundation
import KilnCore

/// The endpoint a batch (and every line of its input file) targets.
public enum BatchEndpoint: String, Sendable, Codable, CaseIterable, Hashable {
    case generations = "/v1/images/generations"
    case edits = "/v1/images/edits"

    /// The endpoint for a step of `kind`; nil for derive steps, which run locally.
    public init?(kind: StepKind) {
        switch kind {
        case .generate: self = .generations
        case .edit: self = .edits
        case .derive: return nil
        }
    }
}

/// One line of a batch input file: `{"custom_id", "method": "POST", "url", "body"}` with the body
/// the synchronous client would send (`OpenAIRequestBody`, so no parameter is spelled twice), minus
/// `stream`. Edits use the JSON edit form, each input image and the mask referenced by the
/// `file_id` it was uploaded as.
public struct BatchLine: Sendable {
    public var customID: String
    public var endpoint: BatchEndpoint
    public var model: String
    /// The line's JSON, without its newline.
    public var data: Data

    /// - Parameters:
    ///   - customID: the step's cache key: the only link from a result back to its step.
    ///   - fileIDs: digest (`Digest.sha256` of the bytes) → file id of every input image and mask
    ///     already uploaded (`inputsToUpload` lists them; each distinct input is uploaded once).
    /// - Throws: `BatchLineError` for a derive step, an edit without images, or an input not in `fileIDs`.
    public init(customID: String, request: ImageRequest, fileIDs: [String: String] = [:]) throws {
        guard !customID.isEmpty, customID.utf8.count <= 512 else {
            throw BatchLineError("step \(request.stepID): a batch custom_id must be 1–512 bytes, not \(customID.utf8.count).")
        }
        guard let endpoint = BatchEndpoint(kind: request.kind) else {
            throw BatchLineError("step \(request.stepID): derive steps run locally, not through OpenAI.")
        }
        let body: JSONValue
        if endpoint == .edits {
            guard !request.images.isEmpty else {
                throw BatchLineError("step \(request.stepID): an edit needs at least one input image.")
            }
            func reference(_ image: InputImage) throws -> JSONValue {
                let digest = Digest.sha256(image.data)
                guard let id = fileIDs[digest] else {
                    throw BatchLineError("step \(request.stepID): input '\(image.name)' (sha256 \(digest.prefix(12))…) "
                        + "was not uploaded before its batch line was written.")
                }
                return ["file_id": .string(id)]
            }
            body = OpenAIRequestBody.jsonEditJSON(request, images: try request.images.map(reference),
                                                  mask: try request.mask.map(reference))
        } else {
            body = OpenAIRequestBody.generationJSON(request)
        }
        let line: JSONValue = ["custom_id": .string(customID), "method": "POST", "url": .string(endpoint.rawValue),
                               "body": body]
        self.customID = customID
        self.endpoint = endpoint
        model = request.model
        data = try OpenAIRequestBody.encode(line)
    }

    /// The distinct inputs (images and mask) of `requests` by digest, each once: what to upload
    /// (`BatchClient.uploadFile`, purpose `vision`… as the caller chooses) before writing edit lines.
    public static func inputsToUpload(_ requests: some Sequence<ImageRequest>) -> [(digest: String, image: InputImage)] {
        var seen: Set<String> = []
        var inputs: [(digest: String, image: InputImage)] = []
        for request in requests where request.kind == .edit {
            for image in request.images + (request.mask.map { [$0] } ?? []) {
                let digest = Digest.sha256(image.data)
                if seen.insert(digest).inserted { inputs.append((digest, image)) }
            }
        }
        return inputs
    }
}

/// A batch line or input file that cannot be written; the message names the step or file.
public struct BatchLineError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
