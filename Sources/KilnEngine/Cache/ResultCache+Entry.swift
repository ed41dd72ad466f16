import Foundation

extension ResultCache {
    /// Whether an action entry exists for `key` (its objects are not read or verified): a cheap
    /// answer for `kiln status`, `plan --explain` and the `--locked` check. `lookup` decides.
    public func hasEntry(_ key: String) -> Bool {
        guard key.count >= 2 else { return false }
        return FileManager.default.fileExists(atPath: directory.path + "/actions/" + key.prefix(2) + "/" + key + ".json")
    }
}
