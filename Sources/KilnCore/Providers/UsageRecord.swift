
/// Token usage as recorded in cache records and the output manifest (the Images API's spelling).
public struct UsageRecord: Hashable, Sendable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int
    public var inputTextTokens: Int?
    public var inputImageTokens: Int?

    public init(_ usage: Usage) {
        inputTokens = usage.inputTokens
        outputTokens = usage.outputTokens
        totalTokens = usage.totalTokens
        inputTextTokens = usage.inputTextTokens
        inputImageTokens = usage.inputImageTokens
    }

    /// Back to the core type, for pricing and sums.
    public var usage: Usage {
        Usage(inputTokens: inputTokens, outputTokens: outputTokens, totalTokens: totalTokens,
              inputTextTokens: inputTextTokens, inputImageTokens: inputImageTokens)
    }

    package enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens", outputTokens = "output_tokens", totalTokens = "total_tokens"
        case inputTextTokens = "input_text_tokens", inputImageTokens = "input_image_tokens"
    }
}

extension PrettyJSONWriter {
    /// Token usage, as `UsageRecord`'s `Codable` writes it.
    package mutating func member(_ name: String, _ usage: UsageRecord?) {
        guard let usage else { return }
        key(name)
        openObject()
        member("input_image_tokens", usage.inputImageTokens)
        member("input_text_tokens", usage.inputTextTokens)
        member("input_tokens", usage.inputTokens)
        member("output_tokens", usage.outputTokens)
        member("total_tokens", usage.totalTokens)
        closeObject()
    }
}
