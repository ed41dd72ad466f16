import Foundation
import KilnCore

/// What earlier builds left behind that decides whether a step must run again: per step, the
/// cache key and output digests it was last built with (from `kiln.lock`), and the current
/// digest of each output file (through the stat cache, so unchanged files are not re-read).
public struct BuildBaseline: Sendable {
    /// A step as last built.
    public struct Record: Hashable, Sendable {
        public var cacheKey: String
        /// Output path (relative to the output directory) → sha256.
        public var outputs: [String: String]

        public init(cacheKey: String, outputs: [String: String]) {
            self.cacheKey = cacheKey
            self.outputs = outputs
        }
    }

    public var records: [StepID: Record]
    /// The current sha256 of an output file (path relative to the output directory), nil when
    /// there is no such file.
    public var currentDigest: @Sendable (String) -> String?

    public init(records: [StepID: Record], currentDigest: @escaping @Sendable (String) -> String?) {
        self.records = records
        self.currentDigest = currentDigest
    }

    /// No earlier build: every step runs (through the cache).
    public static let none = BuildBaseline(records: [:], currentDigest: { _ in nil })
}
