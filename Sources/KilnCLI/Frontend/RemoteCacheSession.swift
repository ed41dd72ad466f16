import Foundation
import KilnCache
import KilnCore
import KilnManifest
import KilnRemoteCache

/// The remote cache of one command: where it is (`--remote-cache`, else `$KILN_REMOTE_CACHE`, else
/// the manifests' `cache.remote`), its mode, the signing key (`$KILN_CACHE_SIGNING_KEY`), and the
/// tier that looks it up and uploads to it. Warnings go to stderr, one line each, with secrets
/// redacted by the console.
struct RemoteCacheSession: Sendable {
    let tier: RemoteTier
    let location: RemoteCacheLocation
    private let close: @Sendable () async -> Void

    /// The session the arguments, environment and manifests ask for; nil when none is configured.
    /// Throws `SetupError` (a location Kiln cannot use, two manifests naming different caches, a
    /// signing key that is too short, missing S3 credentials).
    static func open(_ arguments: RemoteCacheArguments, environment: [String: String], manifests: [PipelineManifest],
                     local: ResultCache) throws -> RemoteCacheSession? {
        guard !arguments.noRemoteCache else { return nil }
        let configured = try configuredLocation(arguments, environment: environment, manifests: manifests)
        guard let text = configured else { return nil }
        let location: RemoteCacheLocation
        do {
            location = try RemoteCacheLocation(parsing: text)
        } catch {
            throw SetupError(message: error.description)
        }
        if let refusal = credentialRefusal(location, arguments: arguments, environment: environment, manifests: manifests) {
            throw SetupError(message: refusal)
        }
        var options = RemoteTier.Options()
        let settings = manifests.compactMap(\.cache)
        options.readOnly = arguments.remoteCacheReadOnly || Self.isOn(environment["KILN_REMOTE_CACHE_READ_ONLY"])
            || settings.contains { $0.readOnly == true }
        options.required = arguments.remoteCacheRequired || settings.contains { $0.required == true }
        if let secret = environment["KILN_CACHE_SIGNING_KEY"], !secret.isEmpty {
            guard let key = RemoteActionValue.SigningKey(secret) else {
                throw SetupError(message: "KILN_CACHE_SIGNING_KEY must be at least 16 bytes of secret text (a longer random string is better)")
            }
            options.signing = key
        }
        let backend: any RemoteCacheBackend
        do {
            backend = try RemoteCacheBackends.make(location, environment: environment)
        } catch {
            throw SetupError(message: error.message)
        }
        let close: @Sendable () async -> Void = { try? await backend.shutdown() }
        let tier = RemoteTier(backend: backend, local: local, options: options) { line in
            Console.err("warning: " + line)
        }
        return RemoteCacheSession(tier: tier, location: location, close: close)
    }

    /// The location text, by precedence; two manifests that name different caches are an error.
    static func configuredLocation(_ arguments: RemoteCacheArguments, environment: [String: String],
                                   manifests: [PipelineManifest]) throws -> String? {
        if let flag = arguments.remoteCache { return flag }
        if let text = environment["KILN_REMOTE_CACHE"], !text.trimmingCharacters(in: .whitespaces).isEmpty { return text }
        let named = manifests.compactMap { $0.cache?.remote }
        guard let first = named.first else { return nil }
        if let other = named.first(where: { $0.value != first.value }) {
            let (a, b) = (RemoteCacheLocationError.redacted(other.value), RemoteCacheLocationError.redacted(first.value))
            throw SetupError(message: "\(other.location): cache.remote '\(a)' differs from '\(b)' at \(first.location): "
                + "a project has one remote cache; name it in one manifest (or pass --remote-cache)")
        }
        return first.value
    }

    /// The variable that lists the hosts a manifest-named HTTP cache may receive the environment's
    /// credentials from (`cache.internal,*.example.com`).
    static let credentialHostsVariable = "KILN_REMOTE_CACHE_CREDENTIAL_HOSTS"

    /// Why the environment's HTTP credentials may not go to `location`; nil when they may. A
    /// manifest is project content — a pull request can change it — so a cache it names receives
    /// `KILN_REMOTE_CACHE_TOKEN` or the basic-auth pair only when `KILN_REMOTE_CACHE_CREDENTIAL_HOSTS`
    /// lists its host; a location from `--remote-cache` or `$KILN_REMOTE_CACHE` is the runner's
    /// own choice. (S3 requests carry a signature, never the secret key, and go to the endpoint the
    /// environment names.)
    static func credentialRefusal(_ location: RemoteCacheLocation, arguments: RemoteCacheArguments,
                                  environment: [String: String], manifests: [PipelineManifest]) -> String? {
        guard arguments.remoteCache == nil,
              (environment["KILN_REMOTE_CACHE"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty,
              case let .http(url) = location, let host = url.host?.lowercased() else { return nil }
        let names = ["KILN_REMOTE_CACHE_TOKEN", "KILN_REMOTE_CACHE_USER", "KILN_REMOTE_CACHE_PASSWORD"]
            .filter { !(environment[$0] ?? "").isEmpty }
        guard !names.isEmpty else { return nil }
        let allowed = (environment[credentialHostsVariable] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if allowed.contains(where: { pattern in
            pattern.hasPrefix("*.") ? host.hasSuffix(pattern.dropFirst()) : host == pattern
        }) { return nil }
        let place = manifests.compactMap { $0.cache?.remote }.first.map { "\($0.location): " } ?? ""
        return "\(place)the remote cache at \(host) comes from a manifest, and $\(names.joined(separator: ", $")) "
            + "would be sent to it; a manifest can be changed by a pull request, so Kiln sends credentials only to the "
            + "hosts $\(credentialHostsVariable) lists. If \(host) is your cache: export \(credentialHostsVariable)=\(host) "
            + "(or pass the URL with --remote-cache / $KILN_REMOTE_CACHE)"
    }

    static func isOn(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }

    /// After the build: waits for the uploads (unless `wait` is false), says what the remote cache
    /// did, and closes its connections. Returns the failure that `required` turns into an error.
    /// - Parameter noWait: `--no-wait-upload` (say that uploads were left); nil: nothing was to be
    ///   uploaded (a refusal before the build, `kiln cache verify`).
    func finish(wait: Bool, noWait: Bool = false) async -> String? {
        if wait { await tier.waitForUploads() } else { tier.abandonUploads() }
        let stats = tier.stats
        var line = "remote cache \(location): \(stats.summary)"
        if noWait && !tier.options.readOnly { line += "; uploads not waited for (--no-wait-upload): `kiln cache push` sends what is missing" }
        if tier.options.readOnly { line += " (read-only)" }
        Console.err(line)
        if stats.notUploaded > 0 {
            Console.err("warning: \(stats.notUploaded) answer(s) paid for are in the local cache only, not in \(location): "
                + "run `kiln cache push` before this machine's cache is thrown away")
        }
        await close()
        return tier.options.required ? tier.failure : nil
    }
}
