import Foundation
@testable import KilnCore
import Testing

/// XXH64 against the reference implementation: every value here was printed by the `xxhash`
/// package of PyPI (the C library's binding), `xxhash.xxh64(bytes, seed).hexdigest()`.
@Suite struct XXH64Tests {
    func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { XXH64.hash($0, seed: seed) }
    }

    @Test func theReferenceValues() {
        #expect(hash([]) == 0xef46_db37_51d8_e999)
        #expect(hash(Array("a".utf8)) == 0xd24e_c4f1_a98c_6e5b)
        #expect(hash(Array("abc".utf8)) == 0x44bc_2cf5_ad77_0999)
        #expect(hash(Array(String(repeating: "0123456789abcdefghijklmnopqrstuvwxyz", count: 3).utf8)) == 0x0546_b527_f5bd_1589)
        #expect(hash([]) != hash([0]), "a zero byte counts")
    }

    @Test func aSeedChangesTheValue() {
        let seed: UInt64 = 2_654_435_761
        #expect(hash([], seed: seed) == 0xac75_fda2_929b_17ef)
        #expect(hash(Array("a".utf8), seed: seed) == 0x393d_a8b7_8992_279b)
        #expect(hash(Array("abc".utf8), seed: seed) == 0x1318_df30_094a_85fd)
        #expect(hash(Array(0...255) + Array(0...255) + Array(0...255) + Array(0...255) + Array("xyz".utf8), seed: seed) == 0x8a66_b457_47ef_9df4)
    }

    /// Every path of the algorithm (under 32 bytes, the 32-byte stripes, the 8-, 4- and 1-byte
    /// tails), read from an address one past an aligned one: `(i * 31 + 7) & 0xff` from i = 1.
    @Test func everyTailAtAnUnalignedStart() {
        let buffer = (0..<1100).map { UInt8(($0 * 31 + 7) & 0xff) }
        let expected: [(Int, UInt64)] = [
            (0, 0xef46db3751d8e999), (1, 0x891781855348a46a), (3, 0xa497214a57bd4465), (4, 0x8ec26279293060e3),
            (5, 0xd78d7b5e1d924745), (7, 0x1296ba40e62aca8a), (8, 0xce07f40169ee43db), (9, 0x4e1f644a795e49eb),
            (12, 0x55c9562ad5028eaf), (31, 0xdadaa35998cdad51), (32, 0x3a119e099e2bfc35), (33, 0x5d020b097e73d80a),
            (35, 0xfd0b383269b411b1), (63, 0x2070f1f7cc47aadd), (64, 0x9664a2373e4966d2), (65, 0x644d9380d75492a0),
            (100, 0x77631ae24f44bc66), (1027, 0xb04b89e338c4764b),
        ]
        buffer.withUnsafeBytes { all in
            for (count, value) in expected {
                let slice = UnsafeRawBufferPointer(rebasing: all[1..<(1 + count)])
                #expect(XXH64.hash(slice) == value, "\(count) bytes")
            }
        }
    }
}
