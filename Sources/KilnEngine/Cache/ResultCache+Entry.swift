import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ResultCache {
    /// Whether an action entry exists for `key` (its objects are not read or verified): a cheap
    /// answer for `kiln status`, `plan --explain` and the `--locked` check. `lookup` decides.
    public func hasEntry(_ key: String) -> Bool {
        guard (try? Self.validate(key)) != nil else { return false }
        return access(actionPath(key), F_OK) == 0
    }
}
