import Foundation
import Testing
@testable import KilnServe

@Suite("kiln serve: tokens and authentication")
struct ServeAuthTests {
    @Test("no token and an unknown token get 401 and cost nothing; a listed token is served")
    func bearerTokens() async throws {
        try await withServe { serve in
            let missing = try await serve.generate(token: nil)
            #expect(missing.status == 401)
            #expect(missing.errorCode == "missing_api_key")
            let unknown = try await serve.generate(token: "kiln_not-a-listed-token")
            #expect(unknown.status == 401)
            #expect(unknown.errorCode == "invalid_api_key")
            let nearly = try await serve.generate(token: String(aliceToken.dropLast()) + "1")
            #expect(nearly.status == 401)
            #expect(await serve.upstreamCalls == 0)
            let ok = try await serve.generate()
            #expect(ok.status == 200)
            #expect(ok.digests.count == 1)
            let bob = try await serve.generate(token: bobToken)
            #expect(bob.status == 200)
            let health = try await serve.send(.GET, "/healthz", token: nil)
            #expect(health.status == 200)
            #expect(health.text == "ok")
            let metrics = try await serve.send(.GET, "/metrics", token: nil)
            #expect(metrics.status == 401)
        }
    }

    @Test("the authenticator names the client whose hash matches, after comparing every entry")
    func constantTimeMatch() {
        let tokens = (0..<5).map { ServeConfig.Token(name: "c\($0)", sha256: TokenHash.hash("kiln_t\($0)")) }
        let authenticator = TokenAuthenticator(tokens: tokens)
        for i in 0..<5 { #expect(authenticator.client(for: "kiln_t\(i)") == "c\(i)") }
        #expect(authenticator.client(for: "kiln_t5") == nil)
        #expect(authenticator.client(for: "") == nil)
        #expect(TokenAuthenticator.bearer("Bearer abc") == "abc")
        #expect(TokenAuthenticator.bearer("bearer  abc ") == "abc")
        #expect(TokenAuthenticator.bearer("Basic abc") == nil)
        #expect(TokenAuthenticator.bearer("Bearer ") == nil)
    }

    @Test("token new prints a kiln_ token once, appends only its hash, and keeps the file as written")
    func issueToken() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-token-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("serve.yaml").path
        let original = "# the team's server\nlisten:\n  port: 9000   # behind nginx\ntokens:\n  - name: web\n    sha256: \(TokenHash.hash("kiln_x"))\nstore_prompts: false\n"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let token = try TokenIssuer.issue(name: "ios-app", configPath: path)
        #expect(token.hasPrefix("kiln_"))
        #expect(token.count >= 5 + 43)
        #expect(!token.contains("+") && !token.contains("/") && !token.contains("="))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(token))
        #expect(text.contains("# the team's server") && text.contains("port: 9000   # behind nginx") && text.contains("store_prompts: false"))
        let config = try ServeConfigLoader.load(path: path)
        #expect(config.tokens.map(\.name) == ["web", "ios-app"])
        #expect(TokenAuthenticator(tokens: config.tokens).client(for: token) == "ios-app")
        #expect(config.port == 9000)
        #expect(throws: TokenIssueError.self) { try TokenIssuer.issue(name: "ios-app", configPath: path) }
        let fresh = folder.appendingPathComponent("new.yaml").path
        let second = try TokenIssuer.issue(name: "cli", configPath: fresh)
        #expect(second != token)
        #expect(try ServeConfigLoader.load(path: fresh).tokens.map(\.name) == ["cli"])
    }
}
