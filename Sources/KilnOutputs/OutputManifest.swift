import Foundation
import KilnCore

/// `outputs/manifest.json`: every file a build wrote, every step that failed or did not run, and
/// totals. Deterministic: files sorted by path, steps by id, keys sorted, canonical formatting.
/// Documented field by field in docs/output-manifest.md; schema in `OutputManifest.jsonSchema()`.
public struct OutputManifest: Hashable, Sendable, Codable {
    /// How a cost figure was obtained.
    public enum CostBasis: String, Hashable, Sendable, Codable {
        /// From the usage the provider reported and the price table.
        case actual
        /// The planner's estimate (the provider reported no usage).
        case estimated
        /// Local work: free.
        case none
    }

    /// A step's call cost.
    public struct Cost: Hashable, Sendable, Codable {
        public var usd: Double
        public var basis: CostBasis

        package init(usd: Double, basis: CostBasis) {
            self.usd = usd
            self.basis = basis
        }
    }

    /// One written file.
    public struct File: Hashable, Sendable, Codable {
        public var path: String
        public var step: StepID
        /// `pipeline/asset`.
        public var asset: String
        public var variant: String?
        public var variantValues: [String: String]
        /// Which of the step's `n` images this file holds.
        public var index: Int
        public var sha256: String
        public var bytes: Int
        public var width: Int
        public var height: Int
        public var format: ImageFormat
        public var alpha: Bool
        public var kind: StepKind
        public var provider: String?
        public var model: String?
        public var prompt: String?
        public var parameters: ImageParameters?
        public var derive: DeriveOperations?
        /// Values the service reported it used (auto resolved).
        public var resolved: [String: String]?
        public var cacheKey: String
        public var usage: UsageRecord?
        public var cost: Cost
        public var requestID: String?
        public var durationMS: Int?
        public var fromCache: Bool
        /// True when `kiln adopt` recorded an existing file as the step's result (no call, no
        /// cost); nil otherwise, so manifests of builds that adopted nothing keep their bytes.
        public var adopted: Bool?

        package enum CodingKeys: String, CodingKey {
            case path, step, asset, variant, variantValues = "variant_values", index, sha256, bytes, width, height
            case format, alpha, kind, provider, model, prompt, parameters, derive, resolved
            case cacheKey = "cache_key", usage, cost, requestID = "request_id", durationMS = "duration_ms"
            case fromCache = "from_cache", adopted
        }

        package init(path: String, step: StepID, asset: String, variant: String? = nil, variantValues: [String: String], index: Int, sha256: String, bytes: Int, width: Int, height: Int, format: ImageFormat, alpha: Bool, kind: StepKind, provider: String? = nil, model: String? = nil, prompt: String? = nil, parameters: ImageParameters? = nil, derive: DeriveOperations? = nil, resolved: [String: String]? = nil, cacheKey: String, usage: UsageRecord? = nil, cost: Cost, requestID: String? = nil, durationMS: Int? = nil, fromCache: Bool, adopted: Bool? = nil) {
            self.path = path
            self.step = step
            self.asset = asset
            self.variant = variant
            self.variantValues = variantValues
            self.index = index
            self.sha256 = sha256
            self.bytes = bytes
            self.width = width
            self.height = height
            self.format = format
            self.alpha = alpha
            self.kind = kind
            self.provider = provider
            self.model = model
            self.prompt = prompt
            self.parameters = parameters
            self.derive = derive
            self.resolved = resolved
            self.cacheKey = cacheKey
            self.usage = usage
            self.cost = cost
            self.requestID = requestID
            self.durationMS = durationMS
            self.fromCache = fromCache
            self.adopted = adopted
        }
    }

    /// A step that failed or did not run.
    public struct Step: Hashable, Sendable, Codable {
        public enum Status: String, Hashable, Sendable, Codable {
            case failed, skipped, cancelled
            case notRun = "not_run"
        }

        public var step: StepID
        public var kind: StepKind
        public var status: Status
        public var error: String
        /// The failed ancestor of a skipped step.
        public var because: StepID?
        public var cacheKey: String
        /// Paths the step would have written.
        public var outputs: [String]

        package enum CodingKeys: String, CodingKey {
            case step, kind, status, error, because, cacheKey = "cache_key", outputs
        }

        package init(step: StepID, kind: StepKind, status: Status, error: String, because: StepID? = nil, cacheKey: String, outputs: [String]) {
            self.step = step
            self.kind = kind
            self.status = status
            self.error = error
            self.because = because
            self.cacheKey = cacheKey
            self.outputs = outputs
        }
    }

    public struct Totals: Hashable, Sendable, Codable {
        public var steps: Int
        public var files: Int
        public var bytes: Int
        /// Spent by this build: cache hits count zero.
        public var costUSD: Double
        /// Usage reported by calls made in this build.
        public var usage: UsageRecord?
        public var built: Int
        public var cached: Int
        /// Steps that did not run: their files were already current.
        public var upToDate: Int
        public var failed: Int
        public var skipped: Int

        package enum CodingKeys: String, CodingKey {
            case steps, files, bytes, costUSD = "cost_usd", usage, built, cached, upToDate = "up_to_date", failed, skipped
        }

        package init(steps: Int, files: Int, bytes: Int, costUSD: Double, usage: UsageRecord? = nil, built: Int, cached: Int, upToDate: Int, failed: Int, skipped: Int) {
            self.steps = steps
            self.files = files
            self.bytes = bytes
            self.costUSD = costUSD
            self.usage = usage
            self.built = built
            self.cached = cached
            self.upToDate = upToDate
            self.failed = failed
            self.skipped = skipped
        }
    }

    public static let currentVersion = 1

    public var version: Int
    public var files: [File]
    public var steps: [Step]
    public var totals: Totals

    public init(files: [File], steps: [Step], totals: Totals) {
        self.version = Self.currentVersion
        self.files = files.sorted { $0.path < $1.path }
        self.steps = steps.sorted { $0.step < $1.step }
        self.totals = totals
    }
}
