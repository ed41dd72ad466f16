import KilnCore
import KilnManifest

extension PlanBuilder {
    /// The rendered prompt must say something and fit the model's limit, counted as the API counts
    /// (Unicode code points, after templating). Reports the problem and returns false when not.
    mutating func checkPrompt(_ prompt: String, of instance: Instance) -> Bool {
        let location = instance.definition.prompt?.parts.first?.location ?? instance.definition.name.location
        let variant = instance.variant.id.map { " for variant \($0)" } ?? ""
        if PromptRules.isBlank(prompt) {
            diagnostics.append(.error("the prompt renders empty\(variant) (only whitespace or invisible characters after templating): write what to make",
                                      at: location))
            return false
        }
        if let problem = PromptRules.controlProblem(prompt) {
            diagnostics.append(.error("the prompt\(variant) \(problem)", at: location))
            return false
        }
        let length = prompt.unicodeScalars.count
        if length > PromptRules.maxLength {
            diagnostics.append(.error("the prompt\(variant) is \(length) characters after templating; the limit is \(PromptRules.maxLength.thousandsGrouped) (Unicode code points)",
                                      at: location))
            return false
        }
        return true
    }
}
