import NIOCore
@testable import KilnRemoteCache
import Testing

/// The upload buffers: reused in place once a request is done with them, never written over while
/// someone still holds them, and kept within their limits.
@Suite struct BufferPoolTests {
    func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? {
        buffer.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func aBufferGivenBackIsTakenAgainEmptyAndWrittenInPlace() {
        let pool = BufferPool(count: 2, largest: 1 << 20)
        var first = pool.take(capacity: 1000)
        first.writeBytes([UInt8](repeating: 7, count: 1000))
        let storage = address(first)
        pool.give(first)
        first = ByteBuffer()   // the caller lets go, as an upload does when it returns
        #expect(pool.kept == 1)
        var again = pool.take(capacity: 800)
        #expect(again.readableBytes == 0 && pool.kept == 0)
        again.writeBytes([UInt8](repeating: 1, count: 800))
        #expect(address(again) == storage, "the kept buffer's memory was reused")
    }

    @Test func aBufferSomeoneStillHoldsIsNeverWrittenOver() {
        let pool = BufferPool(count: 2, largest: 1 << 20)
        var sent = pool.take(capacity: 64)
        sent.writeBytes(Array("the body of a request still in flight".utf8))
        pool.give(sent)   // and `sent` is still held, as a client that has not let go would
        var next = pool.take(capacity: 64)
        next.writeBytes([UInt8](repeating: 0, count: 64))
        #expect(String(buffer: sent) == "the body of a request still in flight")
        #expect(address(next) != address(sent))
    }

    @Test func atMostCountBuffersOfAtMostLargestBytesAreKept() {
        let pool = BufferPool(count: 2, largest: 4096)
        for _ in 0..<3 { pool.give(ByteBufferAllocator().buffer(capacity: 1024)) }
        #expect(pool.kept == 2)
        let big = pool.take(capacity: 10_000)   // larger than kept ones may be: a new buffer
        #expect(big.capacity >= 10_000 && pool.kept == 2)
        pool.give(big)
        #expect(pool.kept == 2, "a buffer over `largest` is left to the allocator")
        // A kept buffer grows in place when asked for more than it holds, up to `largest`.
        _ = pool.take(capacity: 1024)
        var grown = pool.take(capacity: 4096)
        #expect(grown.capacity >= 4096 && pool.kept == 0)
        grown.writeBytes([UInt8](repeating: 3, count: 4096))
        #expect(grown.readableBytes == 4096)
    }
}
