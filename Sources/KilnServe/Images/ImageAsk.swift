import Foundation
import KilnCore

/// One request for images after it passed every rule: what is sent to the provider and keyed
/// in the cache, in the planner's terms (the manifest path's defaults applied).
public struct ImageAsk: Sendable {
    public var kind: StepKind
    public var model: String
    /// Whitespace-normalised, as the planner sends a manifest's prompt.
    public var prompt: String
    public var parameters: ImageParameters
    /// Edit inputs, checked (count, formats, sizes, mask) before any paid call.
    public var images: [InputImage] = []
    public var mask: InputImage?

    /// The parameters as strings, for the audit log.
    var auditParameters: [String: String] {
        var out = [String: String]()
        for (name, value) in parameters.keyFields { out[name] = value }
        return out
    }
}

/// A request's fields before they are checked: JSON values, or a multipart form's text parts
/// (where every value is text, as the Images API's form sends integers and booleans).
struct RawFields {
    var values: [(name: String, value: JSONValue)]
    var isForm: Bool

    subscript(name: String) -> JSONValue? {
        values.first { $0.name == name }?.value
    }

    func string(_ name: String) throws(ServeError) -> String? {
        switch self[name] {
        case nil, .null?: return nil
        case let .string(text)?: return text
        default: throw ServeError.invalid(name, "'\(name)' must be a string.", code: "invalid_type")
        }
    }

    func int(_ name: String) throws(ServeError) -> Int? {
        switch self[name] {
        case nil, .null?: return nil
        case let .integer(value)?: return value
        case let .number(value)? where value == value.rounded() && abs(value) < 1e9: return Int(value)
        case let .string(text)? where isForm:
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ServeError.invalid(name, "'\(name)' must be an integer, not '\(text)'.", code: "invalid_type")
            }
            return value
        default: throw ServeError.invalid(name, "'\(name)' must be an integer.", code: "invalid_type")
        }
    }

    func bool(_ name: String) throws(ServeError) -> Bool? {
        switch self[name] {
        case nil, .null?: return nil
        case let .bool(value)?: return value
        case let .string(text)? where isForm && ["true", "false"].contains(text.lowercased()): return text.lowercased() == "true"
        default: throw ServeError.invalid(name, "'\(name)' must be true or false.", code: "invalid_type")
        }
    }
}
