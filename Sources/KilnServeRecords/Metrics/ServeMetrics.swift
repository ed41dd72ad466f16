import Foundation
import Metrics
import Prometheus

/// What `kiln serve` counts, served at `/metrics` in Prometheus's text format: requests by route
/// and status, latency by route, upstream errors by class, cache hits and misses by route, and
/// spend in USD by client.
///
/// Each instance has its own registry (no global `MetricsSystem.bootstrap`), so tests and several
/// servers in one process never share counters. The metrics are made on the registry directly,
/// not through swift-metrics' types, because only that way they carry `# HELP` lines; code that
/// speaks swift-metrics can still record into the same page through `factory` (pass it as the
/// `factory:` argument). The names beginning `kiln_serve_` are this type's: a swift-metrics metric
/// of the same name would clash with them.
///
/// Label values are bounded (`LabelBudget`): routes, statuses, error classes and clients (the
/// configuration's token names) are small sets, and a bug that sent, say, a prompt as a route would
/// otherwise grow the page without end.
public final class ServeMetrics: Sendable {
    public static let requests = "kiln_serve_requests_total"
    public static let duration = "kiln_serve_request_duration_seconds"
    public static let upstreamErrors = "kiln_serve_upstream_errors_total"
    public static let cacheHits = "kiln_serve_cache_hits_total"
    public static let cacheMisses = "kiln_serve_cache_misses_total"
    public static let spend = "kiln_serve_spend_usd_total"

    /// Upper bounds of the latency buckets, in seconds: from a cache hit (milliseconds) to a slow
    /// high-quality generation (OpenAI answers those in up to a few minutes).
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30,
                                                  60, 120, 300]

    /// The registry `render()` reads.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory on the same registry, for code that records through swift-metrics.
    public let factory: PrometheusMetricsFactory
    private let budget = LabelBudget()

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// One answered request: counted by route and status, its latency recorded by route.
    /// A negative or non-finite duration (a clock stepping back) counts the request but not its time.
    public func request(route: String, status: Int, seconds: Double) {
        let route = budget.admit(route, as: "route")
        registry.makeCounter(descriptor: Self.named("requests", "total", "Requests answered, by route and HTTP status."),
                             labels: [("route", route), ("status", String(status))]).increment()
        guard seconds.isFinite, seconds >= 0 else { return }
        registry.makeValueHistogram(
            descriptor: Self.named("request_duration", "seconds",
                                   "Time from a request's arrival to its answer, by route, in seconds."),
            labels: [("route", route)], buckets: Self.latencyBuckets
        ).record(seconds)
    }

    /// A call to OpenAI that failed, by error class (`rate_limited`, `server`, `timeout`, …).
    public func upstreamError(class errorClass: String) {
        registry.makeCounter(descriptor: Self.named("upstream_errors", "total",
                                                    "Calls to the upstream Images API that failed, by error class."),
                             labels: [("class", budget.admit(errorClass, as: "class"))]).increment()
    }

    /// A request answered from the cache.
    public func cacheHit(route: String) {
        registry.makeCounter(descriptor: Self.named("cache_hits", "total", "Requests answered from the cache, by route."),
                             labels: [("route", budget.admit(route, as: "route"))]).increment()
    }

    /// A request the cache could not answer (it went upstream).
    public func cacheMiss(route: String) {
        registry.makeCounter(descriptor: Self.named("cache_misses", "total",
                                                    "Requests the cache could not answer, by route."),
                             labels: [("route", budget.admit(route, as: "route"))]).increment()
    }

    /// Money spent upstream for a client. A counter only grows: a negative or non-finite amount is
    /// ignored rather than let through (Prometheus's counter would trap on it).
    public func spend(usd: Double, client: String) {
        guard usd.isFinite, usd >= 0 else { return }
        registry.makeCounter(descriptor: Self.named("spend_usd", "total",
                                                    "Estimated spend on the upstream Images API in US dollars, by client."),
                             labels: [("client", budget.admit(client, as: "client"))]).increment(by: usd)
    }

    /// `kiln_serve_<metric>_<unit>`, with its help line. Made per call: the registry finds the one
    /// already made by its name (a descriptor is not `Sendable`, so it cannot be kept in a `let`).
    static func named(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "kiln", subsystem: "serve", metricName: metric, unitName: unit, helpText: help)
    }

    /// The page for `/metrics`: Prometheus text exposition format 0.0.4
    /// (`Content-Type: text/plain; version=0.0.4`).
    public func render() -> String {
        registry.emitToString()
    }
}
