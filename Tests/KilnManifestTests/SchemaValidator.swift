import Foundation
import Yams

/// Just enough of JSON Schema 2020-12 to check manifests against what `ManifestSchema` generates:
/// $ref, type, enum, properties, required, additionalProperties, items, minItems, oneOf,
/// minimum, maximum, exclusiveMinimum, pattern. Returns the problems found.
struct SchemaValidator {
    let root: [String: Any]

    init(json: String) throws {
        root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
    }

    func problems(_ node: Node, _ schema: [String: Any]? = nil, path: String = "") -> [String] {
        var schema = schema ?? root
        if let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last,
           let defs = root["$defs"] as? [String: Any], let target = defs[String(name)] as? [String: Any] {
            schema = target
        }
        var out = [String]()
        if let types = (schema["type"] as? String).map({ [$0] }) ?? schema["type"] as? [String],
           !types.contains(where: { matches(node, type: $0) }) {
            return ["\(path): not \(types)"]
        }
        if let values = schema["enum"] as? [String], !values.contains(node.string ?? "\u{0}") {
            out.append("\(path): \(node.string ?? "?") not in \(values)")
        }
        if let options = schema["oneOf"] as? [[String: Any]] {
            let matching = options.filter { problems(node, $0, path: path).isEmpty }.count
            if matching != 1 { out.append("\(path): matches \(matching) of oneOf") }
        }
        if let number = node.float, node.tag.rawValue.hasSuffix(":int") || node.tag.rawValue.hasSuffix(":float") {
            if let min = schema["minimum"] as? Double, number < min { out.append("\(path): below \(min)") }
            if let max = schema["maximum"] as? Double, number > max { out.append("\(path): above \(max)") }
            if let min = schema["exclusiveMinimum"] as? Double, number <= min { out.append("\(path): not above \(min)") }
        }
        if let pattern = schema["pattern"] as? String, let text = node.string,
           text.range(of: pattern, options: .regularExpression) == nil {
            out.append("\(path): '\(text)' does not match \(pattern)")
        }
        if case let .mapping(mapping) = node {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, value) in mapping {
                let name = key.string ?? ""
                if let property = properties[name] as? [String: Any] {
                    out += problems(value, property, path: path + "/" + name)
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    out += problems(value, extra, path: path + "/" + name)
                } else if schema["additionalProperties"] as? Bool == false {
                    out.append("\(path): unknown key '\(name)'")
                }
            }
            for name in schema["required"] as? [String] ?? [] where mapping[Node(name)] == nil {
                out.append("\(path): missing '\(name)'")
            }
        }
        if case let .sequence(sequence) = node {
            if let min = schema["minItems"] as? Int, sequence.count < min { out.append("\(path): fewer than \(min) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in sequence.enumerated() { out += problems(item, items, path: "\(path)/\(i)") }
            }
        }
        return out
    }

    private func matches(_ node: Node, type: String) -> Bool {
        let tag = node.tag.rawValue
        switch (type, node) {
        case ("object", .mapping), ("array", .sequence): return true
        case ("string", .scalar): return tag.hasSuffix(":str")
        case ("integer", .scalar): return tag.hasSuffix(":int")
        case ("number", .scalar): return tag.hasSuffix(":int") || tag.hasSuffix(":float")
        case ("boolean", .scalar): return tag.hasSuffix(":bool")
        default: return false
        }
    }
}
