import Foundation
import KilnCore
import KilnManifest

extension PlanBuilder {
    /// Template values of an instance: manifest vars ← asset vars ← matrix values, declared env,
    /// and the built-ins; worked out once per variant.
    mutating func templateScope(_ instance: Instance) -> TemplateScope {
        let manifest = manifests[instance.manifest]
        let cacheKey = instance.variantKey
        let base: [String: String]
        if let cached = baseValues[cacheKey] {
            base = cached
        } else {
            var values = [String: String](minimumCapacity: 8 + manifest.vars.count + instance.asset.vars.count
                                          + instance.variant.values.count + manifest.env.count)
            for v in manifest.vars { values[v.name.value] = v.value.value }
            for v in instance.asset.vars { values[v.name.value] = v.value.value }
            for (axis, value) in instance.variant.values { values[axis] = value }
            let notSecret = Set(manifest.envNotSecret.map(\.value))
            for name in manifest.env where Credentials.mayRead(name.value, notSecret: notSecret) {
                if let value = options.environment[name.value] { values["env." + name.value] = value }
            }
            values["pipeline"] = manifest.pipeline
            values["asset"] = instance.asset.name.value
            values["variant"] = instance.variant.id ?? ""
            baseValues[cacheKey] = values
            base = values
        }
        return TemplateScope(base: base, step: instance.templateName, size: instance.size.map(String.init))
    }

    /// One step of one variant (and size): its inputs, what it asks for, its cache key and outputs.
    /// Reports the problem and returns nil when it cannot be planned.
    mutating func makeStep(_ instance: Instance, id: StepID) -> PlannedStep? {
        guard environmentIsSet(for: instance) else { return nil }
        var values = templateScope(instance)
        var keys = [StepID: String]()
        guard let resolved = stepInputs(instance, values: values, keys: &keys) else { return nil }
        let context = context(instance)
        var step = PlannedStep(id: id, kind: instance.definition.kind, cacheKey: "", estimate: nil)
        var key = CacheKey(kind: instance.definition.kind)
        let format: ImageFormat
        if instance.definition.kind == .derive {
            format = plannedDerive(&step, key: &key, instance: instance, context: context, inputFormat: resolved.derive?.format)
        } else {
            guard let requested = plannedRequest(&step, key: &key, instance: instance, context: context,
                                                 values: &values, inputCount: resolved.inputs.count) else { return nil }
            format = requested
        }
        values.ext = format.fileExtension
        key.inputs(resolved.inputs, mask: resolved.mask, keys: keys)
        key.field("salt", step.salt)
        if let number = candidateNumber(instance, id: id) { applyCandidate(number, of: instance, id: id, to: &step, key: &key) }

        step.inputs = resolved.inputs
        step.mask = resolved.mask
        var deps = [StepID]()
        for case let .step(dep) in resolved.inputs + [resolved.mask].compactMap({ $0 }) where !deps.contains(dep) {
            deps.append(dep)
        }
        step.dependencies = deps
        step.variantValues = instance.variant.dictionary
        step.cacheKey = key.finalize()
        let planned = instance.candidate == nil
            ? outputs(for: instance, template: context.output, shownAs: context.outputShownAs, id: id, values: values,
                      count: step.parameters?.n ?? 1)
            : candidateOutputs(instance, context: context, id: id, values: values)
        guard let outputs = planned else { return nil }
        step.outputs = outputs
        guard recordPlannedSize(step, instance: instance, input: resolved.derive) else { return nil }
        return step
    }

    /// False, with an error at the `env:` entry, when the step's prompt or output reads a declared
    /// environment variable that is not set.
    mutating func environmentIsSet(for instance: Instance) -> Bool {
        let manifest = manifests[instance.manifest]
        let definition = instance.definition
        for name in manifest.env where options.environment[name.value] == nil {
            let used = (definition.prompt?.parts.map(\.value) ?? []) + [definition.output?.value ?? ""]
            if used.contains(where: { $0.contains("env.\(name.value)") }) {
                diagnostics.append(.error("environment variable \(name.value) is not set (this manifest reads it as {{env.\(name.value)}})",
                                          at: name.location))
                return false
            }
        }
        return true
    }

    /// A step's resolved inputs: the images (and mask) it reads, and for a derive its one source.
    struct StepInputs {
        var inputs: [StepInput] = []
        var mask: StepInput?
        var derive: ResolvedInput?
    }

    /// Resolves what the step reads (planning referenced steps first) and checks edit inputs.
    mutating func stepInputs(_ instance: Instance, values: TemplateScope, keys: inout [StepID: String]) -> StepInputs? {
        let definition = instance.definition
        var result = StepInputs()
        switch definition.kind {
        case .generate:
            break
        case .edit:
            var resolved = [ResolvedInput]()
            for image in definition.images {
                guard let input = resolveInput(image, instance: instance, values: values, keys: &keys) else { return nil }
                result.inputs.append(input.input)
                resolved.append(input)
            }
            var resolvedMask: ResolvedInput?
            if let m = definition.mask {
                guard let input = resolveInput(m, instance: instance, values: values, keys: &keys) else { return nil }
                result.mask = input.input
                resolvedMask = input
            }
            guard checkEditInputs(resolved, mask: resolvedMask, of: instance) else { return nil }
        case .derive:
            guard let source = definition.from ?? previousStep(before: definition, in: instance.asset) else {
                diagnostics.append(.error("derive step '\(definition.name.value)' has no input: add 'from: \"@step\"'",
                                          at: definition.name.location))
                return nil
            }
            guard let input = resolveInput(source, instance: instance, values: values, keys: &keys) else { return nil }
            result.inputs.append(input.input)
            result.derive = input
        }
        return result
    }

    /// A derive's operations and their key fragment (memoized per definition, size and format);
    /// returns the format it writes.
    mutating func plannedDerive(_ step: inout PlannedStep, key: inout CacheKey, instance: Instance,
                                context: DefinitionContext, inputFormat: ImageFormat?) -> ImageFormat {
        let spec = instance.definition.derive ?? DeriveSpec()
        let format = spec.format ?? context.outputFormat ?? inputFormat ?? .png
        var resize = spec.resize
        if let size = instance.size {
            // `sizes:` — a square box per size; `fit`/`upscale` written beside it still apply.
            resize = ResizeSpec(width: size, height: size, fit: spec.resize?.fit ?? .contain,
                                upscale: spec.resize?.upscale ?? false)
        }
        let memo = instance.definitionKey + [instance.sizeIndex, ImageFormat.allCases.firstIndex(of: format) ?? 0]
        if let (ops, fragment) = deriveFragments[memo] {
            step.derive = ops
            key.append(fragment: fragment)
        } else {
            let ops = DeriveOperations(crop: spec.crop, resize: resize, pad: spec.pad, background: spec.background,
                                       format: format, quality: spec.quality, strip: spec.strip ?? true)
            let fragment = CacheKey.fragment { $0.derive(ops) }
            deriveFragments[memo] = (ops, fragment)
            step.derive = ops
            key.append(fragment: fragment)
        }
        return format
    }

    /// A generate or edit: provider, model, the rendered prompt (checked), parameters, salt and the
    /// cost estimate; returns the format it asks for, or nil when the prompt cannot be sent.
    mutating func plannedRequest(_ step: inout PlannedStep, key: inout CacheKey, instance: Instance,
                                 context: DefinitionContext, values: inout TemplateScope, inputCount: Int) -> ImageFormat? {
        let parameters = context.imageParameters
        let (provider, model) = (context.provider, context.model)
        values.ext = parameters.format.fileExtension
        let prompt = Prompt.join(context.prompt.map { template in template.render { values[$0] } })
        guard checkPrompt(prompt, of: instance) else { return nil }
        step.provider = provider
        step.model = model
        step.prompt = prompt
        step.parameters = parameters
        step.salt = context.parameters.salt
        // Only OpenAI has a Batch API: a placeholder step is made locally whatever its mode.
        step.mode = context.parameters.mode == .batch && provider == ProviderNames.openai ? .batch : nil
        key.append(fragment: context.keyFragment)
        key.field("prompt", prompt)
        let estimate = prices.estimate(model: model, parameters: parameters, promptCharacters: prompt.count,
                                       inputImages: inputCount)
        step.estimate = provider == "placeholder" ? CostEstimate(inputTokens: estimate.inputTokens,
                                                                 outputTokens: estimate.outputTokens, usd: 0) : estimate
        if provider == ProviderNames.placeholder { openAIEquivalentUSD[step.id] = estimate.usd }
        if options.providerOverride == nil && context.parameters.provider == nil { defaultProviderSteps.insert(step.id) }
        return parameters.format
    }

    /// The nearest earlier non-derive step of the asset: what a derive without `from` reads.
    func previousStep(before definition: StepDefinition, in asset: Asset) -> Located<ImageSource>? {
        guard let index = asset.steps.firstIndex(where: { $0.name.value == definition.name.value }) else { return nil }
        guard let previous = asset.steps[..<index].last(where: { $0.kind != .derive }) else { return nil }
        return Located(.reference(asset.name.value, step: previous.name.value), at: definition.name.location)
    }
}
