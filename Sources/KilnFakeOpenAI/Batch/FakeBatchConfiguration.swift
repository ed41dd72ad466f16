import Foundation

/// How the fake's Batch API runs: compressed time (the live service takes up to 24 h; the fake
/// seconds), a scripted outcome for every batch, and where files and batches are kept.
public struct FakeBatchConfiguration: Sendable {
    /// Time a batch spends `validating` before its file is checked.
    public var validatingDelay: Duration
    /// Lines answered per second while `in_progress` (request_counts move as they are).
    public var linesPerSecond: Double
    /// Time a batch spends `finalizing` before it is `completed`.
    public var finalizingDelay: Duration
    /// The outcome every batch plays unless `FakeBatchStore.enqueue` scripted one for it.
    public var script: FakeBatchScript
    /// Where files and batches are kept so a restarted fake still has them; nil: a temporary folder
    /// removed when the fake goes away (state in memory only).
    public var stateDirectory: String?
    /// The largest input file `purpose=batch` takes (the service: 200 MB); lower it to test the limit.
    public var maxBatchFileBytes: Int

    public init(validatingDelay: Duration = .milliseconds(200), linesPerSecond: Double = 50,
                finalizingDelay: Duration = .milliseconds(200), script: FakeBatchScript = .init(),
                stateDirectory: String? = nil, maxBatchFileBytes: Int = 200 * 1024 * 1024) {
        self.maxBatchFileBytes = maxBatchFileBytes
        self.validatingDelay = validatingDelay
        self.linesPerSecond = linesPerSecond
        self.finalizingDelay = finalizingDelay
        self.script = script
        self.stateDirectory = stateDirectory
    }
}

/// A scripted batch outcome, to drive every path of a batch client. Line numbers are 1-based,
/// in input-file order. The default plays a normal batch.
public struct FakeBatchScript: Sendable, Hashable, Codable {
    /// After this many lines are answered the batch `expired`: those lines are in the output (or
    /// error) file, every other one in the error file as `batch_expired`.
    public var expireAfterLines: Int?
    /// The file is rejected at validation with this code (e.g. `token_limit_exceeded`): the batch
    /// ends `failed`, as `batches.create` succeeded.
    public var failValidation: String?
    /// These lines are answered with a 400 `moderation_blocked` in the error file.
    public var moderationLines: Set<Int>
    /// These lines are answered with a 500 `server_error` in the error file.
    public var serverErrorLines: Set<Int>
    /// Every line fails (500 in the error file): `completed` with a null `output_file_id`.
    public var zeroOutputs: Bool
    /// Processing holds after this many lines until the batch is cancelled (a cancel mid-way
    /// that does not depend on timing).
    public var pauseAfterLines: Int?

    public init(expireAfterLines: Int? = nil, failValidation: String? = nil, moderationLines: Set<Int> = [],
                serverErrorLines: Set<Int> = [], zeroOutputs: Bool = false, pauseAfterLines: Int? = nil) {
        self.expireAfterLines = expireAfterLines
        self.failValidation = failValidation
        self.moderationLines = moderationLines
        self.serverErrorLines = serverErrorLines
        self.zeroOutputs = zeroOutputs
        self.pauseAfterLines = pauseAfterLines
    }
}
