/// What the Images API accepts as a prompt (CONTRACT.md): at least one visible character, and at
/// most 32,000 characters counted as Unicode code points.
public enum PromptRules {
    public static let maxLength = 32_000

    /// Whether `text` has nothing to read: only whitespace (non-breaking spaces included), control
    /// and format characters (zero-width spaces, joiners, byte-order marks).
    public static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            let properties = scalar.properties
            return properties.isWhitespace || properties.generalCategory == .format
                || properties.generalCategory == .control || properties.isDefaultIgnorableCodePoint
        }
    }
}

extension PromptRules {
    /// Why a (whitespace-normalised) prompt cannot be sent: a control character left in it.
    public static func controlProblem(_ text: String) -> String? {
        guard let (offset, scalar) = PathRules.firstControl(in: text) else { return nil }
        return "contains a control character (\(PathRules.code(scalar))) at character \(offset + 1): remove it"
    }
}

extension Int {
    /// `32,000`: thousands separated by commas, whatever the locale.
    public var thousandsGrouped: String {
        let digits = String(self.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (self < 0 ? "-" : "") + out
    }
}
