import Foundation

/// An image handed to a provider or to imaging: its bytes, a display name and its sniffed format.
public struct InputImage: Sendable {
    /// A file name for the request (`product.png`) and for error messages.
    public var name: String
    public var data: Data
    public var format: ImageFormat

    public init(name: String, data: Data, format: ImageFormat) {
        self.name = name
        self.data = data
        self.format = format
    }
}

/// One generate or edit call.
public struct ImageRequest: Sendable {
    public var stepID: StepID
    public var kind: StepKind
    public var model: String
    public var prompt: String
    public var parameters: ImageParameters
    /// Edit inputs in order (1–16); empty for generate.
    public var images: [InputImage]
    public var mask: InputImage?
    /// When one request makes the images of several candidates (`candidates: N`, sent with `n`):
    /// each image's candidate, in order. Empty for a request of one step. Nothing of it is sent;
    /// the offline renderer labels and varies each image by it.
    public var candidates: [Candidate] = []

    /// A candidate an image of the request is for.
    public struct Candidate: Sendable, Hashable {
        public var id: StepID
        public var number: Int
        /// Its re-roll salt (`kiln reroll`), if any.
        public var reroll: String?

        public init(id: StepID, number: Int, reroll: String? = nil) {
            self.id = id
            self.number = number
            self.reroll = reroll
        }
    }

    public init(stepID: StepID, kind: StepKind, model: String, prompt: String, parameters: ImageParameters,
                images: [InputImage] = [], mask: InputImage? = nil) {
        self.stepID = stepID
        self.kind = kind
        self.model = model
        self.prompt = prompt
        self.parameters = parameters
        self.images = images
        self.mask = mask
    }
}

/// Token usage as the Images API reports it.
public struct Usage: Hashable, Sendable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int
    public var inputTextTokens: Int?
    public var inputImageTokens: Int?

    public init(inputTokens: Int, outputTokens: Int, totalTokens: Int? = nil,
                inputTextTokens: Int? = nil, inputImageTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.totalTokens = totalTokens ?? inputTokens + outputTokens
        self.inputTextTokens = inputTextTokens
        self.inputImageTokens = inputImageTokens
    }

    /// Image `index`'s part of a request's usage for `count` images: an even split, the
    /// remainder on the first, so the parts add up to the whole.
    public func share(_ index: Int, of count: Int) -> Usage {
        guard count > 1 else { return self }
        func part(_ x: Int) -> Int { x / count + (index == 0 ? x % count : 0) }
        return Usage(inputTokens: part(inputTokens), outputTokens: part(outputTokens), totalTokens: part(totalTokens),
                     inputTextTokens: inputTextTokens.map(part), inputImageTokens: inputImageTokens.map(part))
    }

    public static func + (a: Usage, b: Usage) -> Usage {
        func add(_ x: Int?, _ y: Int?) -> Int? { x == nil && y == nil ? nil : (x ?? 0) + (y ?? 0) }
        return Usage(inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
                     totalTokens: a.totalTokens + b.totalTokens,
                     inputTextTokens: add(a.inputTextTokens, b.inputTextTokens),
                     inputImageTokens: add(a.inputImageTokens, b.inputImageTokens))
    }
}

/// What a provider answered: the encoded images plus what to record about the call.
public struct ProviderResponse: Sendable {
    /// Encoded images (in the requested format), one per `n`.
    public var images: [Data]
    /// Each image's SHA-256 when the provider took it on the way in (nil: hashed when stored).
    public var digests: [String]?
    public var usage: Usage?
    /// `x-request-id`, kept for audit and errors.
    public var requestID: String?
    /// Values the service reports it actually used (auto resolved): size, quality, background, output_format.
    public var resolved: [String: String]

    public init(images: [Data], digests: [String]? = nil, usage: Usage? = nil, requestID: String? = nil,
                resolved: [String: String] = [:]) {
        self.images = images
        self.digests = digests
        self.usage = usage
        self.requestID = requestID
        self.resolved = resolved
    }
}

/// A service that makes images from prompts: OpenAI, or Kiln's offline placeholder renderer.
public protocol ImageProvider: Sendable {
    /// The name recorded in cache keys and output manifests (`openai`, `placeholder`).
    var name: String { get }
    /// Runs one generate or edit. Throws `ProviderError` for failures a person must act on.
    func run(_ request: ImageRequest) async throws -> ProviderResponse
    /// The most images one request may ask for with `model` (its `n`): the candidates of a step
    /// are made in one request up to this many. 1 (the default): one request per candidate.
    func maxImagesPerRequest(model: String) -> Int
}

extension ImageProvider {
    public func maxImagesPerRequest(model: String) -> Int { 1 }
}

/// A provider failure classified so the engine knows whether to go on.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case invalidRequest, moderationBlocked, authentication, permission, quotaExhausted
        case modelNotFound, rateLimited, server, transport, timeout, badResponse
    }

    public var kind: Kind
    /// What happened and what to do, with secrets redacted.
    public var message: String
    public var requestID: String?
    /// True when every other call would fail the same way (bad key, no quota): stop the run.
    public var stopsRun: Bool

    public init(_ kind: Kind, _ message: String, requestID: String? = nil, stopsRun: Bool = false) {
        self.kind = kind
        self.message = message
        self.requestID = requestID
        self.stopsRun = stopsRun
    }

    public var description: String {
        message + (requestID.map { " (request id \($0))" } ?? "")
    }
}
