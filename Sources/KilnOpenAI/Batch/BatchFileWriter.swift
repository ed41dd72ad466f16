import Foundation
import KilnCore

/// The limits of one batch input file.
public struct BatchLimits: Sendable, Hashable {
    /// Lines per file (the service: 50,000).
    public var maxLines: Int
    /// Bytes per file, newlines included (the service: 200 MB).
    public var maxBytes: Int

    public static let service = BatchLimits(maxLines: 50_000, maxBytes: 200 * 1024 * 1024)

    public init(maxLines: Int, maxBytes: Int) {
        self.maxLines = max(1, maxLines)
        self.maxBytes = max(1, maxBytes)
    }
}

/// A finished batch input file, ready to upload.
public struct BatchInputFile: Sendable, Hashable {
    public var path: String
    public var endpoint: BatchEndpoint
    public var model: String
    /// Every line's custom_id, in file order.
    public var customIDs: [String]
    public var byteCount: Int
}

/// Writes batch lines into JSONL files under a folder, one endpoint and one model per file (a
/// batch targets one endpoint, and the service is reported to want one model per file), starting a
/// new file before one would pass `limits`. Lines go to disk as they come (through a small buffer),
/// so 50,000 steps never need their 50,000 bodies in memory.
///
/// Not thread-safe: one writer per task. Call `finish()` once; the files are complete only then.
public final class BatchFileWriter {
    private struct Open {
        var handle: FileHandle
        var file: BatchInputFile
        var buffer = Data()
    }

    public let folder: String
    public let limits: BatchLimits
    private let prefix: String
    private var open: [String: Open] = [:]
    private var done: [BatchInputFile] = []
    private var seen: Set<String> = []
    private var count = 0
    /// Each file's number, in the order they were started.
    private var started: [String: Int] = [:]
    /// Bytes kept before a write to the file.
    private let bufferBytes = 1 << 20

    /// - Parameters:
    ///   - folder: created if missing; files are named `<prefix>-<n>.jsonl`.
    ///   - limits: the service's limits unless a test injects small ones.
    public init(folder: String, limits: BatchLimits = .service, prefix: String = "batch-input") throws {
        self.folder = folder
        self.limits = limits
        self.prefix = prefix
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw BatchLineError("cannot create the batch folder \(folder): \(error.localizedDescription)")
        }
    }

    /// Appends a line to the open file of its endpoint and model, first closing that file when the
    /// line would take it past a limit.
    /// - Throws: `BatchLineError` for a custom_id already written, a line larger than a whole file
    ///   may be, or a write that failed.
    public func append(_ line: BatchLine) throws {
        let size = line.data.count + 1
        guard size <= limits.maxBytes else {
            throw BatchLineError("custom_id \(line.customID): its batch line is \(size) bytes, over the "
                + "\(limits.maxBytes)-byte limit of a whole input file; lower n or the inputs' size.")
        }
        guard seen.insert(line.customID).inserted else {
            throw BatchLineError("custom_id \(line.customID) is written twice; each must be unique across a batch.")
        }
        let group = line.endpoint.rawValue + " " + line.model
        if let current = open[group], current.file.customIDs.count + 1 > limits.maxLines
            || current.file.byteCount + size > limits.maxBytes {
            try close(group)
        }
        // Taken out of the dictionary while it grows: a copy left behind would make every append
        // copy the whole buffer and id list (50,000 lines took 43 s that way).
        var current = try open.removeValue(forKey: group) ?? start(line)
        current.buffer.append(line.data)
        current.buffer.append(UInt8(ascii: "\n"))
        current.file.customIDs.append(line.customID)
        current.file.byteCount += size
        if current.buffer.count >= bufferBytes { try flush(&current) }
        open[group] = current
    }

    /// Closes every open file and returns all files written, in the order they were started.
    public func finish() throws -> [BatchInputFile] {
        for group in open.keys.sorted() { try close(group) }
        return done.sorted { started[$0.path, default: 0] < started[$1.path, default: 0] }
    }

    private func start(_ line: BatchLine) throws -> Open {
        count += 1
        let path = folder + "/\(prefix)-\(count).jsonl"
        started[path] = count
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw BatchLineError("cannot create the batch input file \(path).")
        }
        return Open(handle: handle, file: BatchInputFile(path: path, endpoint: line.endpoint, model: line.model,
                                                         customIDs: [], byteCount: 0))
    }

    private func flush(_ current: inout Open) throws {
        guard !current.buffer.isEmpty else { return }
        do {
            try current.handle.write(contentsOf: current.buffer)
        } catch {
            throw BatchLineError("cannot write the batch input file \(current.file.path): \(error.localizedDescription)")
        }
        current.buffer.removeAll(keepingCapacity: true)
    }

    private func close(_ group: String) throws {
        guard var current = open.removeValue(forKey: group) else { return }
        try flush(&current)
        try? current.handle.close()
        done.append(current.file)
    }
}
