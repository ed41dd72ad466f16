import Foundation
import KilnCache
import KilnCore

/// A folder store holds no connections.
extension LocalDiskStore: RemoteBackendLifecycle {
    public func shutdown() async throws {}
}

/// A remote cache that is a folder every machine mounts (`file:///mnt/kiln-cache`: NFS, SMB): the
/// local disk store's layout and its rules (write to a temp file, rename into place), so machines
/// sharing it see whole values or none.
public enum RemoteCacheFolder {
    /// The store at `url`, made if missing. Throws when the folder cannot be made.
    public static func open(_ url: URL) throws -> LocalDiskStore {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return LocalDiskStore(root: url.standardizedFileURL.path)
    }
}
