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

    /// The record stored for `key`, read without its images (which are not verified): what
    /// `kiln plan --explain` and `kiln status` need to say an answer was adopted. Nil when there is
    /// no entry, it is damaged, or it is another key's. `lookup` decides whether it is a hit.
    public func record(for key: String) -> CacheRecord? {
        guard (try? Self.validate(key)) != nil,
              let record = CacheEntryFile.record(at: entryPath(key)), record.cacheKey == key else { return nil }
        return record
    }
}
