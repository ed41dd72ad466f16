import Foundation

/// One call `kiln serve` answered, as the audit log keeps it: who asked, for what, what it cost and
/// how it ended. The prompt itself is `nil` unless the server's configuration says to keep prompts;
/// its SHA-256 is always kept, so two calls with one prompt can be matched without storing it.
///
/// `time` is stored to the millisecond (unix ms): a record read back equals the one appended when
/// its time has no finer part.
public struct AuditRecord: Sendable, Equatable {
    /// When the call arrived.
    public var time: Date
    /// The name of the client's token in the server's configuration (a small, known set).
    public var client: String
    /// The route that answered, e.g. `/v1/images/generations`.
    public var route: String
    /// SHA-256 of the prompt as received, lowercase hex.
    public var promptSHA256: String
    /// The prompt, only when the configuration keeps prompts; never written when `nil`.
    public var prompt: String?
    public var model: String
    /// The request's image parameters by API name (`size`, `quality`, …), as sent.
    public var parameters: [String: String]
    /// SHA-256 of each image answered (or of each input image for a refused edit), in order.
    public var imageDigests: [String]
    public var costUSD: Double
    /// Answered from the cache (nothing paid).
    public var cached: Bool
    /// The upstream request id (`x-request-id`), when OpenAI was called.
    public var requestID: String?
    /// The HTTP status the client got.
    public var status: Int
    /// `ok`, `cached`, `refused:<class>` or `upstream:<class>`.
    public var outcome: String
    public var durationMS: Int

    public init(time: Date, client: String, route: String, promptSHA256: String, prompt: String?, model: String,
                parameters: [String: String], imageDigests: [String], costUSD: Double, cached: Bool,
                requestID: String?, status: Int, outcome: String, durationMS: Int) {
        self.time = time
        self.client = client
        self.route = route
        self.promptSHA256 = promptSHA256
        self.prompt = prompt
        self.model = model
        self.parameters = parameters
        self.imageDigests = imageDigests
        self.costUSD = costUSD
        self.cached = cached
        self.requestID = requestID
        self.status = status
        self.outcome = outcome
        self.durationMS = durationMS
    }
}
