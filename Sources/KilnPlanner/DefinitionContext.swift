import Foundation
import KilnCore
import KilnManifest

/// What a step definition contributes to every one of its instances, worked out once per
/// definition rather than per variant: inherited parameters, provider, model, parsed templates.
struct DefinitionContext {
    var parameters: ParameterSet
    var provider: String
    var model: String
    var prompt: [Template]
    var output: Template?
    /// How messages name the output paths: the template as written when it reads the
    /// environment (values never reach messages), else nil (the rendered path).
    var outputShownAs: String?
    /// The format an output template's literal extension names (`.webp`), if any.
    var outputFormat: ImageFormat?
    /// The parameters sent (generate/edit): the same for every variant.
    var imageParameters: ImageParameters
    /// The cache-key fields for provider, model and parameters, encoded once.
    var keyFragment: String

    init(manifest: PipelineManifest, asset: Asset, definition: StepDefinition, options: PlannerOptions) {
        parameters = definition.kind == .derive ? ParameterSet()
            : manifest.effectiveParameters(for: definition, in: asset)
        provider = options.providerOverride ?? parameters.provider ?? options.defaultProvider
        model = parameters.model ?? ModelCatalog.defaultModel
        prompt = definition.prompt?.parts.compactMap { try? Template(parsing: $0.value) } ?? []
        output = definition.output.flatMap { try? Template(parsing: $0.value) }
        outputShownAs = definition.output.flatMap { $0.value.contains("{{env.") ? $0.value : nil }
        outputFormat = definition.output.flatMap { output -> ImageFormat? in
            let ext = (output.value as NSString).pathExtension
            return ext.contains("{") ? nil : ImageFormat(pathExtension: ext)
        }
        var sent = parameters.resolved(outputExtension: nil)
        sent.format = parameters.format ?? outputFormat ?? .png
        imageParameters = sent
        let (provider, model) = (self.provider, self.model)
        keyFragment = definition.kind == .derive ? "" : CacheKey.requestFragment(provider: provider, model: model,
                                                                                 parameters: sent)
    }
}

extension PlanBuilder {
    mutating func context(_ instance: Instance) -> DefinitionContext {
        let key = instance.definitionKey
        if let cached = contexts[key] { return cached }
        let made = DefinitionContext(manifest: manifests[instance.manifest], asset: instance.asset,
                                     definition: instance.definition, options: options)
        contexts[key] = made
        return made
    }
}
