import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing

/// An upload's head is exactly 1 KiB (nginx's first read), so nginx writes its body at block-aligned
/// offsets (see `HeadPadding`), whatever the store's address, authorization and signing add to it;
/// a small body, a HEAD and a head already too long go as they are. Read off the bytes a loopback
/// server received (`misbehaving_server.py record:`).
@Suite(.enabled(if: Servers.python || Servers.required, "needs python3"))
struct HeadPaddingTests {
    /// One request as the server saw it.
    struct Received {
        var method: String
        var path: String
        var headBytes: Int
        var bodyBytes: Int
        var headers: [String]
        var isPadded: Bool { headers.contains("X-Kiln-Pad") }
    }

    /// Runs `body` with a backend for `location` on a recording server at `path`, then returns the
    /// requests it received.
    func received(path: String = "/cache", environment: [String: String] = [:],
                  location: (URL) -> RemoteCacheLocation = { .http($0) },
                  _ body: @escaping @Sendable (any RemoteCacheBackend) async throws -> Void) async throws -> [Received] {
        let folder = TemporaryFolder.make("kiln-head-padding")
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("requests.log")
        try await MisbehavingServer.with("record:\(log.path)", path: path) { base in
            var environment = environment
            if environment["AWS_ENDPOINT_URL"] == "" {
                environment["AWS_ENDPOINT_URL"] = "http://\(base.host!):\(base.port!)"
            }
            try await RemoteCacheBackends.withBackend(location(base), environment: environment, body)
        }
        return try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            return Received(method: fields[0], path: fields[1], headBytes: Int(fields[2])!, bodyBytes: Int(fields[3])!,
                            headers: fields[4].split(separator: ",").map(String.init))
        }
    }

    /// An image from a file, a 10 KB blob from memory, a 300-byte record, and a HEAD.
    static func sendEach(_ backend: any RemoteCacheBackend) async throws {
        let folder = TemporaryFolder.make("kiln-head-padding-source")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = BackendChecks.randomBytes(1_800_000)
        let file = folder.appendingPathComponent("image")
        try image.write(to: file)
        try await backend.upload(file, range: nil, to: .blob(sha256: Digest.sha256(image)))
        let small = BackendChecks.randomBytes(10_000)
        try await backend.put(small, at: .blob(sha256: Digest.sha256(small)))
        try await backend.put(BackendChecks.randomBytes(300), at: .action(key: BackendChecks.newKey()))
        #expect(try await backend.contains(.action(key: BackendChecks.newKey())) == false)
    }

    /// What `sendEach` must have sent: both blobs with a 1 KiB head, the record and the HEAD without padding.
    static func checkEach(_ requests: [Received], paddedBlobs: Bool = true) {
        let puts = requests.filter { $0.method == "PUT" }
        #expect(requests.count == 4 && puts.count == 3, "\(requests)")
        for blob in puts where blob.bodyBytes >= 4096 {
            #expect(blob.isPadded == paddedBlobs, "\(blob)")
            if paddedBlobs { #expect(blob.headBytes == 1024, "\(blob)") }
        }
        #expect(Set(puts.map(\.bodyBytes)) == [1_800_000, 10_000, 300])
        for plain in requests where plain.method != "PUT" || plain.bodyBytes < 4096 {
            #expect(!plain.isPadded, "\(plain)")
            if paddedBlobs { #expect(plain.headBytes < 1024, "\(plain)") }
        }
    }

    @Test func anHTTPStoresUploadsHaveOneKiBHeads() async throws {
        Self.checkEach(try await received { try await Self.sendEach($0) })
    }

    /// A base path with an escaped space and a bearer token: both are in the head that is measured.
    @Test func anEscapedPathAndATokenAreCounted() async throws {
        let requests = try await received(path: "/team%20cache/kiln", environment: ["KILN_REMOTE_CACHE_TOKEN": String(repeating: "t", count: 200)]) {
            try await Self.sendEach($0)
        }
        Self.checkEach(requests)
        #expect(requests.allSatisfy { $0.path.hasPrefix("/team%20cache/kiln/") && $0.headers.contains("Authorization") }, "\(requests)")
    }

    /// S3's signed headers count like any other; the padding is not signed, and a head that temporary
    /// credentials make longer than 1 KiB goes unpadded.
    @Test func s3HeadsArePaddedUnlessAlreadyLonger() async throws {
        let credentials = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
                           "AWS_ENDPOINT_URL": "", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
        let s3: (URL) -> RemoteCacheLocation = { _ in .s3(bucket: "kiln", prefix: "team") }
        let signed = try await received(environment: credentials, location: s3) { try await Self.sendEach($0) }
        Self.checkEach(signed)
        #expect(signed.allSatisfy { $0.headers.contains("Authorization") && $0.path.hasPrefix("/kiln/team/") }, "\(signed)")

        var temporary = credentials
        temporary["AWS_SESSION_TOKEN"] = String(repeating: "T", count: 900)
        let long = try await received(environment: temporary, location: s3) { try await Self.sendEach($0) }
        Self.checkEach(long, paddedBlobs: false)
        #expect(long.allSatisfy { $0.headers.contains("X-Amz-Security-Token") || $0.headers.contains("x-amz-security-token") }, "\(long)")
        #expect(long.filter { $0.method == "PUT" && $0.bodyBytes >= 4096 }.allSatisfy { $0.headBytes > 1024 }, "\(long)")
    }
}
