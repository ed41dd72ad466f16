import Foundation
import KilnCore

/// `providers.NAME.base_url` and `headers`: values that go on the wire, so they must be what an
/// HTTP request can carry. A CR or LF in a header would otherwise surface as a network error.
extension ManifestDecoder {
    /// An `http(s)://host[/path]` URL without whitespace or control characters.
    func baseURL(_ entry: Entry) -> String? {
        guard let text = string(entry) else { return nil }
        if let problem = BaseURLRule.problem(text.value) {
            error("'base_url' must be an http:// or https:// URL like https://api.openai.com/v1, but '\(PathRules.visible(text.value))' \(problem)",
                  at: text.location)
            return nil
        }
        return text.value
    }

    /// A header name must be an HTTP token; its value must hold no control characters (CR, LF, NUL…).
    func checkHeader(_ header: Entry) -> Bool {
        let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)
        if header.name.isEmpty || !header.name.unicodeScalars.allSatisfy(tokenCharacters.contains) {
            error("header name '\(PathRules.visible(header.name))' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                  at: header.location)
            return false
        }
        guard case let .scalar(scalar) = header.value else { return true }   // the type error is reported by the caller
        if let offset = scalar.string.unicodeScalars.firstIndex(where: { PathRules.isControl($0) && $0 != "\t" }) {
            let position = scalar.string.unicodeScalars.distance(from: scalar.string.unicodeScalars.startIndex, to: offset) + 1
            error("the value of header '\(header.name)' contains a control character (\(PathRules.visible(String(scalar.string.unicodeScalars[offset])))) at character \(position): a header value is one line of text",
                  at: location(header.value))
            return false
        }
        return true
    }
}
