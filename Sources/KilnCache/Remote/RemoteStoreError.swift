import Foundation

/// A remote cache backend's failure, classified so the remote tier knows what to do: an
/// unavailable store is retried a little, then left alone for the rest of the build (never a failed
/// build, unless `--remote-cache-required`); a refusal (credentials, permissions) is not retried.
/// The message names the store and the address, never a credential.
public struct RemoteStoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// Connection refused or reset, a timeout, a 5xx, 429: may work again later.
        case unavailable
        /// 401/403 and the like: the credentials or the permissions are wrong; retrying cannot help.
        case refused
        /// An answer the backend could not use (a 2xx without the value, a body cut short, too large).
        case invalid
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
