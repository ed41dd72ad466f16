import Foundation
import KilnServeRecords
import Testing

/// What `/metrics` shows after known calls, and that every line of it is Prometheus text.
@Suite struct ServeMetricsTests {
    /// The sample lines of `text`, by series (`name{labels}`) → value.
    func samples(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let cut = line.lastIndex(of: " ")!
            result[String(line[..<cut])] = String(line[line.index(after: cut)...])
        }
        return result
    }

    @Test func countersAndHistogramsHoldTheCalls() {
        let metrics = ServeMetrics()
        let route = "/v1/images/generations"
        metrics.request(route: route, status: 200, seconds: 0.25)
        metrics.request(route: route, status: 200, seconds: 3)
        metrics.request(route: route, status: 429, seconds: 400)
        metrics.request(route: "/v1/images/edits", status: 200, seconds: 0.004)
        metrics.upstreamError(class: "rate_limited")
        metrics.upstreamError(class: "rate_limited")
        metrics.upstreamError(class: "server")
        metrics.cacheHit(route: route)
        metrics.cacheMiss(route: route)
        metrics.cacheMiss(route: route)
        metrics.spend(usd: 0.25, client: "ci")
        metrics.spend(usd: 0.5, client: "ci")
        metrics.spend(usd: 0.125, client: "web")

        let s = samples(metrics.render())
        #expect(s[#"kiln_serve_requests_total{route="/v1/images/generations",status="200"}"#] == "2")
        #expect(s[#"kiln_serve_requests_total{route="/v1/images/generations",status="429"}"#] == "1")
        #expect(s[#"kiln_serve_requests_total{route="/v1/images/edits",status="200"}"#] == "1")
        let bucket = { (le: String) in s[#"kiln_serve_request_duration_seconds_bucket{route="/v1/images/generations",le="\#(le)"}"#] }
        #expect(bucket("0.1") == "0")
        #expect(bucket("0.25") == "1")
        #expect(bucket("2.5") == "1")
        #expect(bucket("5.0") == "2")
        #expect(bucket("300.0") == "2")
        #expect(bucket("+Inf") == "3")
        #expect(s[#"kiln_serve_request_duration_seconds_count{route="/v1/images/generations"}"#] == "3")
        #expect(s[#"kiln_serve_request_duration_seconds_sum{route="/v1/images/generations"}"#] == "403.25")
        #expect(s[#"kiln_serve_request_duration_seconds_bucket{route="/v1/images/edits",le="0.005"}"#] == "1")
        #expect(s[#"kiln_serve_upstream_errors_total{class="rate_limited"}"#] == "2")
        #expect(s[#"kiln_serve_upstream_errors_total{class="server"}"#] == "1")
        #expect(s[#"kiln_serve_cache_hits_total{route="/v1/images/generations"}"#] == "1")
        #expect(s[#"kiln_serve_cache_misses_total{route="/v1/images/generations"}"#] == "2")
        #expect(s[#"kiln_serve_spend_usd_total{client="ci"}"#] == "0.75")
        #expect(s[#"kiln_serve_spend_usd_total{client="web"}"#] == "0.125")
        let buckets = s.keys.filter { $0.hasPrefix(#"kiln_serve_request_duration_seconds_bucket{route="/v1/images/generations""#) }
        #expect(buckets.count == ServeMetrics.latencyBuckets.count + 1)
    }

    @Test func everyLineIsPrometheusText() {
        let metrics = ServeMetrics()
        metrics.request(route: "/v1/images/generations", status: 200, seconds: 1.5)
        metrics.request(route: "a \"quoted\"\nroute\\", status: 500, seconds: 0.01)
        metrics.upstreamError(class: "timeout")
        metrics.cacheHit(route: "/x")
        metrics.cacheMiss(route: "/x")
        metrics.spend(usd: 0.04, client: "ci")
        let text = metrics.render()
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var typed: Set<String> = []
        for line in lines {
            #expect(PrometheusText.isValid(String(line)), "not exposition format: \(line)")
            if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])) }
        }
        #expect(typed == [ServeMetrics.requests, ServeMetrics.duration, ServeMetrics.upstreamErrors, ServeMetrics.cacheHits,
                          ServeMetrics.cacheMisses, ServeMetrics.spend])
        #expect(samples(text)[#"kiln_serve_requests_total{route="a \"quoted\"\nroute\\",status="500"}"#] == "1",
                "quote, newline and backslash escaped")
        #expect(!PrometheusText.isValid(#"kiln_x{route="a"b"} 1"#) && !PrometheusText.isValid("kiln_x 1 2 3"),
                "the grammar check can fail")
    }

    @Test func badNumbersNeverTrapOrCount() {
        let metrics = ServeMetrics()
        metrics.spend(usd: -1, client: "ci")
        metrics.spend(usd: .nan, client: "ci")
        metrics.spend(usd: .infinity, client: "ci")
        metrics.request(route: "/r", status: 200, seconds: -0.5)
        metrics.request(route: "/r", status: 200, seconds: .nan)
        let s = samples(metrics.render())
        #expect(s[#"kiln_serve_spend_usd_total{client="ci"}"#] == nil)
        #expect(s[#"kiln_serve_requests_total{route="/r",status="200"}"#] == "2")
        #expect(s[#"kiln_serve_request_duration_seconds_count{route="/r"}"#] == nil)
    }

    @Test func labelValuesAreBoundedAndRegistriesApart() {
        let metrics = ServeMetrics()
        let other = ServeMetrics()
        for n in 0..<150 { metrics.cacheHit(route: "/r\(n)") }
        let s = samples(metrics.render())
        #expect(s.count == 101)
        #expect(s[#"kiln_serve_cache_hits_total{route="other"}"#] == "50")
        #expect(s[#"kiln_serve_cache_hits_total{route="/r99"}"#] == "1")
        #expect(other.render().isEmpty, "a second server's page shares nothing")
    }
}
