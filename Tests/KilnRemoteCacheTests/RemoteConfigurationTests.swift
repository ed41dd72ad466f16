import Foundation
import KilnTestSupport
import KilnCache
@testable import KilnRemoteCache
import Testing

/// What the environment sets for each kind of store, read as the AWS tools (and Kiln's own
/// variables) define it, with errors that name what to set and never echo a secret.
@Suite struct RemoteConfigurationTests {
    static let keys = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "very-secret-key-value"]

    func s3(_ extra: [String: String] = [:], bucket: String = "team-cache", prefix: String = "kiln") throws -> S3Configuration {
        try S3Configuration(bucket: bucket, prefix: prefix, environment: Self.keys.merging(extra) { $1 })
    }

    @Test func regionComesFromAWSRegionThenTheDefaultThenUSEast1() throws {
        #expect(try s3().region == "us-east-1")
        #expect(try s3(["AWS_DEFAULT_REGION": "eu-west-1"]).region == "eu-west-1")
        #expect(try s3(["AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "ap-south-1"]).region == "ap-south-1")
        #expect(try s3(["AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-west-1"]).region == "eu-west-1", "empty is unset")
        #expect(throws: RemoteCacheConfigurationError.self) { try s3(["AWS_REGION": "eu-west-1.evil.com/"]) }
    }

    @Test func endpointComesFromTheS3VariableThenTheGeneralOne() throws {
        #expect(try s3().endpoint == nil)
        #expect(try s3(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000"]).endpoint?.absoluteString == "http://127.0.0.1:9000")
        let both = try s3(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3": "https://minio.internal/"])
        #expect(both.endpoint?.absoluteString == "https://minio.internal")
        let ignored = try s3(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"])
        #expect(ignored.endpoint == nil)
        let error = #expect(throws: RemoteCacheConfigurationError.self) { try s3(["AWS_ENDPOINT_URL": "ftp://x"]) }
        #expect(error?.description.contains("AWS_ENDPOINT_URL") == true)
    }

    @Test func addressingIsVirtualOnAWSAndPathElsewhere() throws {
        let aws = try s3()
        #expect(aws.addressing == .virtual)
        #expect(aws.objectURL("kiln/cas/ab").absoluteString == "https://team-cache.s3.us-east-1.amazonaws.com/kiln/cas/ab")
        let dotted = try s3(["AWS_REGION": "eu-west-1"], bucket: "cache.example.com")
        #expect(dotted.addressing == .path, "a dotted bucket fails the wildcard certificate")
        #expect(dotted.objectURL("ac/k").absoluteString == "https://s3.eu-west-1.amazonaws.com/cache.example.com/ac/k")
        let custom = try s3(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000"])
        #expect(custom.objectURL("cas/ab").absoluteString == "http://127.0.0.1:9000/team-cache/cas/ab")
        let forced = try s3(["AWS_ENDPOINT_URL": "https://r2.example.com", "KILN_S3_ADDRESSING": "virtual"])
        #expect(forced.objectURL("cas/ab").absoluteString == "https://team-cache.r2.example.com/cas/ab")
        #expect(try s3(["KILN_S3_ADDRESSING": "path"]).objectURL("x").absoluteString
            == "https://s3.us-east-1.amazonaws.com/team-cache/x")
        let error = #expect(throws: RemoteCacheConfigurationError.self) { try s3(["KILN_S3_ADDRESSING": "sideways"]) }
        #expect(error?.description.contains("path") == true && error?.description.contains("virtual") == true)
    }

    @Test func keysHaveNoLeadingSlashWithoutAPrefix() throws {
        let digest = String(repeating: "ab", count: 32)
        let rooted = S3CacheLayout(configuration: try s3(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000"], prefix: ""))
        #expect(rooted.key(.blob(sha256: digest)) == "cas/\(digest)")
        #expect(rooted.request(.GET, .blob(sha256: digest), payloadSHA256: RemoteStore.emptySHA256).url
            == "http://127.0.0.1:9000/team-cache/cas/\(digest)")
        let prefixed = S3CacheLayout(configuration: try s3(prefix: "/team/kiln/"))
        #expect(prefixed.key(.action(key: "0123456789abcdef")) == "team/kiln/ac/0123456789abcdef")
        #expect(prefixed.name == "s3://team-cache/team/kiln")
    }

    @Test func missingCredentialsNameTheVariablesToSet() {
        let none = #expect(throws: RemoteCacheConfigurationError.self) {
            try S3Configuration(bucket: "b-1", prefix: "", environment: [:])
        }
        #expect(none?.description.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") == true)
        let half = #expect(throws: RemoteCacheConfigurationError.self) {
            try S3Configuration(bucket: "b-1", prefix: "", environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
                                                                          "AWS_SECRET_ACCESS_KEY": ""])
        }
        #expect(half?.description.contains("set AWS_SECRET_ACCESS_KEY") == true)
        #expect(half?.description.contains("AWS_ACCESS_KEY_ID and") == false)
    }

    @Test func printedConfigurationsHoldNoSecret() throws {
        let configuration = try s3(["AWS_SESSION_TOKEN": "session-token-value"])
        for text in [String(describing: configuration), "\(configuration.credentials)", String(reflecting: configuration.credentials)] {
            #expect(!text.contains("very-secret-key-value") && !text.contains("session-token-value"), "\(text)")
        }
        let layout = S3CacheLayout(configuration: configuration)
        #expect(layout.secrets.contains("very-secret-key-value") && layout.secrets.contains("session-token-value"))
    }

    @Test func httpCredentialsComeFromTheEnvironment() throws {
        let base = URL(string: "http://127.0.0.1:8080/kiln/")!
        #expect(try HTTPCacheLayout(base: base, environment: [:]).authorization == nil)
        #expect(try HTTPCacheLayout(base: base, environment: [:]).name == "http://127.0.0.1:8080/kiln")
        let bearer = try HTTPCacheLayout(base: base, environment: ["KILN_REMOTE_CACHE_TOKEN": "tok-123"])
        #expect(bearer.authorization?.header == "Bearer tok-123")
        let request = bearer.request(.PUT, .action(key: "0123456789abcdef"), payloadSHA256: RemoteStore.emptySHA256)
        #expect(request.url == "http://127.0.0.1:8080/kiln/ac/0123456789abcdef")
        #expect(request.headers["Authorization"] == ["Bearer tok-123"])
        #expect(!request.label.contains("tok-123") && !"\(bearer.authorization!)".contains("tok-123"))
        let basic = try HTTPCacheLayout(base: base, environment: ["KILN_REMOTE_CACHE_USER": "kiln",
                                                                  "KILN_REMOTE_CACHE_PASSWORD": "pw"])
        #expect(basic.authorization?.header == "Basic " + Data("kiln:pw".utf8).base64EncodedString())
        for environment in [["KILN_REMOTE_CACHE_TOKEN": "t", "KILN_REMOTE_CACHE_USER": "u", "KILN_REMOTE_CACHE_PASSWORD": "p"],
                            ["KILN_REMOTE_CACHE_USER": "u"], ["KILN_REMOTE_CACHE_PASSWORD": "p-secret"],
                            ["KILN_REMOTE_CACHE_TOKEN": "tok\r\nX-Evil: 1"]] {
            let error = #expect(throws: RemoteCacheConfigurationError.self) { try HTTPCacheLayout(base: base, environment: environment) }
            #expect(error?.description.contains("KILN_REMOTE_CACHE_") == true)
            #expect(error?.description.contains("p-secret") == false && error?.description.contains("X-Evil") == false)
        }
    }
}
