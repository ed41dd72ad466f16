import Foundation

/// The `Authorization` header an HTTP cache gets, from the environment:
/// - `KILN_REMOTE_CACHE_TOKEN`: sent as `Authorization: Bearer <token>`;
/// - `KILN_REMOTE_CACHE_USER` and `KILN_REMOTE_CACHE_PASSWORD`: HTTP basic auth;
/// - neither: no header.
/// Setting both kinds, or only half of basic auth, is an error that says so. The value is sent with
/// every request and never printed or logged (`description` shows only which kind it is).
struct HTTPCacheAuthorization: Sendable, CustomStringConvertible {
    /// The header's value: `Bearer …` or `Basic …`.
    let header: String
    /// The token or password, scrubbed from quoted error text.
    let secret: String
    private let kind: String

    static let tokenVariable = "KILN_REMOTE_CACHE_TOKEN"
    static let userVariable = "KILN_REMOTE_CACHE_USER"
    static let passwordVariable = "KILN_REMOTE_CACHE_PASSWORD"

    /// The authorization the environment names, nil for none.
    static func from(_ environment: [String: String], location: String) throws(RemoteCacheConfigurationError) -> Self? {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        let token = value(tokenVariable), user = value(userVariable), password = value(passwordVariable)
        for (name, text) in [(tokenVariable, token), (userVariable, user), (passwordVariable, password)] {
            // A control character would end the header early and start another.
            if let text, text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
                throw RemoteCacheConfigurationError("remote cache \(location): \(name) holds a control character "
                    + "(a newline?); set it to the credential alone.")
            }
        }
        switch (token, user, password) {
        case (nil, nil, nil):
            return nil
        case let (token?, nil, nil):
            return Self(header: "Bearer \(token)", secret: token, kind: "bearer token")
        case let (nil, user?, password?):
            guard !user.contains(":") else {
                throw RemoteCacheConfigurationError("remote cache \(location): \(userVariable) may not contain ':' "
                    + "(basic auth joins user and password with it).")
            }
            let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
            return Self(header: "Basic \(encoded)", secret: password, kind: "basic auth as \(user)")
        case (_?, _, _):
            throw RemoteCacheConfigurationError("remote cache \(location): set either \(tokenVariable) (a bearer token) "
                + "or \(userVariable) and \(passwordVariable) (basic auth), not both.")
        case (nil, _, _):
            let missing = user == nil ? userVariable : passwordVariable
            throw RemoteCacheConfigurationError("remote cache \(location): basic auth needs both \(userVariable) and "
                + "\(passwordVariable); set \(missing) too, or unset the other.")
        }
    }

    /// Which kind of credential this is, without it.
    var description: String { kind }
}
