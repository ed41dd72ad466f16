import Foundation
import KilnCore

/// Uploads one answer: each image the store lacks, then its record.
///
/// An answer whose record the store lacks (a push's HEAD said so, or the build's look-up missed it)
/// has its images sent without asking for each first: they are new to the store all but always, and
/// a HEAD per image cost a push of 1,000 answers a third of its time (6.1 s → 4.4 s on loopback). An
/// image this process already sent or fetched is not sent again; one the store has a damaged copy
/// of is always sent. Otherwise each image is asked for (HEAD) and sent only when missing. This is
/// what bazel does with an HTTP cache, which cannot say which blobs it lacks: it sends them.
struct Uploader: Sendable {
    let backend: any CacheBackend
    let local: ResultCache
    let signing: RemoteActionValue.SigningKey?
    var replacing = true
    /// What the tier knows of the store: its damaged images, the keys it missed, the images in it.
    let state: TierState

    /// Nil when the local cache no longer has the answer (nothing to send). With `replacing` false,
    /// an answer whose record the store has is not sent (counted as uploaded: it is there).
    func upload(_ key: String) async throws -> (blobs: Int, bytes: Int64)? {
        let local = self.local
        var recordMissing = state.lock.withLock { $0.missedKeys.contains(key) }
        if !replacing {
            if try await backend.contains(.action(key: key)) { return (0, 0) }
            recordMissing = true
        }
        // Not checked here: the backend checks each image against its digest before sending it.
        guard let hit = try await BlockingIO.run({ local.unverifiedEntry(key) }) else { return nil }
        var blobs = 0
        var bytes: Int64 = 0
        for (image, file) in zip(hit.record.images, hit.files) {
            let address = CacheAddress.blob(sha256: image.sha256)
            let (damaged, sent) = state.lock.withLock { ($0.damagedBlobs.contains(image.sha256), $0.blobsInStore.contains(image.sha256)) }
            if !damaged {
                if sent { continue }
                if !recordMissing, try await backend.contains(address) { continue }
            }
            // Streamed from the blob or the entry; the backend checks its digest before sending it.
            try await backend.upload(URL(fileURLWithPath: file.path), range: file.range, to: address)
            state.lock.withLock {
                $0.damagedBlobs.remove(image.sha256)
                $0.blobsInStore.insert(image.sha256)
            }
            bytes += Int64(image.bytes)
            blobs += 1
        }
        let value = RemoteActionValue.encode(hit.record, signing: signing)
        try await backend.put(value, at: .action(key: key))
        return (blobs, bytes + Int64(value.count))
    }
}
