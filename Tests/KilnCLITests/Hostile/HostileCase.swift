import Foundation
import Testing

/// One careless or hostile project, run through the real `kiln` binary against the fake OpenAI
/// server with a key set (so anything that got through would be a paid request): what the command
/// must exit with, where the message must point, what it must say, and which values must never
/// appear anywhere (output, files, requests).
struct HostileCase: Sendable, CustomTestStringConvertible {
    /// What a case puts into its project besides the manifest.
    enum Item: Sendable {
        case bytes(Data)
        case text(String)
        case image(TestImage)
        case folder
        case symlink(to: String)
    }

    var name: String
    /// `pipelines/m.yaml`.
    var manifest: String
    /// The manifest's bytes when they are not UTF-8 text (then `manifest` only names the case's content).
    var manifestBytes: Data?
    var items: [String: Item] = [:]
    /// Added to the environment (besides the API key and the fake's URL).
    var environment: [String: String] = [:]
    /// Extra arguments for `kiln build`.
    var buildArguments: [String] = []
    /// `kiln build`'s exit status.
    var status: Int32 = 2
    /// `kiln validate`'s exit status; nil: the same as the build's (destinations are checked only
    /// by a build, which is about to write).
    var validateStatus: Int32?
    /// Where the message points, as `m.yaml:LINE:COL` (the manifest is `pipelines/m.yaml`); nil
    /// for problems outside a manifest (folders, disks).
    var location: String?
    /// Text the message must contain.
    var message: String
    /// Values that must appear nowhere: stdout, stderr, any file of the project, any request.
    var secrets: [String] = []

    var testDescription: String { name }

    init(_ name: String, _ manifest: String, status: Int32 = 2, at location: String? = nil, says message: String) {
        self.name = name
        self.manifest = manifest
        self.status = status
        self.location = location
        self.message = message
    }

    /// A case whose message points at the text right after `needle` (a key's value) in the manifest,
    /// or, with `onNeedle`, at the needle itself.
    init(_ name: String, _ manifest: String, status: Int32 = 2, after needle: String, onNeedle: Bool = false,
         occurrence: Int = 1, says message: String) {
        self.init(name, manifest, status: status, at: locate(manifest, needle, occurrence: occurrence, after: !onNeedle),
                  says: message)
    }

    func with(_ change: (inout HostileCase) -> Void) -> HostileCase {
        var copy = self
        change(&copy)
        return copy
    }
}

/// The images cases put into projects, made with libvips from the example inputs.
enum TestImage: Sendable, Hashable {
    /// 1024², RGBA.
    case product
    /// 1024², RGBA, transparent where the edit may paint.
    case mask
    /// 1024², RGB (no alpha).
    case maskWithoutAlpha
    case maskJPEG
    /// 512², RGBA: not the product's size.
    case smallMask
    /// The product PNG cut in half.
    case truncatedPNG
    /// The product PNG with one byte of image data changed (its chunk checksum fails).
    case corruptPNG
    case truncatedJPEG
    case truncatedWebP
    case gif
    /// The mask with a 4.2 MB text chunk: a valid PNG over the 4 MB mask limit.
    case hugeMask
    /// Chunks and checksums whole, but the image data is not zlib.
    case notZlibPNG
    /// 68 bytes that say 100000x100000.
    case hugeDimensionsPNG
}
