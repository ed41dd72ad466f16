/// A file Kiln could not write: what, where, why in words, and what to do. A full disk is told
/// apart because it stops a build from starting more paid steps.
public struct FileError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    /// No space left on the device (or the quota).
    public var isDiskFull: Bool

    public init(_ description: String, diskFull: Bool) {
        self.description = description
        isDiskFull = diskFull
    }
}
