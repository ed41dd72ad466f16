import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import KilnTestSupport

/// One clone of a small project for remote cache tests: a logo, a poster that edits it, and six
/// icons each with a derived size; every paid step goes to OpenAI (the fake). The logo has a size of
/// its own: the fake answers one image per shape, so the logo's is the only image of its bytes.
struct RemoteProject {
    static let manifest = """
        version: 1
        defaults: { provider: openai, model: gpt-image-2-2026-04-21, size: 64x64, quality: low }
        assets:
          logo:
            prompt: "a round logo"
            size: 96x96
            output: brand/logo.png
          poster:
            prompt: "a poster showing the logo"
            images: ["@logo"]
            output: brand/poster.png

        """ + (0..<6).map { i in
            "  icon\(i):\n    prompt: \"icon number \(i)\"\n    output: icons/\(i).png\n"
                + "    derive:\n      - { resize: 16, output: icons/\(i)-16.png }\n"
        }.joined()
    /// Generates and edits.
    static let paidSteps = 8
    /// Every step: the paid ones and the six derives.
    static let allSteps = 14

    let root = TemporaryFolder.make("kiln-remote-project")

    init() throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
        try Data(Self.manifest.utf8).write(to: root.appendingPathComponent("pipelines/p.yaml"))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
    func write(_ path: String, _ text: String) throws { try Data(text.utf8).write(to: root.appendingPathComponent(path)) }
    func read(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) }

    /// Every image under outputs/ (not the manifest or the gallery), by path.
    func images() throws -> [String: Data] {
        let outputs = root.appendingPathComponent("outputs").standardizedFileURL.path
        let items = FileManager.default.enumerator(atPath: outputs)?.allObjects as? [String] ?? []
        var images = [String: Data]()
        for item in items where item.hasSuffix(".png") && !item.hasPrefix("kiln-gallery/") {
            images[item] = try Data(contentsOf: URL(fileURLWithPath: outputs + "/" + item))
        }
        return images
    }

    func kiln(_ arguments: [String], environment: [String: String] = [:]) async throws -> KilnProcess.Result {
        try await KilnProcess.run(arguments, in: root, environment: environment)
    }

    /// Runs `body` with the fake OpenAI server live on loopback and the environment that points
    /// `kiln` at it.
    static func withFakeOpenAI(latency: Duration = .zero, batch: FakeBatchConfiguration = .init(),
                               _ body: @escaping @Sendable (FakeOpenAIServer, [String: String]) async throws -> Void) async throws {
        let key = "sk-test-kiln-remote-0123456789"
        let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: key, latency: latency, batch: batch))
        try await server.makeApplication().test(.live) { client in
            try await body(server, ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"])
        }
    }
}

/// A remote cache for the tests: a folder (`file://`), a path on nginx, or a prefix in moto's bucket.
struct RemoteStore: Sendable {
    let url: String
    /// Where its files are on this machine (nil for S3).
    let folder: URL
    /// What `kiln` needs to reach it (S3 credentials and endpoint).
    var environment: [String: String] = [:]
    /// Where an image lives under `folder`.
    var blobPath: @Sendable (String) -> String = { "blobs/" + $0.prefix(2) + "/" + $0 }

    static func folder() throws -> RemoteStore {
        let folder = TemporaryFolder.make("kiln-remote-store")
        return RemoteStore(url: "file://" + folder.standardizedFileURL.path, folder: folder)
    }

    /// A fresh path on `nginx` (the bazel-remote layout under it).
    static func nginx(_ nginx: NginxServer) -> RemoteStore {
        let path = "kiln-\(UUID().uuidString.prefix(8))"
        return RemoteStore(url: nginx.base(path).absoluteString, folder: nginx.root.appendingPathComponent(path),
                           blobPath: { "cas/" + $0 })
    }

    /// A fresh prefix in moto's bucket.
    static func moto(_ moto: MotoServer) -> RemoteStore {
        let prefix = "kiln-\(UUID().uuidString.prefix(8).lowercased())"
        return RemoteStore(url: "s3://\(MotoServer.bucket)/\(prefix)", folder: URL(fileURLWithPath: "/nonexistent"),
                           environment: moto.environment())
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Whether the store holds nothing at all.
    var isEmpty: Bool {
        let items = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []
        return items.allSatisfy { item in
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.path + "/" + item, isDirectory: &directory) && directory.boolValue
        }
    }

    /// Replaces the bytes of the blob named `sha256` with others (the name stays).
    func damageBlob(_ sha256: String) throws {
        let path = folder.path + "/" + blobPath(sha256)
        chmod(path, 0o644)
        try TestPNG.make(width: 64, height: 64, seed: 77).write(to: URL(fileURLWithPath: path))
    }
}
