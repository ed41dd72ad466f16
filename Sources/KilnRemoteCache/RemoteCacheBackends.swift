import Foundation
import KilnCache
import KilnCore
import Logging

/// A backend that holds connections: shut it down once, after its last call.
public protocol RemoteBackendLifecycle: Sendable {
    /// Closes the backend's connections. Later calls do nothing; a call to the backend after it fails
    /// (`RemoteStoreError(.unavailable)`).
    func shutdown() async throws
}

/// A remote cache backend: the `CacheBackend` calls, and `shutdown()` when done.
public typealias RemoteCacheBackend = CacheBackend & RemoteBackendLifecycle

/// Makes the backend a remote cache location names.
public enum RemoteCacheBackends {
    /// The backend for `location`, configured from `environment` (pass the process environment):
    /// - `http(s)://…`: the bazel-remote layout (`<base>/cas/<sha256>`, `<base>/ac/<key>`), with
    ///   `KILN_REMOTE_CACHE_TOKEN` (bearer) or `KILN_REMOTE_CACHE_USER` and
    ///   `KILN_REMOTE_CACHE_PASSWORD` (basic auth) when the cache wants credentials;
    /// - `s3://bucket/prefix`: S3 or a compatible store, with `AWS_ACCESS_KEY_ID`,
    ///   `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`/`AWS_DEFAULT_REGION`,
    ///   `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL` and `KILN_S3_ADDRESSING=path|virtual`;
    /// - `file:///path`: a folder every machine mounts, laid out as the local cache is.
    ///
    /// Nothing is sent until the first call. The backend owns an HTTP client: call `shutdown()` on it
    /// once when done (or use `withBackend`).
    ///
    /// A call's failure is a `RemoteStoreError` naming the store and the address (never a
    /// credential): `.unavailable` for no connection, a timeout, a 5xx or 429; `.refused` for 401/403
    /// and the like; `.invalid` for an answer it cannot use. A miss is `nil`/`false`. An invalid
    /// address, or a blob whose bytes do not have its digest, is refused with `CacheKeyError` before
    /// anything is sent.
    /// - Throws: `RemoteCacheConfigurationError` when the environment lacks what the location needs
    ///   (S3 credentials) or holds something unusable; its message names the variables to set.
    public static func make(_ location: RemoteCacheLocation, environment: [String: String],
                            settings: RemoteTransferSettings = RemoteTransferSettings(),
                            logger: Logger = Logger(label: "kiln.remote-cache")) throws(RemoteCacheConfigurationError)
        -> any RemoteCacheBackend {
        let layout: any RemoteLayout
        switch location {
        case let .http(url):
            layout = try HTTPCacheLayout(base: url, environment: environment)
        case let .s3(bucket, prefix):
            layout = S3CacheLayout(configuration: try S3Configuration(bucket: bucket, prefix: prefix, environment: environment))
        case let .folder(url):
            do {
                return try RemoteCacheFolder.open(url)
            } catch {
                throw RemoteCacheConfigurationError("remote cache \(location): the folder cannot be made: \(SystemErrorText.describe(error))")
            }
        }
        return RemoteStore(layout: layout, settings: settings, logger: logger)
    }

    /// Runs `body` with the backend for `location` and shuts it down afterwards, whether `body`
    /// throws or not.
    public static func withBackend<T: Sendable>(
        _ location: RemoteCacheLocation, environment: [String: String],
        settings: RemoteTransferSettings = RemoteTransferSettings(),
        logger: Logger = Logger(label: "kiln.remote-cache"),
        _ body: (any RemoteCacheBackend) async throws -> T
    ) async throws -> T {
        let backend = try make(location, environment: environment, settings: settings, logger: logger)
        do {
            let result = try await body(backend)
            try await backend.shutdown()
            return result
        } catch {
            try? await backend.shutdown()
            throw error
        }
    }
}
