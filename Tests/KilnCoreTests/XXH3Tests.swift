import Foundation
@testable import KilnCore
import Testing

/// XXH3 (64-bit) against the reference implementation: every value here was printed by the
/// `xxhash` package of PyPI (the C library's binding), `xxhash.xxh3_64_intdigest(bytes)`.
@Suite struct XXH3Tests {
    func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { XXH3.hash($0) }
    }

    @Test func theReferenceValues() {
        #expect(hash([]) == 0x2d06_8005_38d3_94c2)
        #expect(hash(Array("a".utf8)) == 0xe6c6_32b6_1e96_4e1f)
        #expect(hash(Array("abc".utf8)) == 0x78af_5f94_892f_3950)
        #expect(hash([]) != hash([0]), "a zero byte counts")
    }

    /// Every path of the algorithm (empty, 1–3, 4–8, 9–16, 17–128 and 129–240 bytes; above that a
    /// partial block, whole 1,024-byte blocks, the stripes of the last one and its last 64 bytes),
    /// read from an address one past an aligned one: `(i * 31 + 7) & 0xff` from i = 1. Both the
    /// loop the processor gets (AVX2 on most x86-64) and the portable one.
    @Test func everyPathAtAnUnalignedStart() {
        let buffer = (0..<110_000).map { UInt8(($0 * 31 + 7) & 0xff) }
        let expected: [(Int, UInt64)] = [
            (0, 0x2d06800538d394c2), (1, 0xc11d5b404d018be6), (2, 0x565666e2c2ebe7b4), (3, 0xfba118e25cdbd230),
            (4, 0x24879238f61a6e42), (5, 0x33af63cf9f634963), (8, 0x67089de04941e11b), (9, 0xafdaa01450d46a98),
            (12, 0x8f62bfa03136b302), (16, 0x966ba5a5621ba6d6), (17, 0x91782281bcf3dcb3), (31, 0x25eac8f4e99acf9a),
            (32, 0x535f680c34b98f53), (33, 0xeb79ed1a9f57c171), (64, 0x04d239680a32fb99), (100, 0x175bf27cca817b31),
            (128, 0xa341836d9f2601f5), (129, 0xbc29ae19c1eda369), (130, 0xdbf6c05ac001cecc), (200, 0x3bb55e06698c3146),
            (239, 0x07d78db81e53b5a3), (240, 0x1fa7c2dbf9418b80), (241, 0x6656a8821328e400), (255, 0x0359ec70445e77bb),
            (256, 0x56163e4d77f0511b), (500, 0xd345fff72e3b5533), (1023, 0xa3fcdb12ec40cfaa), (1024, 0x9c0ddbe6402cec09),
            (1025, 0xb957caee19d399ed), (1087, 0x32e4787262b08359), (1088, 0x663a150f21cc0de0), (1089, 0x9147f9403d52abe5),
            (2048, 0x4dfcb1a808c5b885), (2049, 0xac4954556b47c080), (4096, 0xdb74b7df57a5ca65), (10000, 0xf63ea545b72bd707),
            (100_003, 0x1cb0c58182b54d67),
        ]
        buffer.withUnsafeBytes { all in
            for (count, value) in expected {
                let slice = UnsafeRawBufferPointer(rebasing: all[1..<(1 + count)])
                #expect(XXH3.hash(slice) == value, "\(count) bytes")
                #expect(XXH3.hashPortably(slice) == value, "\(count) bytes, the portable loop")
            }
        }
    }

    /// An image's size (1,805,378 bytes, 1,763 blocks) of pseudo-random bytes: the top byte of each
    /// step of Knuth's MMIX linear congruential generator from 1.
    @Test func anImageSizedInput() {
        var x: UInt64 = 1
        let bytes = (0..<1_805_378).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(x >> 56)
        }
        #expect(hash(bytes) == 0x40ca_d954_f79c_714b)
        #expect(bytes.withUnsafeBytes { XXH3.hashPortably($0) } == 0x40ca_d954_f79c_714b)
        var changed = bytes
        changed[900_000] ^= 0x01
        #expect(hash(changed) != hash(bytes), "one bit in the middle changes it")
    }
}
