import KilnCore

/// What loading one manifest file produced.
public struct ManifestLoadResult: Sendable {
    /// The decoded manifest; nil only when the file could not be decoded at all (unreadable, a YAML
    /// syntax error, or a root that is not a mapping). It may be present alongside errors.
    public var manifest: PipelineManifest?
    /// Every error and warning found, sorted by source location.
    public var diagnostics: [Diagnostic]

    public init(manifest: PipelineManifest?, diagnostics: [Diagnostic]) {
        self.manifest = manifest
        self.diagnostics = diagnostics
    }

    /// Whether the manifest can be planned: decoded, with no errors.
    public var isValid: Bool { manifest != nil && !diagnostics.hasErrors }
}
