/// Bounds on the pixel sizes a manifest may ask of local image work.
public enum ImageLimits {
    /// The largest width, height, crop offset or padding a derive takes, in pixels: 16,384 is more
    /// than any screen or print asset needs, and a 16,384² RGBA image is already 1 GiB decoded.
    public static let maxSide = 16_384
}
