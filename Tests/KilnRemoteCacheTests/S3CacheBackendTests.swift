import Foundation
import KilnTestSupport
import KilnCache
import KilnCore
import KilnRemoteCache
import Testing

/// The S3 backend against moto on loopback with signatures checked (`MotoServer`), one for the suite.
@Suite(.enabled(if: Servers.moto || Servers.required, "needs moto: python3 -m pip install 'moto[server]' boto3"),
       MotoServer.scope)
struct S3CacheBackendTests {
    var server: MotoServer {
        get throws { try #require(MotoServer.current, "the suite's moto did not start") }
    }

    /// Runs `body` with a backend for `s3://<bucket>/<prefix>` on the suite's moto, shut down afterwards.
    func withBackend<T: Sendable>(bucket: String = MotoServer.bucket, prefix: String = "team/kiln",
                                  environment: [String: String]? = nil,
                                  _ body: (any RemoteCacheBackend) async throws -> T) async throws -> T {
        try await RemoteCacheBackends.withBackend(.s3(bucket: bucket, prefix: prefix),
                                                  environment: environment ?? server.environment(), body)
    }

    @Test func valuesRoundTripAndMissesAreNil() async throws {
        try await withBackend { try await BackendChecks.roundTrips($0) }
    }

    @Test func largeValuesStreamThroughFiles() async throws {
        _ = try await withBackend { try await BackendChecks.filesRoundTrip($0) }
    }

    @Test func aMismatchedBlobIsNeverSent() async throws {
        _ = try await withBackend { try await BackendChecks.refusesMismatchedBlobs($0) }
    }

    @Test func manyTransfersAtOnce() async throws {
        try await withBackend { try await BackendChecks.manyAtOnce($0) }
    }

    /// Another S3 client (the AWS CLI) sees what Kiln wrote, under `<prefix>/cas/<sha256>` and
    /// `<prefix>/ac/<key>`, and at the bucket's root as `cas/…` and `ac/…` (no leading slash).
    @Test(.enabled(if: Servers.awsCLI || Servers.required, "needs the AWS CLI: python3 -m pip install awscli"))
    func theAWSCLIListsWhatKilnWrote() async throws {
        try Servers.need(Servers.awsCLI, "the AWS CLI (python3 -m pip install awscli)")
        let blob = BackendChecks.randomBytes(100)
        let digest = Digest.sha256(blob)
        let key = BackendChecks.newKey()
        for (bucket, prefix) in [(MotoServer.bucket, "kiln/v1"), (MotoServer.rootBucket, "")] {
            try await withBackend(bucket: bucket, prefix: prefix) { backend in
                try await backend.put(blob, at: .blob(sha256: digest))
                try await backend.put(Data("entry".utf8), at: .action(key: key))
            }
            let keys = try await server.listKeys(bucket: bucket)
            let base = prefix.isEmpty ? "" : prefix + "/"
            #expect(keys.contains(base + "cas/" + digest) && keys.contains(base + "ac/" + key), "\(keys)")
            #expect(!keys.contains { $0.hasPrefix("/") || $0.contains("//") }, "\(keys)")
        }
    }

    /// A wrong secret signs wrongly: moto answers 403 SignatureDoesNotMatch, which is `.refused`,
    /// and no message holds either secret.
    @Test func aWrongSecretIsRefusedAndNeverEchoed() async throws {
        let server = try server
        let wrong = "wrong-secret-value-0123456789abcdefghij"
        let data = Data("signed".utf8)
        let address = CacheAddress.blob(sha256: Digest.sha256(data))
        try await withBackend(environment: server.environment(secret: wrong)) { backend in
            for error in await BackendChecks.failures(backend, data) {
                #expect(error?.kind == .refused)
                let message = error?.description ?? ""
                #expect(message.contains("HTTP 403") && message.contains("AWS_SECRET_ACCESS_KEY"), "\(message)")
                #expect(!message.contains(wrong) && !message.contains(server.secretAccessKey), "\(message)")
            }
            let error = await #expect(throws: RemoteStoreError.self) { _ = try await backend.get(address) }
            #expect(error?.description.contains("SignatureDoesNotMatch") == true, "\(String(describing: error))")
        }
    }

    /// A bucket that does not exist is a refusal that says so, not a miss on every read.
    @Test func aMissingBucketIsRefusedNotAMiss() async throws {
        try await withBackend(bucket: "kiln-no-such-bucket") { backend in
            let error = await #expect(throws: RemoteStoreError.self) {
                _ = try await backend.get(.action(key: BackendChecks.newKey()))
            }
            #expect(error?.kind == .refused)
            #expect(error?.description.contains("NoSuchBucket") == true, "\(String(describing: error))")
        }
    }
}
