import Foundation
import KilnCore
import KilnImaging
import KilnTestSupport
import Testing

/// What `kiln adopt` refuses: each case exits 2 with the reason, and the project — the cache,
/// kiln.lock, outputs/, the stat cache — is left byte for byte as it was.
@Suite struct AdoptRefusalTests {
    /// A PNG whose chunks and checksums are whole but whose compressed data is not: only a decode
    /// finds it (the stored block's length and its complement disagree).
    static func damagedPixels(_ png: Data) -> Data {
        var bytes = [UInt8](png)
        let idat = bytes.indices.first { bytes[$0..<min($0 + 4, bytes.count)].elementsEqual(Array("IDAT".utf8)) }!
        let length = bytes[(idat - 4)..<idat].reduce(0) { $0 << 8 | Int($1) }
        bytes[idat + 4 + 5] ^= 0xFF   // after the zlib header, block type and LEN: NLEN's low byte
        let crc = CRC32.checksum(bytes[idat..<(idat + 4 + length)])
        for i in 0..<4 { bytes[idat + 4 + length + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * i)) }
        return Data(bytes)
    }

    /// Each bad file, written where adopt looks for the logo, and what the refusal must say.
    static let badFiles: [(name: String, file: @Sendable (AdoptProject) async throws -> Data?, says: String)] = [
        ("not an image", { _ in Data("hello, not a picture\n".utf8) }, "the file is text, not an image"),
        ("a truncated PNG", { $0.logo.dropLast(40) }, "the file is truncated or damaged"),
        ("damaged pixel data", { damagedPixels($0.logo) }, "the file does not decode"),
        ("the wrong size", { _ in TestPNG.make(width: 32, height: 32, alpha: true) }, "it is 32x32 but the step asks for 64x64"),
        ("the wrong format", { try await VipsToolkit().encode($0.logo, as: .webp) }, "it is a webp image but the step makes png"),
        ("no alpha for a transparent step", { _ in TestPNG.make(width: 64, height: 64) }, "it has no alpha channel"),
        ("no file at all", { _ in nil }, "outputs/brand/logo.png (brand/logo/main): no such file"),
    ]

    @Test(arguments: badFiles.indices)
    func aBadFileIsRefusedAndNothingChanges(_ i: Int) async throws {
        let (name, file, says) = Self.badFiles[i]
        let project = try AdoptProject()
        defer { project.remove() }
        // Something to keep: the badge adopted before, so the cache, kiln.lock and outputs/ exist.
        try project.write(project.badge, to: "outputs/brand/badge.png")
        #expect(try await project.kiln(["adopt", "brand/badge"]).status == 0)
        if let data = try await file(project) { try project.write(data, to: "outputs/brand/logo.png") }
        let before = try project.snapshot()

        let adopt = try await project.kiln(["adopt", "brand/logo"])
        #expect(adopt.status == 2, "\(name): \(adopt.stderr)")
        #expect(adopt.stderr.contains("error: outputs/brand/logo.png (brand/logo/main): "), "\(name): \(adopt.stderr)")
        #expect(adopt.stderr.contains(says), "\(name): \(adopt.stderr)")
        #expect(adopt.stderr.contains("nothing was adopted"), "\(name): \(adopt.stderr)")
        #expect(adopt.stdout.isEmpty, "\(name): \(adopt.stdout)")
        #expect(try project.snapshot() == before, "\(name): a refused adoption changed files")
    }

    @Test(arguments: [
        (["adopt", "brand/lgo"], "no step matches target 'brand/lgo' (did you mean 'brand/logo'?)"),
        (["adopt", "brand/logo/derive"], "'brand/logo/derive' names only derive steps (brand/logo/derive)"),
        (["adopt"], "error: name what to adopt"),
        (["adopt", "brand/logo", "--from", "no-such-folder"], "--from 'no-such-folder' is not a folder"),
    ])
    func aTargetWithNothingToAdoptIsRefusedAndNothingChanges(_ arguments: [String], _ says: String) async throws {
        let project = try AdoptProject()
        defer { project.remove() }
        try project.write(project.logo, to: "outputs/brand/logo.png")
        let before = try project.snapshot()
        let adopt = try await project.kiln(arguments)
        #expect(adopt.status == 2, "\(adopt.stderr)")
        #expect(adopt.stderr.contains(says), "\(adopt.stderr)")
        #expect(try project.snapshot() == before)
    }

    @Test func aDeriveTargetIsToldWhichStepToNameInstead() async throws {
        let project = try AdoptProject()
        defer { project.remove() }
        let adopt = try await project.kiln(["adopt", "brand/logo/derive"])
        #expect(adopt.stderr.contains("name brand/logo/main instead"), "\(adopt.stderr)")
    }

    /// All or nothing across targets: the badge is good, the logo is not; neither is recorded.
    @Test func oneBadFileAmongTwoTargetsRecordsNeither() async throws {
        let project = try AdoptProject()
        defer { project.remove() }
        try project.write(project.badge, to: "outputs/brand/badge.png")
        try project.write(TestPNG.make(width: 64, height: 48, alpha: true), to: "outputs/brand/logo.png")
        let before = try project.snapshot()
        let adopt = try await project.kiln(["adopt", "brand/badge", "brand/logo"])
        #expect(adopt.status == 2, "\(adopt.stderr)")
        #expect(adopt.stderr.contains("it is 64x48 but the step asks for 64x64"), "\(adopt.stderr)")
        #expect(!adopt.stderr.contains("brand/badge/main"), "the good file was reported as a problem")
        #expect(try project.snapshot() == before)
        #expect(!project.exists(".kiln/cache") && !project.exists("kiln.lock"))
    }
}
