/// A file Kiln could not write: what, where, why in words, and what to do. `diskFull` is told
/// apart because a full disk stops a build from starting more paid steps.
public struct FileError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Codable {
        case writeFailed
        /// No space left on the device (or the quota).
        case diskFull
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
