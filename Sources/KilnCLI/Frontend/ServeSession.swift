import Foundation
import KilnCache
import KilnCore
import KilnImaging
import KilnOpenAI
import KilnPlaceholder
import KilnServe
import KilnServeRecords
import Logging

/// `kiln serve`: reads the configuration, makes the provider (OpenAI with the key from the
/// environment or `api_key_file`, or the placeholder), libvips, the cache and its remote tier,
/// prints the URL on stdout's first line, and serves until SIGTERM/SIGINT.
struct ServeSession {
    var arguments: ServeArguments
    var remote: RemoteCacheArguments
    var environment = ProcessInfo.processInfo.environment

    func run() async -> ExitStatus {
        do {
            return try await serve()
        } catch let error as ServeConfigError {
            Console.report(error.diagnostics)
            return .invalid
        } catch {
            Console.err("error: \(error)")
            return .invalid
        }
    }

    /// The configuration file's values with the flags over them.
    func configuration() throws -> ServeConfig {
        var config = ServeConfig()
        if let path = arguments.config {
            config = try ServeConfigLoader.load(path: path)
        } else if FileManager.default.fileExists(atPath: "serve.yaml") {
            config = try ServeConfigLoader.load(path: "serve.yaml")
        }
        if let host = arguments.host { config.host = host }
        if let port = arguments.port { config.port = port }
        if let provider = arguments.provider { config.provider = provider }
        if let base = arguments.baseURL {
            if let problem = BaseURLRule.problem(base) {
                throw SetupError(message: "--base-url must be an http:// or https:// URL like https://api.openai.com/v1, but it \(problem)")
            }
            config.baseURL = base
        }
        return config
    }

    /// The environment OpenAI is reached with: the key from `api_key_file` when there is one, the
    /// configuration's `base_url`. The server's provider and its builds (`/api/builds`) both use it.
    func providerEnvironment(_ config: ServeConfig) throws -> [String: String] {
        var env = environment
        if let file = config.apiKeyFile {
            guard let data = FileManager.default.contents(atPath: file),
                  let key = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty else {
                throw SetupError(message: "api_key_file \(file) cannot be read or is empty")
            }
            env["OPENAI_API_KEY"] = key
        }
        if let base = config.baseURL { env["OPENAI_BASE_URL"] = base }
        return env
    }

    /// The provider the configuration names. OpenAI's key is read here and goes only into the
    /// client's Authorization header.
    func provider(_ config: ServeConfig, logger: Logger) throws -> any ImageProvider {
        guard config.provider == ProviderNames.openai else { return PlaceholderProvider() }
        let configuration = OpenAIConfiguration(environment: try providerEnvironment(config), kilnVersion: Kiln.version)
        if let problem = BaseURLRule.problem(configuration.baseURL) {
            throw SetupError(message: "OPENAI_BASE_URL must be an http:// or https:// URL like https://api.openai.com/v1, but it \(problem)")
        }
        guard configuration.apiKey?.isEmpty == false else {
            throw SetupError(message: "the openai provider needs a key: export OPENAI_API_KEY=…, set api_key_file in the configuration, or use --provider placeholder")
        }
        return OpenAIProvider(configuration: configuration, logger: logger)
    }

    func serve() async throws -> ExitStatus {
        let config = try configuration()
        var logger = Logger(label: "kiln.serve") { ConsoleLogHandler(label: $0) }
        logger.logLevel = arguments.verbose ? .info : .warning
        try VipsToolkit.initialize()
        let provider = try provider(config, logger: logger)
        var cache = ResultCache(directory: config.resolvedCacheDirectory)
        var remoteArguments = remote
        if remoteArguments.remoteCache == nil, let location = config.remoteCache { remoteArguments.remoteCache = location }
        let session = try RemoteCacheSession.open(remoteArguments, environment: environment, manifests: [], local: cache)
        cache.remote = session?.tier
        if config.tokens.isEmpty {
            Console.err("warning: the configuration lists no tokens, so every route but /healthz answers 401: run `kiln serve token new NAME`")
        }
        let secret = config.signing.enabled ? environment[config.signing.secretEnv] : nil
        let root = URL(fileURLWithPath: config.projectDirectory)
        let pipelines = root.appendingPathComponent(Workspace.defaultPipelines).path
        let builds = FileManager.default.fileExists(atPath: pipelines) ? ServeBuilds(root: root, provider: config.provider == ProviderNames.placeholder ? config.provider : nil,
                                                                                       remote: remoteArguments,
                                                                                       environment: try providerEnvironment(config)) : nil
        let auditPath = root.appendingPathComponent(AuditListing.defaultPath)
        let audit: AuditLog
        do {
            audit = try AuditLog(path: auditPath, logger: logger)
        } catch {
            throw SetupError(message: "the audit log cannot be opened: \(error)")
        }
        let dependencies = ServeDependencies(provider: provider, toolkit: VipsToolkit(), cache: cache,
                                             audit: AuditLogSink(log: audit, path: auditPath), metrics: ServeMetrics(), builds: builds,
                                             urlSecret: secret, logger: logger)
        let server = try ServeServer(config: config, dependencies: dependencies)
        do {
            try await server.run { url in Console.out(url + "\n") }
        } catch {
            Console.err("error: the server stopped: \(error)")
        }
        if let openai = provider as? OpenAIProvider { try? await openai.shutdown() }
        _ = await session?.finish(wait: true)
        return .success
    }
}
