/// Every parameter of an image request, in one table. The cache key, the kiln.lock fingerprint (and
/// so the stale reasons), the request body, the output manifest's `parameters` and its JSON Schema
/// are all made from it; `ParameterTableTests` fails, naming the place, when a field of
/// `ImageParameters` has no row or a place leaves a row out.
///
/// Adding a parameter: a stored property on `ImageParameters` (and its `CodingKeys`), a row here, a
/// manifest key (`ManifestKeys`) and, for the fake server, the field in `FakeImageRequest`.
extension ImageParameters {
    /// One parameter and where it goes.
    public struct Field: Sendable {
        /// The value as the API and outputs/manifest.json spell it: text or a whole number.
        public enum Value: Sendable, Equatable {
            case text(String)
            case integer(Int)

            /// The value written into the cache key and the fingerprint.
            public var keyText: String {
                switch self {
                case let .text(text): text
                case let .integer(number): String(number)
                }
            }

            public var json: JSONValue {
                switch self {
                case let .text(text): .string(text)
                case let .integer(number): .integer(number)
                }
            }
        }

        /// The field's name in the Images API, outputs/manifest.json and its schema.
        public let apiName: String
        /// Its name in the cache key and kiln.lock; nil: it does not change the image (`user`)
        /// and is left out of both. These names are stored in every cache key: never rename one.
        public let keyName: String?
        /// The endpoints that take it (`moderation` exists for generations only, `input_fidelity`
        /// for edits only).
        public let endpoints: Set<StepKind>
        /// Whether the outputs/manifest.json schema requires it (it always has a value).
        public let alwaysSet: Bool
        /// The JSON Schema of its value.
        public let schema: JSONValue
        /// Its value in `parameters`; nil when unset.
        public let value: @Sendable (ImageParameters) -> Value?
        /// Whether the request leaves it out although it is set (the service rejects or ignores it
        /// for this model or format).
        public let omittedFromRequest: @Sendable (_ model: String, ImageParameters) -> Bool

        init(_ apiName: String, key keyName: String?, endpoints: Set<StepKind> = [.generate, .edit],
             alwaysSet: Bool = false, schema: JSONValue, value: @escaping @Sendable (ImageParameters) -> Value?,
             omittedFromRequest: @escaping @Sendable (String, ImageParameters) -> Bool = { _, _ in false }) {
            self.apiName = apiName
            self.keyName = keyName
            self.endpoints = endpoints
            self.alwaysSet = alwaysSet
            self.schema = schema
            self.value = value
            self.omittedFromRequest = omittedFromRequest
        }
    }

    /// The parameters in cache-key order (the order is part of every key: append new rows at the end).
    public static let fields: [Field] = [
        Field("size", key: "size", schema: ["type": "string", "pattern": "^(auto|[0-9]+x[0-9]+)$"],
              value: { $0.size.map { .text($0.description) } }),
        Field("quality", key: "quality", schema: choice(RenderQuality.self), value: { text($0.quality) }),
        Field("background", key: "background", schema: choice(BackgroundMode.self), value: { text($0.background) }),
        Field("output_format", key: "format", alwaysSet: true, schema: choice(ImageFormat.self),
              value: { .text($0.format.rawValue) }),
        // png must stay at 100: only jpeg and webp take a compression level.
        Field("output_compression", key: "compression", schema: ["type": "integer"],
              value: { $0.compression.map { .integer($0) } }, omittedFromRequest: { _, p in p.format == .png }),
        Field("moderation", key: "moderation", endpoints: [.generate], schema: choice(Moderation.self),
              value: { text($0.moderation) }),
        Field("n", key: "n", alwaysSet: true, schema: ["type": "integer"], value: { .integer($0.n) }),
        // gpt-image-2 takes no `input_fidelity` (CONTRACT.md: omit the field).
        Field("input_fidelity", key: "input_fidelity", endpoints: [.edit], schema: choice(InputFidelity.self),
              value: { text($0.inputFidelity) }, omittedFromRequest: { model, _ in model.hasPrefix("gpt-image-2") }),
        Field("user", key: nil, schema: ["type": "string"], value: { $0.user.map { .text($0) } }),
    ]

    /// `(keyName, value)` of each set parameter that decides the image, in key order.
    public var keyFields: [(name: String, value: String)] {
        Self.fields.compactMap { field in
            guard let name = field.keyName, let value = field.value(self) else { return nil }
            return (name, value.keyText)
        }
    }

    /// `(apiName, value)` of each parameter a request to `endpoint` sends, in table order.
    public func requestFields(for endpoint: StepKind, model: String) -> [(name: String, value: Field.Value)] {
        Self.fields.compactMap { field in
            guard field.endpoints.contains(endpoint), !field.omittedFromRequest(model, self),
                  let value = field.value(self) else { return nil }
            return (field.apiName, value)
        }
    }

    /// `(apiName, value)` of every set parameter, sorted by name: outputs/manifest.json's `parameters`.
    public var recordedFields: [(name: String, value: Field.Value)] {
        Self.fieldsByName.compactMap { field in field.value(self).map { (field.apiName, $0) } }
    }

    /// The JSON Schema of outputs/manifest.json's `parameters`.
    public static var schema: JSONValue {
        .object([
            ("type", "object"),
            ("additionalProperties", false),
            ("properties", .object(fieldsByName.map { ($0.apiName, $0.schema) })),
            ("required", .array(fields.filter(\.alwaysSet).map { .string($0.apiName) })),
        ])
    }

    private static let fieldsByName = fields.sorted { $0.apiName < $1.apiName }

    private static func text<T: RawRepresentable<String>>(_ value: T?) -> Field.Value? {
        value.map { .text($0.rawValue) }
    }

    private static func choice<T: CaseIterable & RawRepresentable<String>>(_: T.Type) -> JSONValue {
        ["type": "string", "enum": .array(T.allCases.map { .string($0.rawValue) })]
    }
}
