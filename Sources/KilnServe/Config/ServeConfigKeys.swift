import Foundation
import KilnCore
import Yams

/// The table of every `serve.yaml` key: its name and what it sets. The loader, its "did you mean"
/// and docs/serve.md's key list follow this table.
enum ServeConfigKeys {
    struct Key: Sendable {
        enum Kind: Sendable {
            case section([Key])
            /// Sets the value; returns a problem (following the key's name) or nil.
            case value(@Sendable (inout ServeConfig, Node) -> String?)
        }
        var name: String
        var kind: Kind
    }

    static let top: [Key] = [
        .init(name: "listen", kind: .section([
            string("host") { $0.host = $1 },
            int("port", 0...65535) { $0.port = $1 },
        ])),
        string("provider") { $0.provider = $1 },
        string("base_url") { $0.baseURL = $1 },
        string("api_key_file") { $0.apiKeyFile = $1 },
        string("project") { $0.projectDirectory = $1 },
        string("public_url") { $0.publicURL = $1.hasSuffix("/") ? String($1.dropLast()) : $1 },
        .init(name: "cache", kind: .section([
            string("dir") { $0.cacheDirectory = $1 },
            string("remote") { $0.remoteCache = $1 },
        ])),
        .init(name: "allow", kind: .section([
            strings("models", check: { ModelCatalog.info($0) == nil ? "holds the unknown model '\($0)' (known: \(ModelCatalog.currentNames.joined(separator: ", ")))" : nil }) {
                $0.rules.models = $1
            },
            strings("sizes", check: { SizeSpec($0) == nil ? "holds '\($0)', which is not WIDTHxHEIGHT or auto" : nil }) {
                $0.rules.sizes = $1.compactMap { SizeSpec($0)?.description }
            },
            strings("qualities", from: RenderQuality.allCases.map(\.rawValue)) { $0.rules.qualities = $1 },
            strings("formats", from: ImageFormat.allCases.map(\.rawValue)) { $0.rules.formats = $1 },
            strings("backgrounds", from: BackgroundMode.allCases.map(\.rawValue)) { $0.rules.backgrounds = $1 },
            int("max_n", 1...10) { $0.rules.maxN = $1 },
            int("max_prompt_length", 1...PromptRules.maxLength) { $0.rules.maxPromptLength = $1 },
            strings("blocked_terms") { $0.rules.blockedTerms = $1 },
        ])),
        .init(name: "limits", kind: .section([
            number("rate_per_minute", 0...1_000_000) { $0.limits.ratePerMinute = $1 },
            int("burst", 1...100_000) { $0.limits.burst = $1 },
            number("daily_budget_usd", 0...1_000_000) { $0.limits.dailyBudgetUSD = $1 },
            int("concurrency", 1...1024) { $0.limits.concurrency = $1 },
            int("queue", 0...100_000) { $0.limits.queue = $1 },
            int("max_json_bytes", 1024...(64 << 20)) { $0.limits.maxJSONBytes = $1 },
            int("max_upload_bytes", 1024...(1 << 30)) { $0.limits.maxUploadBytes = $1 },
            int("read_timeout_seconds", 1...3600) { $0.limits.readTimeoutSeconds = $1 },
            int("body_timeout_seconds", 1...86_400) { $0.limits.bodyTimeoutSeconds = $1 },
            int("write_timeout_seconds", 1...86_400) { $0.limits.writeTimeoutSeconds = $1 },
            int("max_connections", 1...1_000_000) { $0.limits.maxConnections = $1 },
        ])),
        .init(name: "signed_urls", kind: .section([
            bool("enabled") { $0.signing.enabled = $1 },
            string("secret_env") { $0.signing.secretEnv = $1 },
            int("ttl_seconds", 1...(366 * 86_400)) { $0.signing.ttlSeconds = $1 },
        ])),
        bool("store_prompts") { $0.storePrompts = $1 },
        strings("build_clients") { $0.buildClients = $1 },
        .init(name: "tokens", kind: .value(readTokens)),
    ]

    static func string(_ name: String, _ set: @escaping @Sendable (inout ServeConfig, String) -> Void) -> Key {
        Key(name: name, kind: .value { config, node in
            guard let text = node.scalar?.string, !text.isEmpty else { return "must be a non-empty string" }
            set(&config, text)
            return nil
        })
    }

    static func int(_ name: String, _ range: ClosedRange<Int>, _ set: @escaping @Sendable (inout ServeConfig, Int) -> Void) -> Key {
        Key(name: name, kind: .value { config, node in
            guard let text = node.scalar?.string, let value = Int(text) else { return "must be a whole number" }
            guard range.contains(value) else { return "must be \(range.lowerBound)–\(range.upperBound), not \(value)" }
            set(&config, value)
            return nil
        })
    }

    static func number(_ name: String, _ range: ClosedRange<Double>, _ set: @escaping @Sendable (inout ServeConfig, Double) -> Void) -> Key {
        Key(name: name, kind: .value { config, node in
            guard let text = node.scalar?.string, let value = Double(text), value.isFinite else { return "must be a number" }
            guard range.contains(value) else { return "must be between \(range.lowerBound) and \(range.upperBound), not \(text)" }
            set(&config, value)
            return nil
        })
    }

    static func bool(_ name: String, _ set: @escaping @Sendable (inout ServeConfig, Bool) -> Void) -> Key {
        Key(name: name, kind: .value { config, node in
            switch node.scalar?.string.lowercased() {
            case "true"?, "yes"?, "on"?: set(&config, true)
            case "false"?, "no"?, "off"?: set(&config, false)
            default: return "must be true or false"
            }
            return nil
        })
    }

    static func strings(_ name: String, from allowed: [String]? = nil, check: (@Sendable (String) -> String?)? = nil,
                        _ set: @escaping @Sendable (inout ServeConfig, [String]) -> Void) -> Key {
        Key(name: name, kind: .value { config, node in
            guard let items = node.sequence else { return "must be a list of strings" }
            var values = [String]()
            for item in items {
                guard let text = item.scalar?.string, !text.isEmpty else { return "must be a list of non-empty strings" }
                if let allowed, !allowed.contains(text.lowercased()) {
                    return "holds '\(text)' (allowed: \(allowed.joined(separator: ", ")))"
                }
                if let problem = check?(text) { return problem }
                values.append(allowed == nil ? text : text.lowercased())
            }
            set(&config, values)
            return nil
        })
    }

    /// `tokens: [{name, sha256}]`: a name of letters, digits, `-`, `_`, `.` and 64 lowercase hex.
    static func readTokens(_ config: inout ServeConfig, _ node: Node) -> String? {
        guard let items = node.sequence else { return "must be a list of {name, sha256}" }
        var tokens = [ServeConfig.Token]()
        for (i, item) in items.enumerated() {
            guard let mapping = item.mapping else { return "entry \(i + 1) must be a mapping with name and sha256" }
            for (key, _) in mapping where !["name", "sha256"].contains(key.string ?? "") {
                return "entry \(i + 1) has unknown key '\(key.string ?? "")' (known: name, sha256)"
            }
            guard let name = item["name"]?.string, TokenHash.isValidName(name) else {
                return "entry \(i + 1) needs a name of letters, digits, '-', '_' or '.'"
            }
            guard let hash = item["sha256"]?.string, TokenHash.isDigest(hash) else {
                return "entry \(i + 1) (\(name)) needs sha256: 64 lowercase hex digits (the hash of the token, never the token)"
            }
            tokens.append(.init(name: name, sha256: hash))
        }
        config.tokens = tokens
        return nil
    }
}
