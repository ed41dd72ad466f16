import KilnCore

/// The outcome of a whole build, for the summary table, JSON Lines and the exit code.
public struct BuildSummary: Hashable, Sendable, Codable {
    /// A step that failed, with its error as shown to the user.
    public struct Failure: Hashable, Sendable, Codable {
        public var step: StepID
        public var error: String

        public init(step: StepID, error: String) {
            self.step = step
            self.error = error
        }
    }

    /// A step that did not run, and why.
    public struct NotRun: Hashable, Sendable, Codable {
        public var step: StepID
        /// The failed ancestor, when the step is downstream of a failure.
        public var because: StepID?
        public var reason: String

        public init(step: StepID, because: StepID?, reason: String) {
            self.step = step
            self.because = because
            self.reason = reason
        }
    }

    public var totalSteps: Int
    /// Steps that ran and succeeded (not from cache).
    public var built: Int
    public var cached: Int
    /// Steps that did not run: their outputs were already what the plan makes.
    public var upToDate: Int
    public var failed: Int
    public var skipped: Int
    public var files: Int
    public var bytes: Int
    /// Spent by this build (cache hits cost nothing), actual where usage was reported, else estimated.
    public var costUSD: Double
    public var usage: UsageRecord?
    public var elapsedMS: Int
    /// Why the build stopped early, if it did.
    public var stopReason: String?
    public var failures: [Failure]
    public var notRun: [NotRun]
    public var manifestPath: String?
    /// Set when the output manifest could not be written.
    public var manifestError: String?

    public init(totalSteps: Int, built: Int, cached: Int, upToDate: Int = 0, failed: Int, skipped: Int, files: Int, bytes: Int,
                costUSD: Double, usage: UsageRecord?, elapsedMS: Int, stopReason: String?, failures: [Failure],
                notRun: [NotRun], manifestPath: String?, manifestError: String?) {
        self.totalSteps = totalSteps
        self.built = built
        self.cached = cached
        self.upToDate = upToDate
        self.failed = failed
        self.skipped = skipped
        self.files = files
        self.bytes = bytes
        self.costUSD = costUSD
        self.usage = usage
        self.elapsedMS = elapsedMS
        self.stopReason = stopReason
        self.failures = failures
        self.notRun = notRun
        self.manifestPath = manifestPath
        self.manifestError = manifestError
    }

    /// 0 when every step was built or came from cache and the manifest was written; 1 otherwise.
    public var exitCode: Int32 {
        failed == 0 && skipped == 0 && manifestError == nil && built + cached + upToDate == totalSteps ? 0 : 1
    }

    public var succeeded: Bool { exitCode == 0 }

    enum CodingKeys: String, CodingKey {
        case totalSteps = "total_steps", built, cached, upToDate = "up_to_date", failed, skipped, files, bytes, costUSD = "cost_usd"
        case usage, elapsedMS = "elapsed_ms", stopReason = "stop_reason", failures, notRun = "not_run"
        case manifestPath = "manifest_path", manifestError = "manifest_error"
    }
}
