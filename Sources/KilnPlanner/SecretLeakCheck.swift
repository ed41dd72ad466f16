import KilnCore

/// The last line of defence for secrets: before a plan is printed, written or run, no string it
/// would send or write may contain a credential's value. Names the step and the field, never the value.
enum SecretLeakCheck {
    static func problems(in plan: Plan, screen: SecretScreen) -> [Diagnostic] {
        guard !screen.isEmpty else { return [] }
        var found = [Diagnostic]()
        func check(_ text: String?, _ field: String, _ owner: String) {
            guard let text, let variable = screen.variable(foundIn: text) else { return }
            found.append(.error("\(owner): its \(field) contains the value of \(variable); stopped before anything was sent, written or printed: take the value out of the manifest (vars, matrix values, or the environment a template reads)",
                                at: nil))
        }
        for step in plan.steps {
            // Messages print through the console, which redacts secret values, so the owner is named
            // plainly even when its own name is the leak.
            let owner = "step \(step.id)"
            check(step.id.description, "name (pipeline, asset, variant or step)", owner)
            check(step.model, "model", owner)
            check(step.prompt, "prompt", owner)
            check(step.parameters?.user, "user", owner)
            check(step.salt, "salt", owner)
            for output in step.outputs { check(output.path, "output path", owner) }
            for input in step.inputs + [step.mask].compactMap({ $0 }) { check(input.description, "input path", owner) }
            for (name, value) in step.variantValues {
                check(name, "matrix axis name", owner)
                check(value, "matrix value '\(name)'", owner)
            }
        }
        for (name, settings) in plan.providers.sorted(by: { $0.key < $1.key }) {
            let owner = "provider '\(name)'"
            check(settings.baseURL, "base_url", owner)
            for (header, value) in settings.headers.sorted(by: { $0.key < $1.key }) {
                check(header + ": " + value, "header '\(header)'", owner)
            }
        }
        return found
    }
}
