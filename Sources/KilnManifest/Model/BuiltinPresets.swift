import KilnCore

/// Presets every manifest has. A manifest preset of the same name replaces the built-in one.
public enum BuiltinPresets {
    public static let all: [String: Preset] = [
        // Die-cut stickers: square, on transparency.
        "sticker": Preset(name: "sticker", parameters: ParameterSet(
            size: .fixed(width: 1024, height: 1024), background: .transparent), location: nil),
        // Wide web hero images, opaque.
        "hero": Preset(name: "hero", parameters: ParameterSet(
            size: .fixed(width: 1536, height: 1024), background: .opaque), location: nil),
        // Portrait posters, as high-quality jpeg.
        "poster": Preset(name: "poster", parameters: ParameterSet(
            size: .fixed(width: 1024, height: 1536), quality: .high, background: .opaque, format: .jpeg,
            compression: 90), location: nil),
        // One square master on transparency; derive the sizes with `sizes:`.
        "icon": Preset(name: "icon", parameters: ParameterSet(
            size: .fixed(width: 1024, height: 1024), background: .transparent, format: .png), location: nil),
    ]
}
