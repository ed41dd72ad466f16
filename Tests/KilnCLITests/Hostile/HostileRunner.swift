import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import KilnImaging
import Testing

/// Runs a `HostileCase`: lays out its project, starts the fake OpenAI server, runs
/// `kiln validate` and `kiln build` with a key set, and checks everything the case promises.
enum HostileRunner {
    static let apiKey = "sk-test-hostile-SENTINEL-7f3a9c1e5b2d4068"

    static func run(_ hostile: HostileCase) async throws {
        let project = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: project) }
        try await lay(hostile, in: project)
        let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: apiKey))
        try await server.makeApplication().test(.live) { client in
            var environment = hostile.environment
            environment["OPENAI_API_KEY"] = apiKey
            environment["OPENAI_BASE_URL"] = hostile.environment["OPENAI_BASE_URL"] ?? "http://127.0.0.1:\(client.port ?? 0)/v1"
            // A case that only warns is valid: building it would rightly pay; validate is enough.
            let validateStatus = hostile.validateStatus ?? hostile.status
            let validate = try await KilnProcess.run(["validate"], in: project, environment: environment)
            check(validate, status: validateStatus, hostile, command: "validate", expectMessage: validateStatus != 0 || hostile.status == 0)
            var outputs = validate.stdout + validate.stderr
            if hostile.status != 0 {
                let build = try await KilnProcess.run(["build"] + hostile.buildArguments, in: project, environment: environment)
                check(build, status: hostile.status, hostile, command: "build", expectMessage: true)
                outputs += build.stdout + build.stderr
            }
            #expect(await server.state.requestCount == 0, "\(hostile.name): a request reached the provider")
            let written = filesUnder(project.appendingPathComponent("outputs")).filter { !isCaseInput($0, hostile, project) }
            #expect(written.isEmpty, "\(hostile.name): files were written under outputs/: \(written)")
            for secret in hostile.secrets + [apiKey] {
                #expect(!outputs.contains(secret), "\(hostile.name): a secret value appears in kiln's output")
                let leaked = filesUnder(project).filter { url in
                    !isCaseInput(url, hostile, project) && (try? Data(contentsOf: url))?.range(of: Data(secret.utf8)) != nil
                }
                #expect(leaked.isEmpty, "\(hostile.name): a secret value is in \(leaked.map(\.lastPathComponent))")
            }
        }
    }

    /// A case may itself put a secret into an input file it lays out (never Kiln's doing).
    static func isCaseInput(_ url: URL, _ hostile: HostileCase, _ project: URL) -> Bool {
        (Array(hostile.items.keys) + ["pipelines/m.yaml"]).contains { project.appendingPathComponent($0).standardizedFileURL.path == url.standardizedFileURL.path }
    }

    static func check(_ result: KilnProcess.Result, status: Int32, _ hostile: HostileCase, command: String, expectMessage: Bool) {
        let output = result.stderr + result.stdout
        #expect(result.status == status, "\(hostile.name): kiln \(command) exited \(result.status), expected \(status)\n\(output)")
        #expect(!output.contains("NSCocoaErrorDomain") && !output.contains("Foundation."), "\(hostile.name): a raw Foundation error")
        #expect(!result.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" },
                "\(hostile.name): raw control characters on stderr")
        guard expectMessage else { return }
        #expect(result.stderr.contains(hostile.message), "\(hostile.name): kiln \(command) does not say “\(hostile.message)”:\n\(output)")
        if let location = hostile.location {
            #expect(result.stderr.contains("pipelines/" + location + ":"),
                    "\(hostile.name): kiln \(command) does not point at pipelines/\(location):\n\(output)")
        }
    }

    /// Regular files below `dir` (none when it does not exist or is not a folder).
    static func filesUnder(_ dir: URL) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
        var found = [URL]()
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey],
                                                        options: [], errorHandler: { _, _ in true })
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { found.append(url) }
        }
        return found
    }

    static func lay(_ hostile: HostileCase, in project: URL) async throws {
        let fm = FileManager.default
        try fm.createDirectory(at: project.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
        try (hostile.manifestBytes ?? Data(hostile.manifest.utf8)).write(to: project.appendingPathComponent("pipelines/m.yaml"))
        for (path, item) in hostile.items.sorted(by: { $0.key < $1.key }) {
            let url = project.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            switch item {
            case let .bytes(data): try data.write(to: url)
            case let .text(text): try Data(text.utf8).write(to: url)
            case let .image(image): try await TestImages.shared.data(image).write(to: url)
            case .folder: try fm.createDirectory(at: url, withIntermediateDirectories: true)
            case let .symlink(target): try fm.createSymbolicLink(atPath: url.path, withDestinationPath: target)
            }
        }
    }
}

/// The test images, made once per test process.
actor TestImages {
    static let shared = TestImages()
    private var made: [TestImage: Data] = [:]

    func data(_ image: TestImage) async throws -> Data {
        if let data = made[image] { return data }
        let data = try await make(image)
        made[image] = data
        return data
    }

    /// PNG's CRC-32 (computed here, not with Kiln's own, so a test cannot agree with a bug).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        let table: [UInt32] = (0..<256).map { n in (0..<8).reduce(UInt32(n)) { c, _ in c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 } }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// A minimal RGBA PNG with the given image data, checksums computed.
    static func png(width: Int, height: Int, data: [UInt8]) -> [UInt8] {
        func be(_ n: Int) -> [UInt8] { [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return be(body.count) + typed + be(Int(crc32(typed)))
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be(width) + be(height) + [8, 6, 0, 0, 0])
            + chunk("IDAT", data) + chunk("IEND", [])
    }

    private func make(_ image: TestImage) async throws -> Data {
        try VipsToolkit.initialize()
        let inputs = KilnProcess.repositoryRoot.appendingPathComponent("pipelines/inputs")
        let product = try Data(contentsOf: inputs.appendingPathComponent("product.png"))
        let mask = try Data(contentsOf: inputs.appendingPathComponent("hero-mask.png"))
        let toolkit = VipsToolkit()
        switch image {
        case .product: return product
        case .mask: return mask
        case .maskWithoutAlpha:
            return try await toolkit.derive(mask, DeriveOperations(background: .white, format: .png, strip: true))
        case .maskJPEG: return try await toolkit.derive(mask, DeriveOperations(background: .white, format: .jpeg, strip: true))
        case .smallMask:
            return try await toolkit.derive(mask, DeriveOperations(resize: ResizeSpec(width: 512, height: 512), format: .png, strip: true))
        case .truncatedPNG: return product.prefix(product.count / 2)
        case .corruptPNG:
            var bytes = [UInt8](product)
            bytes[bytes.count / 2] ^= 0x5A
            return Data(bytes)
        case .truncatedJPEG:
            let jpeg = try await toolkit.derive(product, DeriveOperations(background: .white, format: .jpeg, strip: true))
            return jpeg.prefix(jpeg.count * 2 / 3)
        case .truncatedWebP:
            let webp = try await toolkit.derive(product, DeriveOperations(format: .webp, strip: true))
            return webp.prefix(webp.count * 2 / 3)
        case .gif: return Data("GIF89a".utf8) + Data(repeating: 7, count: 200)
        case .notZlibPNG: return Data(Self.png(width: 64, height: 64, data: Array("notzlibdata".utf8)))
        case .hugeDimensionsPNG: return Data(Self.png(width: 100_000, height: 100_000, data: [0x78, 0x9C, 3, 0]))
        case .hugeMask:
            let body = [UInt8]("tEXtComment".utf8) + [0] + [UInt8](repeating: 0x61, count: 4_400_000)
            let crc = Self.crc32(body)
            let length = UInt32(body.count - 4)
            let chunk = withUnsafeBytes(of: length.bigEndian, Array.init) + body + withUnsafeBytes(of: crc.bigEndian, Array.init)
            return mask.prefix(mask.count - 12) + Data(chunk) + mask.suffix(12)   // before IEND
        }
    }
}
