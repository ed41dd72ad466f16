import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KilnCache
import KilnCore
import Logging
import NIOCore
import ServiceLifecycle

/// What the server runs on, made by the caller (`kiln serve`, or a test): the provider (OpenAI
/// with the server's key, or the placeholder), libvips, the cache (with its remote tier, if any),
/// the records, and the build runner for `/api/builds`.
public struct ServeDependencies: Sendable {
    public var provider: any ImageProvider
    public var toolkit: any ImageToolkit
    public var cache: ResultCache
    public var audit: any ServeAuditSink
    public var metrics: any ServeMetricsSink
    public var builds: (any ServeBuildRunner)?
    /// The signed-URL secret (read by the caller from the variable `signed_urls.secret_env` names).
    public var urlSecret: String?
    public var prices: PriceTable
    public var logger: Logger

    public init(provider: any ImageProvider, toolkit: any ImageToolkit, cache: ResultCache,
                audit: any ServeAuditSink = NoAuditSink(), metrics: any ServeMetricsSink = NoMetricsSink(),
                builds: (any ServeBuildRunner)? = nil, urlSecret: String? = nil, prices: PriceTable = .builtin,
                logger: Logger = Logger(label: "kiln.serve")) {
        self.provider = provider
        self.toolkit = toolkit
        self.cache = cache
        self.audit = audit
        self.metrics = metrics
        self.builds = builds
        self.urlSecret = urlSecret
        self.prices = prices
        self.logger = logger
    }
}

/// `kiln serve`: the routes on a Hummingbird application, run under ServiceLifecycle so SIGTERM
/// and SIGINT stop accepting, let requests in flight finish (a paid answer is stored first), then
/// close the audit log.
public struct ServeServer: Sendable {
    public let config: ServeConfig
    let dependencies: ServeDependencies
    let routes: ServeRoutes
    let budget: DailyBudget

    /// Throws `ServeSetupError` when signed URLs are on without a usable secret.
    public init(config: ServeConfig, dependencies: ServeDependencies) throws {
        self.config = config
        self.dependencies = dependencies
        var signer: URLSigner?
        if config.signing.enabled {
            guard let secret = dependencies.urlSecret, let made = URLSigner(secret: secret, ttlSeconds: config.signing.ttlSeconds) else {
                throw ServeSetupError("signed_urls is on, but \(config.signing.secretEnv) is not set to a secret of at least 16 bytes")
            }
            signer = made
        }
        budget = DailyBudget(limitUSD: config.limits.dailyBudgetUSD)
        let service = ImageService(provider: dependencies.provider, cache: dependencies.cache, prices: dependencies.prices,
                                   budget: budget,
                                   gate: ProviderGate(slots: config.limits.concurrency, queue: config.limits.queue),
                                   metrics: dependencies.metrics, logger: dependencies.logger)
        routes = ServeRoutes(config: config, service: service, store: ImageStore(cache: dependencies.cache),
                             authenticator: TokenAuthenticator(tokens: config.tokens),
                             limiter: RateLimiter(perMinute: config.limits.ratePerMinute, burst: config.limits.burst),
                             parser: ImageAskParser(rules: config.rules, provider: dependencies.provider.name),
                             signer: signer, toolkit: dependencies.toolkit, audit: dependencies.audit,
                             metrics: dependencies.metrics, builds: dependencies.builds.map { BuildSlot(runner: $0) },
                             logger: dependencies.logger)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorEnvelopeMiddleware())
        let routes = self.routes
        router.get("/healthz") { _, _ in "ok" }
        router.get("/metrics") { request, _ in
            await routes.handle("/metrics", request) { _ in
                _ = try routes.client(request)
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: routes.metrics.render())))
            }
        }
        router.post("/api/images") { request, _ in await routes.generate(request) }
        router.post("/api/images/edits") { request, _ in await routes.edit(request) }
        router.post("/v1/images/generations") { request, _ in await routes.gatewayGenerate(request) }
        router.post("/v1/images/edits") { request, _ in await routes.gatewayEdit(request) }
        router.get("/images/**") { request, _ in await routes.image(request, rest: Self.rest(of: request), head: false) }
        router.head("/images/**") { request, _ in await routes.image(request, rest: Self.rest(of: request), head: true) }
        router.post("/api/builds") { request, _ in await routes.startBuild(request) }
        router.get("/") { request, _ in await routes.gallery(request, path: "index.html") }
        router.get("/kiln-gallery/**") { request, _ in
            await routes.gallery(request, path: String(request.uri.path.dropFirst()))
        }
        return router
    }

    /// The raw path after `/images/` (still percent-encoded: `%2e` is not a hex digit).
    static func rest(of request: Request) -> String {
        String(request.uri.path.dropFirst("/images/".count))
    }

    /// The Hummingbird application. `onListening` gets the URL once the socket is bound (with
    /// `port: 0`, the port the system picked).
    public func application(onListening: @escaping @Sendable (String) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let host = config.host
        let connections = ConnectionCount(limit: config.limits.maxConnections)
        let writeTimeout = TimeAmount.seconds(Int64(config.limits.writeTimeoutSeconds))
        let server = HTTPServerBuilder.http1(configuration: .init(
            additionalChannelHandlers: [ConnectionGuard(count: connections, writeTimeout: writeTimeout)],
            idleTimeout: .seconds(Int64(config.limits.readTimeoutSeconds))))
        return Application(router: router(), server: server,
                           configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
                           onServerRunning: { channel in
                               let port = channel.localAddress?.port ?? 0
                               let shown = host.contains(":") ? "[\(host)]" : host
                               await onListening("http://\(shown):\(port)")
                           },
                           logger: dependencies.logger)
    }

    /// Runs until SIGTERM or SIGINT (or the task is cancelled): requests in flight finish, then
    /// the audit log is closed.
    public func run(onListening: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        if config.limits.dailyBudgetUSD != nil {
            budget.restore(await dependencies.audit.spentSince(DailyBudget.startOfDay()))
        }
        let app = application(onListening: onListening)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: dependencies.logger))
        do {
            try await group.run()
        } catch {
            await dependencies.audit.close()
            throw error
        }
        await dependencies.audit.close()
    }
}

/// The server cannot start as configured.
public struct ServeSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Hummingbird's own refusals (no such route, a method a route does not take) in the same error
/// envelope as every other answer, so a client's one parser reads them too.
struct ErrorEnvelopeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let message = status == 404 ? "No such route: \(request.method) \(request.uri.path)." : (error.body ?? "\(error.status.reasonPhrase).")
            return ServeError(status: status, message, code: status == 404 ? "not_found" : "http_\(status)",
                              outcome: "refused:route").response()
        }
    }
}
