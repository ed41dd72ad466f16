import Foundation
@testable import KilnCore
import Testing

@Suite struct CRC32Tests {
    /// The CRC a byte at a time, straight from the definition (ISO 3309, reflected 0xEDB88320).
    func reference(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    @Test func theCheckValuesOfTheStandard() {
        #expect(CRC32.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()[...]) == 0)
        #expect(CRC32.checksum(Array("IEND".utf8)[...]) == 0xAE42_6082, "the CRC every PNG ends with")
    }

    /// Every length around the eight-byte step, at every alignment a slice can start at.
    @Test func eightAtATimeAgreesWithTheDefinition() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 291 - start] {
                let slice = bytes[start..<(start + length)]
                #expect(CRC32.checksum(slice) == reference(slice), "start \(start), length \(length)")
            }
        }
    }
}
