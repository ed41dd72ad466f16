import KilnCore

extension ManifestValidator {
    /// The extension of the last path component, when it is written literally (not `{{ext}}`).
    static func literalExtension(_ path: String) -> String? {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = last.lastIndex(of: "."), !last[dot...].contains("{{") else { return nil }
        return String(last[last.index(after: dot)...])
    }

    /// Output paths stay inside outputs/ and name a format that agrees with the step's.
    mutating func checkOutput(_ step: StepDefinition, parameters: ParameterSet) {
        guard let output = step.output else { return }
        let path = output.value
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.hasPrefix("/") || path.hasPrefix("~") || components.contains("..") {
            error("output '\(path)': output paths are relative to outputs/ and must stay inside it", at: output.location)
            return
        }
        let last = components.last.map(String.init) ?? ""
        guard !last.isEmpty else {
            error("output '\(path)' names no file", at: output.location)
            return
        }
        guard last.contains(".") else {
            error("output '\(path)' has no extension: end it in .png, .jpg, .webp or .{{ext}}", at: output.location)
            return
        }
        var byExtension: ImageFormat?
        if let ext = Self.literalExtension(path) {
            byExtension = ImageFormat(pathExtension: ext)
            if byExtension == nil {
                error("output '\(path)' has unsupported extension '.\(ext)' (use .png, .jpg, .jpeg, .webp or .{{ext}})",
                      at: output.location)
            }
        }
        let format = step.kind == .derive ? step.derive?.format : parameters.format
        if let format, let byExtension, format != byExtension {
            error("output '\(path)' is \(byExtension.rawValue) by its extension, but format is \(format.rawValue): make them agree",
                  at: output.location)
        }
        if step.kind == .derive, let quality = step.derive?.quality, (format ?? byExtension) == .png {
            error("quality (\(quality)) applies to jpeg and webp only; png is lossless", at: step.location(of: "quality"))
        }
    }
}
