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
        return TemplateScope(base: base, step: instance.name, size: instance.size.map(String.init))
    }

    mutating func makeStep(_ instance: Instance, id: StepID) -> PlannedStep? {
        let manifest = manifests[instance.manifest]
        let definition = instance.definition
        var values = templateScope(instance)
        for name in manifest.env where options.environment[name.value] == nil {
            let used = (definition.prompt?.parts.map(\.value) ?? []) + [definition.output?.value ?? ""]
            if used.contains(where: { $0.contains("env.\(name.value)") }) {
                diagnostics.append(.error("environment variable \(name.value) is not set (this manifest reads it as {{env.\(name.value)}})",
                                          at: name.location))
                return nil
            }
        }
        var keys = [StepID: String]()
        var inputs = [StepInput]()
        var mask: StepInput?
        var inputFormat: ImageFormat?
        var deriveInput: ResolvedInput?
        switch definition.kind {
        case .generate:
            break
        case .edit:
            var resolved = [ResolvedInput]()
            for image in definition.images {
                guard let input = resolveInput(image, instance: instance, values: values, keys: &keys) else { return nil }
                inputs.append(input.input)
                resolved.append(input)
            }
            var resolvedMask: ResolvedInput?
            if let m = definition.mask {
                guard let input = resolveInput(m, instance: instance, values: values, keys: &keys) else { return nil }
                mask = input.input
                resolvedMask = input
            }
            guard checkEditInputs(resolved, mask: resolvedMask, of: instance) else { return nil }
        case .derive:
            let source = definition.from ?? previousStep(before: definition, in: instance.asset)
            guard let source else {
                diagnostics.append(.error("derive step '\(definition.name.value)' has no input: add 'from: \"@step\"'",
                                          at: definition.name.location))
                return nil
            }
            guard let input = resolveInput(source, instance: instance, values: values, keys: &keys) else { return nil }
            inputs.append(input.input)
            inputFormat = input.format
            deriveInput = input
        }

        let context = context(instance)
        let templateFormat = context.outputFormat
        var step = PlannedStep(id: id, kind: definition.kind, cacheKey: "", estimate: nil)
        var key = CacheKey(kind: definition.kind)
        let format: ImageFormat
        if definition.kind == .derive {
            let spec = definition.derive ?? DeriveSpec()
            format = spec.format ?? templateFormat ?? inputFormat ?? .png
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
        } else {
            let parameters = context.imageParameters
            format = parameters.format
            let provider = context.provider
            let model = context.model
            values.ext = format.fileExtension
            let prompt = Prompt.join(context.prompt.map { template in template.render { values[$0] } })
            guard checkPrompt(prompt, of: instance) else { return nil }
            step.provider = provider
            step.model = model
            step.prompt = prompt
            step.parameters = parameters
            step.salt = context.parameters.salt
            key.append(fragment: context.keyFragment)
            key.field("prompt", prompt)
            let estimate = prices.estimate(model: model, parameters: parameters, promptCharacters: prompt.count,
                                           inputImages: inputs.count)
            step.estimate = provider == "placeholder" ? CostEstimate(inputTokens: estimate.inputTokens,
                                                                     outputTokens: estimate.outputTokens, usd: 0) : estimate
            if provider == ProviderNames.placeholder { openAIEquivalentUSD[id] = estimate.usd }
            if options.providerOverride == nil && context.parameters.provider == nil { defaultProviderSteps.insert(id) }
        }
        values.ext = format.fileExtension
        for (i, input) in inputs.enumerated() { key.input("in\(i)", input, keys: keys) }
        if let mask { key.input("mask", mask, keys: keys) }
        key.field("salt", step.salt)

        step.inputs = inputs
        step.mask = mask
        var deps = [StepID]()
        for case let .step(dep) in inputs + [mask].compactMap({ $0 }) where !deps.contains(dep) { deps.append(dep) }
        step.dependencies = deps
        step.variantValues = instance.variant.dictionary
        step.cacheKey = key.finalize()
        guard let outputs = outputs(for: instance, template: context.output, id: id, values: values,
                                    count: step.parameters?.n ?? 1) else { return nil }
        step.outputs = outputs
        guard recordPlannedSize(step, instance: instance, input: deriveInput) else { return nil }
        return step
    }

    /// The nearest earlier non-derive step of the asset: what a derive without `from` reads.
    func previousStep(before definition: StepDefinition, in asset: Asset) -> Located<ImageSource>? {
        guard let index = asset.steps.firstIndex(where: { $0.name.value == definition.name.value }) else { return nil }
        guard let previous = asset.steps[..<index].last(where: { $0.kind != .derive }) else { return nil }
        return Located(.reference(asset.name.value, step: previous.name.value), at: definition.name.location)
    }
}
