/// The image providers Kiln has: what `provider:`, `providers:` and `--provider` may name.
public enum ProviderNames {
    public static let openai = "openai"
    public static let placeholder = "placeholder"
    public static let all = [openai, placeholder]
}
