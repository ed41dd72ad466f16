import Foundation

/// A parameter of a header value such as `Content-Disposition: form-data; name="image"` or
/// `Content-Type: multipart/form-data; boundary=…`: `key=value` or `key="value"`. Shared by the
/// multipart readers of the server and of the fake OpenAI.
public enum HeaderParameter {
    public static func value(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let pair = piece.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix(key + "=") else { continue }
            var value = String(pair.dropFirst(key.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
