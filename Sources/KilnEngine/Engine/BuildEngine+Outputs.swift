import Foundation
import KilnCore
import KilnOutputs

extension BuildEngine {
    /// Verifies in memory every image a step will write (see `OutputWriter.verify`), before its
    /// dependents may read it. Returns what each output is.
    func verifyOutputs(_ step: PlannedStep, _ produced: Produced, upstream: [StepID: Data]) async throws -> [ImageInfo] {
        let expectation = try await expectation(for: step, upstream: upstream, input: produced.deriveInput)
        var infos = [ImageInfo]()
        for output in step.outputs {
            guard produced.images.indices.contains(output.index) else {
                throw EngineError(.tooFewImages, "\(step.id): the provider returned \(produced.images.count) image(s) "
                    + "but \(output.path) needs image \(output.index + 1); check the step's n")
            }
            infos.append(try await writer.verify(produced.images[output.index], for: output.path, step: step.id,
                                                 expecting: expectation))
        }
        return infos
    }

    /// What a step's images must be: the requested size (generate/edit) or the size its derive
    /// operations make of its input, and alpha when a transparent background was asked for.
    /// - Parameter input: a derive's input as `produce` read it (and checked it against its
    ///   digest), so it is not read and hashed a second time; nil after a cache hit.
    func expectation(for step: PlannedStep, upstream: [StepID: Data], input: Data? = nil) async throws -> OutputWriter.Expectation {
        var expectation = OutputWriter.Expectation(width: nil, height: nil,
                                                   alpha: step.parameters?.background == .transparent)
        if step.kind.usesProvider {
            if let size = step.requestedSize { (expectation.width, expectation.height) = (size.width, size.height) }
        } else if let operations = step.derive, let first = step.inputs.first {
            let source = try input ?? StepRequest.loadInput(first, step: step, upstream: upstream).data
            let info = try await toolkit.inspect(source)
            (expectation.width, expectation.height) = operations.outputSize(width: info.width, height: info.height)
        }
        return expectation
    }

    /// Describes each output a step wrote (`written`, in `step.outputs` order) for the manifest.
    func describeOutputs(_ step: PlannedStep, _ produced: Produced, written: [OutputWriter.Written],
                         elapsedMS: () -> Int) throws -> StepSuccess {
        // An adopted answer was never paid for: not even the plan's estimate applies.
        let cost = produced.adopted ? OutputManifest.Cost(usd: 0, basis: .none) : cost(of: step, usage: produced.usage)
        var files = [OutputManifest.File]()
        for (output, written) in zip(step.outputs, written) {
            files.append(OutputManifest.File(
                path: output.path, step: output.owner, asset: "\(output.owner.pipeline)/\(output.owner.asset)",
                variant: output.owner.variant, variantValues: step.variantValues, index: output.index,
                sha256: written.sha256, bytes: written.bytes, width: written.info.width, height: written.info.height,
                format: written.info.format, alpha: written.info.hasAlpha, kind: step.kind, provider: step.provider,
                model: step.model, prompt: step.prompt, parameters: step.parameters, derive: step.derive,
                resolved: produced.resolved.isEmpty ? nil : produced.resolved, cacheKey: step.cacheKey,
                usage: produced.usage.map(UsageRecord.init), cost: cost, requestID: produced.requestID,
                durationMS: nil, fromCache: produced.fromCache, adopted: produced.adopted ? true : nil))
        }
        let duration = elapsedMS()
        if options.recordDurations {
            for i in files.indices { files[i].durationMS = duration }
        }
        return StepSuccess(images: produced.images, files: files, encodedFiles: files.map { $0.entryText(depth: 2) },
                           usage: produced.usage, cost: cost,
                           fromCache: produced.fromCache)
    }

    /// The cost of producing a step's result: actual from reported usage, else the plan's estimate.
    func cost(of step: PlannedStep, usage: Usage?) -> OutputManifest.Cost {
        guard step.kind.usesProvider else { return .init(usd: 0, basis: .none) }
        if let usage, let model = step.model {
            return .init(usd: options.prices.cost(model: model, usage: usage), basis: .actual)
        }
        return .init(usd: step.estimate?.usd ?? 0, basis: .estimated)
    }
}
