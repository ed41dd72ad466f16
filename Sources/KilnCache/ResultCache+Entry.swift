import Foundation
import KilnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ResultCache {
    /// Whether an entry exists for `key` (its images are not read or verified): a cheap answer for
    /// `kiln status`, `plan --explain`, the `--locked` check and a build's first look before it
    /// pays. `lookup` decides.
    public func hasEntry(_ key: String) -> Bool {
        guard (try? Self.validate(key)) != nil else { return false }
        return store.existsNow(.action(key: key))
    }

    /// The record stored for `key` (not its images, which are neither read nor verified): when an
    /// answer was made and what it cost, for the gallery. Nil when there is no readable entry.
    public func record(_ key: String) -> CacheRecord? {
        guard (try? Self.validate(key)) != nil else { return nil }
        return CacheEntryFile.record(at: entryPath(key))
    }
}
