import Foundation

/// An AWS access key: the id, the secret, and the session token of temporary credentials.
///
/// Printing one shows the key id only (`AKIA… (secret redacted)`): the secret and the token never
/// reach a message, a log or a test failure through `description`.
struct S3Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?

    /// The strings `RemoteFailure` scrubs from quoted error text.
    var secrets: [String] { [secretAccessKey] + (sessionToken.map { [$0] } ?? []) }

    var description: String {
        "\(accessKeyID) (secret redacted" + (sessionToken == nil ? ")" : ", session token redacted)")
    }

    var debugDescription: String { description }
}
