import Foundation

/// A remote cache that cannot be set up from what the environment gives: credentials missing or
/// half set, an endpoint or region that is not one, an unknown addressing style. The message names
/// the variables to set; it never holds a credential's value.
public struct RemoteCacheConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong and which variables to set, for the person at the terminal.
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
