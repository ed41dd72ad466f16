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

        enum CodingKeys: String, CodingKey {
            case path, step, asset, variant, variantValues = "variant_values", index, sha256, bytes, width, height
            case format, alpha, kind, provider, model, prompt, parameters, derive, resolved
            case cacheKey = "cache_key", usage, cost, requestID = "request_id", durationMS = "duration_ms"
            case fromCache = "from_cache"
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

        enum CodingKeys: String, CodingKey {
            case step, kind, status, error, because, cacheKey = "cache_key", outputs
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

        enum CodingKeys: String, CodingKey {
            case steps, files, bytes, costUSD = "cost_usd", usage, built, cached, upToDate = "up_to_date", failed, skipped
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
