import KilnCore

/// A step or build failure the engine itself detected. Each says what went wrong, where, and what to do.
public struct EngineError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Codable {
        case invalidPlan, unknownProvider, inputMissing, inputChanged, inputFormat
        case tooFewImages, verification
        /// `--cache-only`: the answer is in no cache, and no provider may be called.
        case notCached
        /// The step's request is in a Batch API batch that has not finished: asking again would pay twice.
        case inBatch
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func invalidPlan(_ message: String) -> EngineError { EngineError(.invalidPlan, message) }

    /// What every `.notCached` message says, for callers that see only the text.
    public static let notCachedMarker = "not in the local or remote cache"


    static func unknownProvider(_ name: String, step: StepID, known: [String]) -> EngineError {
        EngineError(.unknownProvider, "\(step): no provider named '\(name)' is configured "
            + "(available: \(known.sorted().joined(separator: ", ")))")
    }

    static func verification(step: StepID, path: String, _ problem: String) -> EngineError {
        EngineError(.verification, "\(step): \(path): \(problem); the file was not written. "
            + "Re-run with a different salt to ask for a new image, or report the provider's behaviour")
    }
}
