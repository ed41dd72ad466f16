import KilnCore

/// The JSON Schema of a version-1 manifest, generated from `ManifestKeys` so that it cannot drift
/// from what the decoder accepts. Editors use it through a
/// `# yaml-language-server: $schema=../docs/kiln.schema.json` line.
public enum ManifestSchema {
    /// The schema (draft 2020-12) as pretty-printed JSON; the same text every time.
    public static func jsonSchema() -> String {
        document().rendered() + "\n"
    }

    static func document() -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("https://github.com/kiln/kiln/docs/kiln.schema.json")),
            ("title", .string("Kiln manifest")),
        ]
        pairs += object(ManifestKeys.top)
        let definitions = ManifestKeys.all.filter { $0.name != "manifest" && $0.name != "matrix" }
        pairs.append(("$defs", .object(definitions.map { ($0.name, .object(object($0))) })))
        return .object(pairs)
    }

    /// A closed object: every key of the table, nothing else.
    static func object(_ table: KeyTable) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = [("description", .string(table.description)), ("type", .string("object"))]
        pairs.append(("properties", .object(table.keys.map { key in
            (key.name, .object(schema(key.type) + [("description", .string(key.description))]))
        })))
        if !table.required.isEmpty { pairs.append(("required", .array(table.required.map(JSONValue.string)))) }
        pairs.append(("additionalProperties", .bool(false)))
        return pairs
    }

    static func schema(_ type: KeyType) -> [(String, JSONValue)] {
        switch type {
        case .string: return [("type", .string("string"))]
        case .scalar: return [("type", .array([.string("string"), .string("number")]))]
        case let .integer(min, max):
            return [("type", .string("integer"))] + (min.map { [("minimum", .integer($0))] } ?? [])
                + (max.map { [("maximum", .integer($0))] } ?? [])
        case let .number(exclusiveMinimum, maximum):
            return [("type", .string("number"))] + (exclusiveMinimum.map { [("exclusiveMinimum", .number($0))] } ?? [])
                + [("maximum", .number(maximum))]
        case .boolean: return [("type", .string("boolean"))]
        case let .choice(values): return [("enum", .array(values.map(JSONValue.string)))]
        case .size: return [("type", .string("string")), ("pattern", .string("^(auto|[1-9][0-9]*x[1-9][0-9]*)$"))]
        case .prompt:
            return [("oneOf", .array([
                .object([("type", .string("string"))]),
                .object([("type", .string("array")), ("items", .object([("type", .string("string"))])), ("minItems", .integer(1))]),
            ]))]
        case .stringList: return [("type", .string("array")), ("items", .object([("type", .string("string"))]))]
        case let .integerList(min):
            return [("type", .string("array")), ("items", .object([("type", .string("integer")), ("minimum", .integer(min))])),
                    ("minItems", .integer(1))]
        case let .map(of: value):
            return [("type", .string("object")), ("additionalProperties", .object(schema(value)))]
        case let .table(name): return [("$ref", .string("#/$defs/\(name)"))]
        case let .oneOf(types): return [("oneOf", .array(types.map { .object(schema($0)) }))]
        case let .list(of: item): return [("type", .string("array")), ("items", .object(schema(item)))]
        case .matrix:
            let axis: JSONValue = .object([("type", .string("array")), ("minItems", .integer(1)),
                                           ("items", .object([("type", .array([.string("string"), .string("number"), .string("boolean")]))]))])
            return [("type", .string("object")),
                    ("properties", .object(ManifestKeys.matrix.keys.map { key in
                        (key.name, .object(schema(key.type) + [("description", .string(key.description))]))
                    })),
                    ("additionalProperties", axis)]
        }
    }
}
