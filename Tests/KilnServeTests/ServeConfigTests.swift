import Foundation
import Testing
@testable import KilnServe

@Suite("kiln serve: serve.yaml")
struct ServeConfigTests {
    @Test("every key is read")
    func everyKey() throws {
        let text = """
        listen: {host: 0.0.0.0, port: 9090}
        provider: placeholder
        base_url: http://127.0.0.1:1/v1
        api_key_file: /run/secrets/openai
        project: site
        public_url: https://img.example.com/
        cache: {dir: /var/cache/kiln, remote: s3://bucket/kiln}
        allow:
          models: [gpt-image-1.5]
          sizes: [1024x1024]
          qualities: [low, medium]
          formats: [png, webp]
          backgrounds: [opaque]
          max_n: 2
          max_prompt_length: 500
          blocked_terms: [Forbidden]
        limits:
          rate_per_minute: 30
          burst: 5
          daily_budget_usd: 2.5
          concurrency: 3
          queue: 7
          max_json_bytes: 4096
          max_upload_bytes: 8192
          read_timeout_seconds: 12
        signed_urls: {enabled: true, secret_env: MY_SECRET, ttl_seconds: 60}
        store_prompts: true
        tokens:
          - {name: web, sha256: \(TokenHash.hash("kiln_a"))}
        """
        let c = try ServeConfigLoader.parse(text, displayPath: "serve.yaml")
        #expect(c.host == "0.0.0.0" && c.port == 9090 && c.provider == "placeholder")
        #expect(c.baseURL == "http://127.0.0.1:1/v1" && c.apiKeyFile == "/run/secrets/openai" && c.projectDirectory == "site")
        #expect(c.publicURL == "https://img.example.com" && c.cacheDirectory == "/var/cache/kiln" && c.remoteCache == "s3://bucket/kiln")
        #expect(c.rules.models == ["gpt-image-1.5"] && c.rules.sizes == ["1024x1024"] && c.rules.qualities == ["low", "medium"])
        #expect(c.rules.formats == ["png", "webp"] && c.rules.backgrounds == ["opaque"] && c.rules.maxN == 2)
        #expect(c.rules.maxPromptLength == 500 && c.rules.blockedTerms == ["Forbidden"])
        #expect(c.limits.ratePerMinute == 30 && c.limits.burst == 5 && c.limits.dailyBudgetUSD == 2.5)
        #expect(c.limits.concurrency == 3 && c.limits.queue == 7 && c.limits.maxJSONBytes == 4096)
        #expect(c.limits.maxUploadBytes == 8192 && c.limits.readTimeoutSeconds == 12)
        #expect(c.signing.enabled && c.signing.secretEnv == "MY_SECRET" && c.signing.ttlSeconds == 60)
        #expect(c.storePrompts && c.tokens.map(\.name) == ["web"])
    }

    @Test("problems are located as file:line:col, unknown keys get a suggestion, and all are reported together")
    func locatedErrors() {
        let text = "listen:\n  portt: 80\nallow:\n  max_n: 40\n  sizes: [1024x1024, big]\nlimits:\n  burst: many\ntokens:\n  - {name: web, sha256: ABC}\n"
        do {
            _ = try ServeConfigLoader.parse(text, displayPath: "serve.yaml")
            Issue.record("expected errors")
        } catch let error as ServeConfigError {
            let text = error.description
            #expect(text.contains("serve.yaml:2:3: error: unknown key 'listen.portt' (did you mean 'port'?)"))
            #expect(text.contains("serve.yaml:4:10: error: 'allow.max_n' must be 1–10, not 40"))
            #expect(text.contains("serve.yaml:5:10: error: 'allow.sizes' holds 'big', which is not WIDTHxHEIGHT or auto"))
            #expect(text.contains("serve.yaml:7:10: error: 'limits.burst' must be a whole number"))
            #expect(text.contains("serve.yaml:9:") && text.contains("64 lowercase hex"))
            #expect(error.diagnostics.count == 5)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("the example in docs/serve.md loads")
    func documentedExample() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/serve.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        guard let start = text.range(of: "```yaml\n"), let end = text.range(of: "```", range: start.upperBound..<text.endIndex) else {
            Issue.record("no yaml block in docs/serve.md"); return
        }
        let config = try ServeConfigLoader.parse(String(text[start.upperBound..<end.lowerBound]), displayPath: "docs/serve.md")
        #expect(config.tokens.count == 1)
        #expect(config.rules.blockedTerms == ["nsfw"])
        #expect(config.limits.dailyBudgetUSD == 5)
    }
}
