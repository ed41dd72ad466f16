import KilnCore

/// What an adopted image must be for its step, apart from decoding.
enum AdoptionRules {
    /// Why `info` cannot stand for `step`'s answer, with the fix; nil when it can.
    static func problem(with info: ImageInfo, for step: PlannedStep) -> String? {
        if info.format != step.format {
            return "it is a \(info.format.rawValue) image but the step makes \(step.format.rawValue): "
                + "convert it to \(step.format.rawValue)"
        }
        let size = "\(info.width)x\(info.height)"
        if let wanted = step.requestedSize {
            if (info.width, info.height) != (wanted.width, wanted.height) {
                return "it is \(size) but the step asks for \(wanted.width)x\(wanted.height): "
                    + "resize or export it at \(wanted.width)x\(wanted.height)"
            }
        } else if let model = step.model, let provider = step.provider, var parameters = step.parameters {
            // `auto` (or no size): any size the model could have answered with.
            parameters.size = .fixed(width: info.width, height: info.height)
            let problems = ModelCatalog.check(model: model, provider: provider, kind: step.kind, parameters: parameters)
            if let problem = problems.first(where: { $0.key == "size" && $0.severity == .error }) {
                return "it is \(size), a size the step's model cannot make (\(problem.message)): resize or export it at one it can"
            }
        }
        if step.parameters?.background == .transparent && !info.hasAlpha {
            return "it has no alpha channel but the step asks for a transparent background: "
                + "export it as a \(step.format.rawValue) with transparency"
        }
        return nil
    }
}
