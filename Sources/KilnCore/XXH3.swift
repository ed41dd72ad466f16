import CKilnHash

/// XXH3, 64-bit (Yann Collet's xxHash, seed 0): the checksum `ImageSeal` keeps of each image since
/// its second format. Over a ~2 MB image it runs at ~55 GB/s here with AVX2 (~30 GB/s without),
/// against ~13 GB/s for `XXH64`: the check of every byte an upload sends was a fifth of a push's
/// CPU in user space with XXH64. Not a digest: it names nothing, and it is no defence against
/// someone who means to forge it.
package enum XXH3 {
    /// The checksum of `bytes`, as the reference implementation computes it.
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        kiln_xxh3_64(bytes.baseAddress, bytes.count)
    }

    /// The same, never from the AVX2 loop (for tests that both loops agree).
    static func hashPortably(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        kiln_xxh3_64_portable(bytes.baseAddress, bytes.count)
    }
}
