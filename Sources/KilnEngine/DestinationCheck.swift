import Foundation
import KilnCore

/// Checks, before the first paid call, that everything a build will write can be written: every
/// output folder can be made (no file in the way, no symlink loop) and written to, the cache folder
/// too, and the disks have room for the plan's estimated bytes. It writes nothing that stays: a
/// probe file is created and removed in the nearest folder that exists.
public enum DestinationCheck {
    /// The problems found, each a sentence with the fix; empty when the build can write everything.
    /// - Parameters:
    ///   - folders: the absolute folders the build writes into (outputs and their subfolders, the
    ///     output manifest's folder, the cache).
    ///   - estimatedBytes: bytes the build will write, by folder it writes into.
    public static func problems(folders: [String], estimatedBytes: [String: Int] = [:]) -> [String] {
        var problems = [String]()
        var probed = [String: Int32?]()
        for folder in Set(folders).sorted() {
            switch nearestExisting(folder) {
            case let .failure(problem):
                problems.append(problem.message)
            case let .success(existing):
                if probed[existing] == nil { probed[existing] = .some(probeWrite(existing)) }
                if let code = probed[existing] ?? nil {
                    let why = SystemErrorText.words(errno: code)
                    problems.append("cannot write in \(existing) (\(why)), where \(folder) must be written: make it writable or choose another folder (--out, --cache-dir)")
                }
            }
        }
        guard problems.isEmpty else { return problems }
        return spaceProblems(estimatedBytes)
    }

    /// The nearest folder of `path` that exists (itself, or an ancestor), or why `path` can never be a folder.
    struct Problem: Error { var message: String }

    static func nearestExisting(_ path: String) -> Result<String, Problem> {
        var current = path
        while true {
            var info = stat()
            if stat(current, &info) == 0 {
                if (info.st_mode & S_IFMT) == S_IFDIR { return .success(current) }
                return .failure(Problem(message: "\(current) is a file, but the build needs a folder there (for \(path)): move or rename the file"))
            }
            let code = errno
            var link = stat()
            if code == ENOENT, lstat(current, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK {
                return .failure(Problem(message: "\(current) is a symbolic link to something that does not exist (needed for \(path)): fix or remove it"))
            }
            if code == ELOOP { return .failure(Problem(message: "\(current) is a symbolic link that loops: fix or remove it")) }
            if code != ENOENT && code != ENOTDIR { return .failure(Problem(message: "cannot look at \(current): \(SystemErrorText.words(errno: code))")) }
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current || parent.isEmpty { return .failure(Problem(message: "no folder of \(path) exists")) }
            current = parent
        }
    }

    /// Creates and removes a hidden file in `folder`: the only honest test of writability (root
    /// passes `access(2)` on a read-only folder; a read-only mount fails only on write).
    /// Returns nil when it could, else the error number.
    static func probeWrite(_ folder: String) -> Int32? {
        let probe = folder + "/.kiln-probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return errno }
        close(fd)
        unlink(probe)
        return nil
    }

    /// Whether each disk has room for what the build writes on it (bytes summed per device).
    static func spaceProblems(_ estimatedBytes: [String: Int]) -> [String] {
        var needed = [UInt64: (bytes: Int, folder: String, free: Int)]()
        for (folder, bytes) in estimatedBytes where bytes > 0 {
            guard case let .success(existing) = nearestExisting(folder) else { continue }
            var info = stat(), fs = statvfs()
            guard stat(existing, &info) == 0, statvfs(existing, &fs) == 0 else { continue }
            let free = Int(clamping: UInt64(fs.f_bavail) &* UInt64(fs.f_frsize))
            let device = UInt64(info.st_dev)
            needed[device] = ((needed[device]?.bytes ?? 0) + bytes, needed[device]?.folder ?? existing, free)
        }
        return needed.values.sorted { $0.folder < $1.folder }.compactMap { need in
            guard need.bytes > need.free else { return nil }
            return "the build writes about \(megabytes(need.bytes)) on the disk of \(need.folder), but only \(megabytes(need.free)) are free: free \(megabytes(need.bytes - need.free)) or more (`kiln cache gc` removes unused cache entries), or build fewer targets"
        }
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes >= 10_000_000 ? "\(bytes / 1_000_000) MB" : String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}

extension DestinationCheck {
    /// A generous guess of the bytes one step writes: each image at two bytes per pixel as PNG (a
    /// 1024² answer is ~1.8 MB), half a byte per pixel as JPEG or WebP; an answer of a paid step
    /// is written twice (cache entry and output).
    public static func estimatedBytes(of step: PlannedStep) -> (outputs: Int, cache: Int) {
        let pixels: Int
        let format: ImageFormat
        if let derive = step.derive {
            pixels = (derive.resize?.width ?? derive.resize?.height ?? 1024) * (derive.resize?.height ?? derive.resize?.width ?? 1024)
            format = derive.format
        } else {
            if case let .fixed(width, height)? = step.parameters?.size { pixels = width * height } else { pixels = 1536 * 1024 }
            format = step.parameters?.format ?? .png
        }
        let image = format == .png ? pixels * 2 : pixels / 2
        let images = step.parameters?.n ?? 1
        return (image * step.outputs.count, image * images)
    }
}
