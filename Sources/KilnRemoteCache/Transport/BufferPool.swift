import NIOCore
import Synchronization

/// Buffers an upload reads a value into, kept for the next upload once a request is done with them.
///
/// A new ~2 MB buffer per image came from a fresh `mmap`, which the kernel zero-filled a page at a
/// time before `pread` wrote over it, and unmapped again after: `perf` put page faults and
/// `clear_page` at a tenth of a push's CPU. Reused buffers are written in place.
///
/// At most `count` buffers of at most `largest` bytes each are kept (16 × 4 MiB: as many as uploads
/// run at once, each the size of an image); a larger one is left to the allocator. A buffer
/// still shared (the HTTP client holding on to it) is not reused: `clear()` on a shared buffer
/// allocates anew rather than write over bytes someone else reads.
final class BufferPool: Sendable {
    let count: Int
    let largest: Int
    private let free = Mutex<[ByteBuffer]>([])

    init(count: Int = 16, largest: Int = 4 << 20) {
        self.count = count
        self.largest = largest
    }

    /// An empty buffer with room for `capacity` bytes: a kept one when there is one.
    func take(capacity: Int) -> ByteBuffer {
        if capacity <= largest, var buffer = free.withLock({ $0.popLast() }) {
            buffer.clear(minimumCapacity: capacity)
            return buffer
        }
        return ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Keeps `buffer` for a later `take`, unless enough are kept or it is too large.
    func give(_ buffer: ByteBuffer) {
        guard buffer.capacity <= largest else { return }
        free.withLock { if $0.count < count { $0.append(buffer) } }
    }

    /// How many buffers are kept now.
    var kept: Int { free.withLock { $0.count } }
}
