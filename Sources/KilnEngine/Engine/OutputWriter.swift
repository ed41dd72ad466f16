import Foundation
import KilnCore

/// Writes output files atomically and verifies each before it takes its place.
///
/// The exact bytes to be written are inspected by the toolkit first (decodes; format matches the
/// extension; requested dimensions; alpha when a transparent background was asked for), then
/// written to a temp file in the destination directory and renamed into place. Verifying the bytes
/// before the rename rather than reading the file back checks the same content with half the I/O;
/// a violation fails the step and nothing is written, so no bad or half-written file is ever left
/// under the output directory.
struct OutputWriter: Sendable {
    /// What a written file must be.
    struct Expectation: Sendable {
        var width: Int?
        var height: Int?
        var alpha: Bool
    }

    /// What was written.
    struct Written: Sendable {
        var sha256: String
        var bytes: Int
        var info: ImageInfo
    }

    let root: URL
    let toolkit: any ImageToolkit
    let rootPath: String

    init(root: URL, toolkit: any ImageToolkit) {
        self.root = root
        self.toolkit = toolkit
        rootPath = root.path
    }

    /// Puts bytes that `verify` accepted, whose digest the caller knows, at `path`: placed from
    /// `blob` — a file holding exactly these bytes, the cache's — as a copy-on-write clone where the
    /// file system has them (or a hard link, with `--link-outputs`), else written to a temp file
    /// beside the destination and renamed. Blocking: call it off the cooperative pool.
    func commitBlocking(_ data: Data, sha256: String, to path: String, step: StepID, info: ImageInfo,
                        placingFrom blob: String? = nil, linking: Bool = false) throws -> Written {
        let target = try destination(path, step: step)
        if let blob, AtomicFile.place(blob, at: target, linking: linking) {
            return Written(sha256: sha256, bytes: data.count, info: info)
        }
        try AtomicFile.write(data, toPath: target)
        return Written(sha256: sha256, bytes: data.count, info: info)
    }

    /// Checks in memory that `data` may be written to `path`; throws the violation otherwise.
    func verify(_ data: Data, for path: String, step: StepID, expecting expectation: Expectation) async throws -> ImageInfo {
        _ = try destination(path, step: step)
        let name = AtomicFile.split(path)?.name ?? path
        let pathExtension = name.utf8.lastIndex(of: UInt8(ascii: ".")).map { String(name[name.utf8.index(after: $0)...]) } ?? ""
        guard let extFormat = ImageFormat(pathExtension: pathExtension) else {
            throw EngineError.verification(step: step, path: path,
                                           "the extension '.\(pathExtension)' names no image format (png, jpg, webp)")
        }
        let info: ImageInfo
        do {
            info = try await toolkit.inspect(data)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EngineError.verification(step: step, path: path, "the image does not decode (\(error))")
        }
        if info.format != extFormat {
            throw EngineError.verification(step: step, path: path,
                                           "the image is \(info.format.rawValue) but the extension says \(extFormat.rawValue)")
        }
        if let w = expectation.width, let h = expectation.height, (info.width, info.height) != (w, h) {
            throw EngineError.verification(step: step, path: path,
                                           "the image is \(info.width)x\(info.height), expected \(w)x\(h)")
        }
        if expectation.alpha && !info.hasAlpha {
            throw EngineError.verification(step: step, path: path,
                                           "a transparent background was requested but the image has no alpha channel")
        }
        return info
    }

    /// The file for a relative output path, refusing paths that leave the output directory.
    func destination(_ path: String, step: StepID) throws -> String {
        // Bytes, not characters: this runs for every file a build writes.
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard !path.isEmpty, !parts.contains(where: { $0.isEmpty || $0.elementsEqual("..".utf8) }) else {
            throw EngineError.invalidPlan("\(step): output path '\(path)' must be relative and stay inside the output directory")
        }
        // A path string, not a URL: building a URL per file cost more than writing it on a RAM disk.
        return rootPath + "/" + path
    }
}
