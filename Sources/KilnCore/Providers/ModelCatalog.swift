/// What Kiln knows of each image model (../shared/openai/CONTRACT.md, as of 2026-11).
public struct ModelInfo: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        case current
        /// Can move under you: results are not reproducible.
        case movingAlias(String)
        case retired(on: String, replacement: String)
    }

    public enum Sizes: Sendable, Hashable {
        /// Only these fixed sizes (and `auto`).
        case fixed([SizeSpec])
        /// Any WxH with both sides divisible by 16, aspect 1:3…3:1, at most 3840x2160 (or `auto`).
        case flexible
    }

    public var name: String
    public var status: Status
    public var sizes: Sizes
    public var supportsTransparency: Bool
    public var supportsInputFidelity: Bool
    /// The most images one request may ask for (`n`): 10 for the GPT image models, 1 for dall-e-3.
    public var maxImagesPerRequest = 10

    public static let standardSizes: [SizeSpec] = [
        .fixed(width: 1024, height: 1024), .fixed(width: 1536, height: 1024), .fixed(width: 1024, height: 1536),
    ]
}

/// The model table the validator and planner read. Prices live in `PriceTable`.
public enum ModelCatalog {
    /// Kiln's default model.
    public static let defaultModel = "gpt-image-1.5"

    public static let models: [ModelInfo] = [
        ModelInfo(name: "gpt-image-1.5", status: .current, sizes: .fixed(ModelInfo.standardSizes),
                  supportsTransparency: true, supportsInputFidelity: true),
        ModelInfo(name: "gpt-image-2-2026-04-21", status: .current, sizes: .flexible,
                  supportsTransparency: true, supportsInputFidelity: false),
        ModelInfo(name: "gpt-image-2", status: .movingAlias("gpt-image-2-2026-04-21"), sizes: .flexible,
                  supportsTransparency: true, supportsInputFidelity: false),
        ModelInfo(name: "gpt-image-1-mini", status: .current, sizes: .fixed(ModelInfo.standardSizes),
                  supportsTransparency: true, supportsInputFidelity: false),
        ModelInfo(name: "chatgpt-image-latest", status: .movingAlias("a dated gpt-image model"),
                  sizes: .fixed(ModelInfo.standardSizes), supportsTransparency: true, supportsInputFidelity: false),
        ModelInfo(name: "gpt-image-1", status: .retired(on: "2026-10-23", replacement: "gpt-image-1.5"),
                  sizes: .fixed(ModelInfo.standardSizes), supportsTransparency: true, supportsInputFidelity: true),
        ModelInfo(name: "dall-e-3", status: .retired(on: "2026-05-12", replacement: "gpt-image-1.5"),
                  sizes: .fixed([]), supportsTransparency: false, supportsInputFidelity: false, maxImagesPerRequest: 1),
        ModelInfo(name: "dall-e-2", status: .retired(on: "2026-05-12", replacement: "gpt-image-1.5"),
                  sizes: .fixed([]), supportsTransparency: false, supportsInputFidelity: false),
    ]

    public static func info(_ name: String) -> ModelInfo? {
        models.first { $0.name == name }
    }

    /// The names a user can choose today.
    public static var currentNames: [String] {
        models.filter { if case .retired = $0.status { return false } else { return true } }.map(\.name)
    }

    /// A problem with a step's parameters under the model's rules, naming the manifest key at fault.
    public struct Problem: Sendable, Hashable {
        /// The manifest key to point at (`model`, `size`, `background`, …).
        public var key: String
        public var severity: Diagnostic.Severity
        public var message: String
    }

    /// Checks effective parameters against the model's rules. Unknown models are not errors for
    /// providers other than OpenAI; `provider` is the step's provider name.
    public static func check(model: String, provider: String, kind: StepKind,
                             parameters p: ImageParameters) -> [Problem] {
        var problems = [Problem]()
        if p.background == .transparent && p.format == .jpeg {
            problems.append(.init(key: "background", severity: .error,
                                  message: "a transparent background needs format png or webp, not jpeg"))
        }
        if p.compression != nil && p.format == .png {
            problems.append(.init(key: "compression", severity: .error,
                                  message: "compression applies to jpeg and webp only; png is always lossless (remove 'compression' or set format: webp)"))
        }
        if let c = p.compression, !(0...100).contains(c) {
            problems.append(.init(key: "compression", severity: .error, message: "compression must be 0–100, not \(c)"))
        }
        if !(1...10).contains(p.n) {
            problems.append(.init(key: "n", severity: .error, message: "n must be 1–10, not \(p.n)"))
        }
        if kind == .generate && p.inputFidelity != nil {
            problems.append(.init(key: "input_fidelity", severity: .error,
                                  message: "input_fidelity applies to edits only"))
        }
        guard provider == "openai" || provider == "placeholder" else { return problems }
        guard let info = info(model) else {
            let names = currentNames.joined(separator: ", ")
            problems.append(.init(key: "model", severity: .error, message: "unknown model '\(model)' (known: \(names))"))
            return problems
        }
        switch info.status {
        case .current: break
        case let .movingAlias(target):
            problems.append(.init(key: "model", severity: .warning,
                                  message: "'\(model)' is an alias that can move: results are not reproducible (pin \(target))"))
        case let .retired(date, replacement):
            problems.append(.init(key: "model", severity: .error,
                                  message: "model '\(model)' was retired on \(date); use '\(replacement)'"))
            return problems
        }
        if case let .fixed(w, h)? = p.size {
            switch info.sizes {
            case let .fixed(allowed):
                if !allowed.contains(.fixed(width: w, height: h)) {
                    let list = (allowed.map(\.description) + ["auto"]).joined(separator: ", ")
                    problems.append(.init(key: "size", severity: .error,
                                          message: "\(model) does not support size \(w)x\(h) (supported: \(list))"))
                }
            case .flexible:
                if let reason = flexibleSizeProblem(width: w, height: h) {
                    problems.append(.init(key: "size", severity: .error, message: "\(model): size \(w)x\(h) \(reason)"))
                } else if w * h > 2560 * 1440 {
                    problems.append(.init(key: "size", severity: .warning,
                                          message: "\(model): sizes above 2560x1440 are experimental"))
                }
            }
        }
        if p.background == .transparent && !info.supportsTransparency {
            problems.append(.init(key: "background", severity: .error, message: "\(model) cannot make transparent backgrounds"))
        }
        if p.inputFidelity != nil && !info.supportsInputFidelity && kind == .edit {
            problems.append(.init(key: "input_fidelity", severity: .error,
                                  message: "\(model) does not support input_fidelity (remove it)"))
        }
        return problems
    }

    static func flexibleSizeProblem(width w: Int, height h: Int) -> String? {
        if w % 16 != 0 || h % 16 != 0 { return "must have both sides divisible by 16" }
        if max(w, h) > 3 * min(w, h) { return "must have an aspect ratio between 1:3 and 3:1" }
        if max(w, h) > 3840 || min(w, h) > 2160 { return "exceeds the maximum 3840x2160" }
        return nil
    }
}
