/// The kind of value a manifest key takes. The decoder checks values against it, error messages
/// describe it, and the JSON Schema generator turns it into a schema fragment.
public indirect enum KeyType: Sendable, Hashable {
    case string
    /// A string or a number, read as a string (`salt`, `vars` values).
    case scalar
    case integer(min: Int?, max: Int?)
    /// A finite number greater than `exclusiveMinimum` and at most `maximum`.
    case number(exclusiveMinimum: Double?, maximum: Double)
    case boolean
    /// One of these strings.
    case choice([String])
    /// `WIDTHxHEIGHT` or `auto`.
    case size
    /// A string or a list of strings.
    case prompt
    case stringList
    case integerList(min: Int)
    /// A mapping of free-form names to values of one type.
    case map(of: KeyType)
    /// A mapping whose keys come from a table (by `KeyTable.name`).
    case table(String)
    /// One of several shapes (`resize: 256 | "512x512" | {width, height}`).
    case oneOf([KeyType])
    /// A list of values of one type.
    case list(of: KeyType)
    /// A matrix: axes plus `exclude`/`include` (see `ManifestKeys.matrix`).
    case matrix

    /// `120` for 120.0, `0.5` for 0.5.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// How an error message names this type: "'size' must be <phrase>, not a list".
    public var phrase: String {
        switch self {
        case .string: "a string"
        case .scalar: "a string or a number"
        case let .integer(min, max):
            switch (min, max) {
            case let (lo?, hi?): "an integer \(lo)–\(hi)"
            case let (lo?, nil): "an integer ≥ \(lo)"
            default: "an integer"
            }
        case let .number(minimum, maximum):
            minimum.map { "a number greater than \(Self.plain($0)) and at most \(Self.plain(maximum))" }
                ?? "a number from 0 to \(Self.plain(maximum))"
        case .boolean: "true or false"
        case let .choice(values): "one of " + values.joined(separator: ", ")
        case .size: "a string like 1024x1024 (or auto)"
        case .prompt: "a string or a list of strings"
        case .stringList: "a list of strings"
        case .integerList: "a list of integers"
        case .map, .table, .matrix: "a mapping"
        case let .oneOf(types): types.map(\.phrase).joined(separator: " or ")
        case .list: "a list"
        }
    }
}

/// One key of one kind of mapping: its name, type and what it does.
public struct KeySpec: Sendable, Hashable {
    public var name: String
    public var type: KeyType
    public var description: String

    public init(_ name: String, _ type: KeyType, _ description: String) {
        self.name = name
        self.type = type
        self.description = description
    }
}

/// Every key one kind of mapping accepts, in documentation order.
public struct KeyTable: Sendable, Hashable {
    /// The table's name, also its `$defs` name in the JSON Schema (`asset`, `step`, …).
    public var name: String
    public var description: String
    public var keys: [KeySpec]
    /// Keys that must be present.
    public var required: [String]

    public init(_ name: String, _ description: String, required: [String] = [], keys: [KeySpec]) {
        self.name = name
        self.description = description
        self.required = required
        self.keys = keys
    }

    public subscript(name: String) -> KeySpec? {
        keys.first { $0.name == name }
    }

    public var names: [String] { keys.map(\.name) }
}
