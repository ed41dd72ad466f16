import KilnCore
import KilnManifest

extension PlanBuilder {
    /// Provider settings with `{{env.NAME}}` in header values and `base_url` rendered from the
    /// environment (the validator allowed only declared, non-credential names). A rendered value
    /// that is not one line of text is refused: it would split the request's headers.
    mutating func renderConnection(_ settings: ProviderSettings, of manifest: PipelineManifest) -> ProviderSettings {
        guard !manifest.connectionTemplates.isEmpty else { return settings }
        let notSecret = Set(manifest.envNotSecret.map(\.value))
        let readable = Set(manifest.env.map(\.value).filter { Credentials.mayRead($0, notSecret: notSecret) })
        func render(_ text: String) -> String {
            guard text.contains("{{"), let template = try? Template(parsing: text) else { return text }
            let rendered = template.render { name in
                guard name.hasPrefix("env."), readable.contains(String(name.dropFirst(4))) else { return nil }
                return options.environment[String(name.dropFirst(4))] ?? ""
            }
            if let problem = PathRules.characterProblem(rendered) {
                let location = manifest.connectionTemplates.first { $0.value == text }?.location
                diagnostics.append(.error("'\(text)' renders to a value that \(problem.replacingOccurrences(of: "paths and names", with: "header values and URLs"))",
                                          at: location))
            }
            return rendered
        }
        var out = settings
        out.baseURL = settings.baseURL.map(render)
        if let written = settings.baseURL, written.contains("{{"), let rendered = out.baseURL,
           let problem = BaseURLRule.problem(rendered) {
            // The rendered value is not shown: it came from the environment.
            diagnostics.append(.error("'base_url' '\(written)' renders to a value that \(problem): it must be an http:// or https:// URL like https://api.openai.com/v1",
                                      at: manifest.connectionTemplates.first { $0.value == written }?.location))
        }
        out.headers = settings.headers.mapValues(render)
        return out
    }
}
