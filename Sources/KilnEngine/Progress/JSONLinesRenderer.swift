import Foundation
import KilnCore

/// Events as JSON Lines: one canonical JSON object per event, newline-terminated.
public struct JSONLinesRenderer: Sendable {
    public init() {}

    /// The event's line, ending in `\n`.
    public func line(for event: BuildEvent) throws -> String {
        try CanonicalJSON.string(event) + "\n"
    }
}
