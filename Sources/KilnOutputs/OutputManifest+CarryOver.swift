import Foundation
import KilnCore

extension OutputManifest {
    /// The files of an earlier manifest that this build did not touch and that are still on disk
    /// as Kiln wrote them (same size), so that after `kiln build hero` the manifest still lists
    /// the stickers built before. Paths this build's plan writes are never carried over, whether
    /// or not their step ran: their old bytes may no longer match the manifest's plan.
    ///
    /// Size, not a hash, is checked: re-reading every earlier output on each targeted build would
    /// cost as much as the build. Returns nothing when there is no readable earlier manifest.
    package static func carriedOver(from url: URL, outputDirectory: URL, excluding planned: Set<String>) -> [EarlierManifest.Entry] {
        guard let previous = EarlierManifest.read(from: url) else { return [] }
        return previous.entries.values.filter { entry in
            guard !planned.contains(entry.path) else { return false }
            let path = outputDirectory.path + "/" + entry.path
            return FileStamp.of(path).map { $0.size == Int64(entry.bytes) } ?? false
        }
    }
}
