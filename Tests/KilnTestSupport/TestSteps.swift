import KilnCore

/// Small planned steps for tests of the cache, the lock and the engine: a generate, an edit and a
/// derive with fixed keys, all in pipeline `p`.
public enum TestSteps {
    public static func id(_ name: String, asset: String = "a") -> StepID {
        StepID(pipeline: "p", asset: asset, variant: nil, step: name)
    }

    public static func generate(_ name: String, size: (Int, Int) = (8, 8), provider: String = "scripted",
                                background: BackgroundMode? = nil, n: Int = 1, output: Bool = true,
                                dependencies: [StepID] = []) -> PlannedStep {
        let id = id(name)
        return PlannedStep(
            id: id, kind: .generate, provider: provider, model: "gpt-image-1", prompt: "a \(name)",
            parameters: ImageParameters(size: .fixed(width: size.0, height: size.1), background: background, n: n),
            outputs: output ? (0..<n).map { StepOutput(path: "\(name)\(n > 1 ? "-\($0)" : "").png", owner: id, index: $0) } : [],
            dependencies: dependencies, cacheKey: Digest.sha256("generate \(name) \(size) \(provider) \(n)"),
            estimate: CostEstimate(inputTokens: 10, outputTokens: 100, usd: 0.01))
    }

    /// A generate step with `count` candidates, as the planner makes it: the step itself (merged
    /// with candidate 1, whose key it has) writing `NAME.png`, and `NAME~2`… each with its own key
    /// writing `NAME.candidates/K.png`.
    public static func candidates(_ name: String, _ count: Int, reroll: [Int: String] = [:]) -> [PlannedStep] {
        (1...count).map { number in
            let own = number == 1 ? id(name) : id("\(name)~\(number)")
            var step = generate(name)
            step.id = own
            step.aliases = number == 1 ? [id("\(name)~1")] : []
            step.candidate = number
            step.reroll = reroll[number]
            step.cacheKey = Digest.sha256("generate \(name) candidate \(number) \(reroll[number] ?? "")")
            step.outputs = [StepOutput(path: number == 1 ? "\(name).png" : "\(name).candidates/\(number).png", owner: own)]
            return step
        }
    }

    public static func edit(_ name: String, from inputs: [StepInput], mask: StepInput? = nil,
                            size: (Int, Int) = (8, 8)) -> PlannedStep {
        let id = id(name)
        let deps = (inputs + (mask.map { [$0] } ?? [])).compactMap(\.stepID)
        return PlannedStep(
            id: id, kind: .edit, provider: "scripted", model: "gpt-image-1", prompt: "edit \(name)",
            parameters: ImageParameters(size: .fixed(width: size.0, height: size.1)), inputs: inputs, mask: mask,
            outputs: [StepOutput(path: "edits/\(name).png", owner: id)], dependencies: deps,
            cacheKey: Digest.sha256("edit \(name) \(inputs)"))
    }

    public static func derive(_ name: String, from input: StepID, width: Int = 4) -> PlannedStep {
        let id = id(name)
        return PlannedStep(
            id: id, kind: .derive, inputs: [.step(input)],
            derive: DeriveOperations(resize: ResizeSpec(width: width, height: nil), format: .png),
            outputs: [StepOutput(path: "thumbs/\(name).png", owner: id)], dependencies: [input],
            cacheKey: Digest.sha256("derive \(name) \(input) \(width)"))
    }
}
