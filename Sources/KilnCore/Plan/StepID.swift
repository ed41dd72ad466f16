/// A step's id, unique across every manifest built together:
/// `pipeline/asset@variant/step`, or `pipeline/asset/step` for an asset without a matrix.
public struct StepID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var pipeline: String
    public var asset: String
    /// The variant's readable id (`corgi-happy`), nil for an asset without a matrix.
    public var variant: String?
    public var step: String

    public init(pipeline: String, asset: String, variant: String?, step: String) {
        self.pipeline = pipeline
        self.asset = asset
        self.variant = variant
        self.step = step
    }

    /// `pipeline/asset@variant` (or `pipeline/asset`): the variant this step belongs to.
    public var variantPath: String {
        "\(pipeline)/\(asset)" + (variant.map { "@\($0)" } ?? "")
    }

    public var description: String { "\(variantPath)/\(step)" }

    public static func < (lhs: StepID, rhs: StepID) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = StepID(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a step id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Parses `pipeline/asset[@variant]/step`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        let assetPart = parts[1].split(separator: "@", maxSplits: 1)
        self.init(pipeline: String(parts[0]), asset: String(assetPart[0]),
                  variant: assetPart.count == 2 ? String(assetPart[1]) : nil, step: String(parts[2]))
    }
}
