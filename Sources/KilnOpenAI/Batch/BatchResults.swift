import Foundation
import KilnCore

/// Which step a custom_id stands for: to say so in a failure's message.
public struct BatchLineOrigin: Sendable, Hashable {
    public var stepID: StepID
    public var model: String

    public init(stepID: StepID, model: String) {
        self.stepID = stepID
        self.model = model
    }
}

/// What became of one request of a batch.
public enum BatchLineOutcome: Sendable {
    /// A 200: the images (decoded, with the SHA-256 taken on the way), usage and request id.
    case succeeded(ProviderResponse)
    /// The service answered the request with an error (`status` 4xx/5xx), classified as the
    /// synchronous client classifies it (moderation, invalid request, server…), with the provider's
    /// message and request id; or a 200 whose images could not be used (`badResponse`).
    case failed(ProviderError, status: Int)
    /// The request never ran (`error` instead of `response`), e.g. `batch_expired`: submit it again.
    case notRun(code: String, message: String)
}

/// One line of an output or error file, for a custom_id of ours seen for the first time.
public struct BatchLineResult: Sendable {
    public var customID: String
    /// 1-based, in the file it came from.
    public var line: Int
    public var outcome: BatchLineOutcome
}

/// A line that gives no result: reported, never a crash, and nothing stored from it.
public enum BatchLineProblem: Sendable, Hashable, CustomStringConvertible {
    /// Not a JSON object of the expected shape, or cut short.
    case malformed(line: Int, reason: String)
    /// A custom_id Kiln did not submit in this batch: ignored.
    case unknownCustomID(line: Int, customID: String)
    /// A custom_id already read (in this file or the other): the first one counts.
    case duplicateCustomID(line: Int, customID: String)

    public var description: String {
        switch self {
        case let .malformed(line, reason): "line \(line): malformed batch result (\(reason)); ignored"
        case let .unknownCustomID(line, id): "line \(line): custom_id '\(id)' is not one Kiln submitted; ignored"
        case let .duplicateCustomID(line, id): "line \(line): custom_id '\(id)' was already read; this copy is ignored"
        }
    }
}

/// What the reader hands over for each line.
public enum BatchReadEvent: Sendable {
    case result(BatchLineResult)
    case problem(BatchLineProblem)
}
