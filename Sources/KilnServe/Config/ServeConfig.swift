import Foundation
import KilnCore

/// `serve.yaml` as typed values, every default in one place. Read by `ServeConfigLoader`; what
/// each key means is in docs/serve.md.
public struct ServeConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// `openai` (a key from OPENAI_API_KEY or `api_key_file`) or `placeholder` (offline).
    public var provider = "openai"
    /// Where the OpenAI client sends requests; nil: OPENAI_BASE_URL, else OpenAI's.
    public var baseURL: String?
    /// A file holding the OpenAI key (trimmed), for hosts that mount secrets as files.
    public var apiKeyFile: String?
    /// The project whose gallery `/` serves and whose pipelines `/api/builds` builds.
    public var projectDirectory = "."
    /// nil: `.kiln/cache` of the project.
    public var cacheDirectory: String?
    /// A remote cache location (`s3://…`, `https://…`, `file://…`), shared by several instances.
    public var remoteCache: String?
    /// The URL clients reach this server at (behind a proxy); nil: from the request's Host.
    public var publicURL: String?

    public var rules = Rules()
    public var limits = Limits()
    public var signing = Signing()
    /// Keep prompts in the audit log (else only their SHA-256).
    public var storePrompts = false
    /// Clients that may start builds (`POST /api/builds`); nil: every client. A build pays for
    /// what the project needs, outside the per-client daily budget.
    public var buildClients: [String]?
    public var tokens: [Token] = []

    public init() {}

    /// What a request may ask for. Empty lists: anything the model catalogue allows.
    public struct Rules: Sendable {
        public var models: [String] = []
        public var sizes: [String] = []
        public var qualities: [String] = []
        public var formats: [String] = []
        public var backgrounds: [String] = []
        public var maxN = 4
        public var maxPromptLength = PromptRules.maxLength
        /// Refused case-insensitively anywhere in the prompt; the refusal names the term.
        public var blockedTerms: [String] = [] {
            didSet { foldedBlockedTerms = blockedTerms.map { (term: $0, folded: ImageAskParser.folded($0)) } }
        }
        /// Each blocked term and its folded form, folded once when the configuration is read.
        private(set) var foldedBlockedTerms: [(term: String, folded: String)] = []
        public init() {}
    }

    /// What a client may spend and how much the server takes in.
    public struct Limits: Sendable {
        /// Requests per minute per client (token bucket refill); 0: no limit.
        public var ratePerMinute: Double = 60
        /// Requests a client may make at once before the rate applies.
        public var burst = 10
        /// USD per client per UTC day; nil: no budget.
        public var dailyBudgetUSD: Double?
        /// Provider calls in flight at once, all clients together.
        public var concurrency = 4
        /// Requests waiting for a provider slot before 503.
        public var queue = 64
        /// Largest JSON body (generations, builds).
        public var maxJSONBytes = 1 * 1024 * 1024
        /// Largest multipart body (edits): 16 images under 50 MB would not fit, one or two do.
        public var maxUploadBytes = 50 * 1024 * 1024
        /// Seconds a connection may sit idle (a slow client sending nothing) before it is closed.
        public var readTimeoutSeconds = 30
        /// Seconds a request's whole body may take to arrive (a client dripping bytes is cut off).
        public var bodyTimeoutSeconds = 120
        /// Seconds a response may take to be taken by the client once written (one that stops
        /// reading is cut off).
        public var writeTimeoutSeconds = 120
        /// Connections open at once, all clients together; more are closed as they arrive.
        public var maxConnections = 1024
        public init() {}
    }

    /// Signed image URLs (`?exp=…&sig=…`), so a browser `<img>` can fetch without a token.
    public struct Signing: Sendable {
        public var enabled = false
        /// The environment variable holding the HMAC secret (never the secret itself).
        public var secretEnv = "KILN_SERVE_URL_SECRET"
        public var ttlSeconds = 3600
        public init() {}
    }

    /// A client: its name (audit, limits) and the SHA-256 (hex) of its bearer token.
    public struct Token: Sendable, Hashable {
        public var name: String
        public var sha256: String
        public init(name: String, sha256: String) {
            self.name = name
            self.sha256 = sha256
        }
    }

    /// The cache folder, resolved against the project.
    public var resolvedCacheDirectory: URL {
        let project = URL(fileURLWithPath: projectDirectory)
        guard let cacheDirectory else {
            return project.appendingPathComponent(".kiln").appendingPathComponent("cache")
        }
        return URL(fileURLWithPath: cacheDirectory, relativeTo: project).standardizedFileURL
    }
}
