/// How the fake OpenAI server behaves.
public struct FakeOpenAIConfiguration: Sendable {
    /// The key a request's `Authorization: Bearer …` must carry; nil accepts any non-empty key.
    public var apiKey: String?
    /// Added to every normal answer, to rehearse real latencies.
    public var latency: Duration
    /// A prompt containing this text is rejected as `moderation_blocked`.
    public var moderationMarker: String
    /// The largest request body accepted (16 images of < 50 MB each fit).
    public var maxRequestBytes: Int
    /// Answer PNGs of about this many bytes, each one different (`RealisticAnswer`), as the live
    /// service does (~1.8 MB at 1024×1024); nil: small placeholder cards, the same for one shape.
    public var answerBytes: Int?
    /// The Files and Batches endpoints: timing, scripted outcomes, state directory.
    public var batch: FakeBatchConfiguration

    public init(apiKey: String? = nil, latency: Duration = .zero,
                moderationMarker: String = "[moderation-block]", maxRequestBytes: Int = 900 * 1024 * 1024,
                answerBytes: Int? = nil, batch: FakeBatchConfiguration = .init()) {
        self.batch = batch
        self.apiKey = apiKey
        self.latency = latency
        self.moderationMarker = moderationMarker
        self.maxRequestBytes = maxRequestBytes
        self.answerBytes = answerBytes
    }
}
