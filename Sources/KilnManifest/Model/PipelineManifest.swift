import KilnCore

/// One decoded manifest file (`pipelines/NAME.yaml`): pipeline `NAME`.
public struct PipelineManifest: Sendable {
    /// The path as the user gave it, used in diagnostics (`pipelines/stickers.yaml`).
    public var path: String
    /// The absolute directory input files are resolved against.
    public var directory: String
    /// The pipeline name: the file name without its extension.
    public var pipeline: String
    public var version: Int
    public var description: String?
    /// `defaults:` — inherited by every step unless overridden.
    public var defaults: ParameterSet
    /// `vars:` — template values for every asset, in file order.
    public var vars: [Variable]
    /// `env:` — environment variables templates may read as `{{env.NAME}}`.
    public var env: [Located<String>]
    /// `env_not_secret:` — names under `env:` that look like credentials but are not (see `Credentials`).
    public var envNotSecret: [Located<String>] = []
    /// Header values and base URLs under `providers:` that hold `{{env.NAME}}` templates, where they
    /// were written (the settings themselves keep only the text).
    public var connectionTemplates: [Located<String>] = []
    /// `presets:` — the manifest's own parameter bundles (built-ins live in `BuiltinPresets`).
    public var presets: [String: Preset]
    /// `providers:` — limits and connection settings by provider name.
    public var providers: [String: ProviderSettings]
    /// `prices:` — overrides of the built-in price table, USD per 1M tokens.
    public var prices: [String: ModelPrice]
    /// `assets:` in file order.
    public var assets: [Asset]
    /// `cache:` — the remote cache the project shares (`--remote-cache` and `KILN_REMOTE_CACHE`
    /// come first).
    public var cache: CacheSettings?
    /// The root mapping's location.
    public var location: SourceLocation

    public init(path: String, directory: String, pipeline: String, version: Int, description: String? = nil,
                defaults: ParameterSet = ParameterSet(), vars: [Variable] = [], env: [Located<String>] = [],
                presets: [String: Preset] = [:], providers: [String: ProviderSettings] = [:],
                prices: [String: ModelPrice] = [:], assets: [Asset] = [], location: SourceLocation) {
        self.path = path
        self.directory = directory
        self.pipeline = pipeline
        self.version = version
        self.description = description
        self.defaults = defaults
        self.vars = vars
        self.env = env
        self.presets = presets
        self.providers = providers
        self.prices = prices
        self.assets = assets
        self.location = location
    }

    public func asset(named name: String) -> Asset? {
        assets.first { $0.name.value == name }
    }

    /// Whether a step asks for 2 or more candidates: only then does planning need kiln.lock's picks.
    public var hasCandidates: Bool {
        assets.contains { $0.steps.contains { ($0.candidates?.value ?? 0) > 1 } }
    }
}

/// A template variable: `name: value`.
public struct Variable: Sendable, Hashable {
    public var name: Located<String>
    public var value: Located<String>

    public init(name: Located<String>, value: Located<String>) {
        self.name = name
        self.value = value
    }
}

/// A named parameter bundle.
public struct Preset: Sendable, Hashable {
    public var name: String
    public var parameters: ParameterSet
    /// nil for a built-in preset.
    public var location: SourceLocation?

    public init(name: String, parameters: ParameterSet, location: SourceLocation?) {
        self.name = name
        self.parameters = parameters
        self.location = location
    }
}
