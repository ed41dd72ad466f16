import Foundation

/// `m.yaml:LINE:COL` of the `occurrence`-th `needle` in `text` (1-based, as diagnostics print).
/// With `after`, the column just past the needle (where a key's value starts).
func locate(_ text: String, _ needle: String, occurrence: Int = 1, after: Bool = false) -> String {
    var seen = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        var rest = Substring(line)
        while let range = rest.range(of: needle) {
            seen += 1
            if seen == occurrence {
                let column = line[..<(after ? range.upperBound : range.lowerBound)].unicodeScalars.count + 1
                return "m.yaml:\(index + 1):\(column)"
            }
            rest = rest[range.upperBound...]
        }
    }
    return "m.yaml:?:? (\(needle) not found)"
}

/// Secrets never leave: credential-looking variables refused wherever a template could read them,
/// and the API key's value refused wherever it would be sent or written.
enum SecretCases {
    static let names = ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "stripe_key", "SLACK_TOKEN_ID", "DB_PASSWORD",
                        "OPENAI_API_KEY", "MY_CREDENTIALS", "OAUTH_REFRESH", "passwd_file", "npm-token"]

    /// Where a template can put an environment variable: prompt, output, input, mask, derive input and output.
    static func sites(_ name: String) -> [(site: String, manifest: String)] {
        let use = "{{env.\(name)}}"
        let head = "version: 1\nenv: [\(name)]\nassets:\n"
        return [
            ("prompt", head + "  a:\n    prompt: \"a poster for \(use)\"\n"),
            ("output", head + "  a:\n    prompt: a cat\n    output: \"cats/\(use).png\"\n"),
            ("input", head + "  a:\n    prompt: a cat\n    images: [\"inputs/\(use).png\"]\n"),
            ("mask", head + "  a:\n    prompt: a cat\n    images: [inputs/p.png]\n    mask: \"inputs/\(use).png\"\n"),
            ("derive-from", head + "  a:\n    steps:\n      t:\n        derive: { from: \"inputs/\(use).png\", resize: 64 }\n        output: t.png\n"),
            ("derive-output", head + "  a:\n    prompt: a cat\n    derive:\n      - { resize: 64, output: \"thumbs/\(use).webp\" }\n"),
        ]
    }

    static var all: [HostileCase] {
        var cases = [HostileCase]()
        for name in names {
            let value = name == "OPENAI_API_KEY" ? HostileRunner.apiKey : "value-of-\(name)-s3cr3t-0123456789abcdef"
            for (site, manifest) in sites(name) {
                let use = "{{env.\(name)}}"
                // A path in a list or flow mapping is located at its opening quote; a prompt or output at the name.
                let needle = manifest.contains("\"inputs/\(use)") ? "\"inputs/\(use)" : use
                cases.append(HostileCase("secret \(name) in \(site)", manifest, at: locate(manifest, needle), says: "credential")
                    .with {
                        $0.environment[name] = value
                        $0.secrets = [value]
                        $0.items["pipelines/inputs/p.png"] = .image(.product)
                    })
            }
        }
        return cases + special
    }

    static let keyValue = HostileRunner.apiKey

    static var special: [HostileCase] {
        [
            HostileCase("declared credential, read nowhere", "version: 1\nenv: [GITHUB_TOKEN]\nassets:\n  a: { prompt: a cat }\n",
                        after: "GITHUB_TOKEN", onNeedle: true, says: "GITHUB_TOKEN may not be read by templates")
                .with { $0.environment["GITHUB_TOKEN"] = "ghp_0123456789abcdefSECRET"; $0.secrets = ["ghp_0123456789abcdefSECRET"] },
            HostileCase("undeclared credential read", "version: 1\nassets:\n  a: { prompt: \"hi {{env.GITHUB_TOKEN}}\" }\n",
                        after: "{{env.GITHUB_TOKEN", onNeedle: true, says: "credential"),
            HostileCase("the API key cannot be opted in",
                        "version: 1\nenv: [OPENAI_API_KEY]\nenv_not_secret: [OPENAI_API_KEY]\nassets:\n  a: { prompt: \"{{env.OPENAI_API_KEY}}\" }\n",
                        after: "OPENAI_API_KEY", onNeedle: true, occurrence: 2, says: "cannot be listed under 'env_not_secret:'"),
            HostileCase("a harmless name that matches is opted in",
                        "version: 1\nenv: [KEYNOTE_TITLE]\nenv_not_secret: [KEYNOTE_TITLE]\nassets:\n  a: { prompt: \"slide for {{env.KEYNOTE_TITLE}}\" }\n",
                        status: 0, says: "ok: 1 steps")
                .with { $0.environment["KEYNOTE_TITLE"] = "Launch" },
            HostileCase("key value pasted into vars", "version: 1\nvars: { k: \"\(keyValue)\" }\nassets:\n  a: { prompt: \"hi {{k}}\" }\n",
                        says: "its prompt contains the value of OPENAI_API_KEY"),
            HostileCase("key value as a matrix value", "version: 1\nassets:\n  a:\n    matrix: { m: [\"\(keyValue)\"] }\n    prompt: \"hi {{m}}\"\n",
                        says: "contains the value of OPENAI_API_KEY"),
            HostileCase("key value in a header", "version: 1\nproviders:\n  openai: { headers: { X-Team: \"\(keyValue)\" } }\nassets:\n  a: { prompt: hi }\n",
                        says: "header 'X-Team' contains the value of OPENAI_API_KEY"),
            HostileCase("key value in base_url", "version: 1\nproviders:\n  openai: { base_url: \"https://proxy.example/\(keyValue)\" }\nassets:\n  a: { prompt: hi }\n",
                        says: "base_url contains the value of OPENAI_API_KEY"),
            HostileCase("key value as user", "version: 1\nassets:\n  a: { prompt: hi, user: \"\(keyValue)\" }\n",
                        says: "its user contains the value of OPENAI_API_KEY"),
            HostileCase("key value as salt", "version: 1\nassets:\n  a: { prompt: hi, salt: \"\(keyValue)\" }\n",
                        says: "its salt contains the value of OPENAI_API_KEY"),
            HostileCase("key value as a step name", "version: 1\nassets:\n  a:\n    steps:\n      \(keyValue): { generate: { prompt: hi }, output: a.png }\n",
                        says: "its name (pipeline, asset, variant or step) contains the value of OPENAI_API_KEY"),
            HostileCase("key value as an asset name", "version: 1\nassets:\n  \(keyValue): { prompt: hi, output: o.png }\n",
                        says: "contains the value of OPENAI_API_KEY"),
            HostileCase("key value as a matrix axis name", "version: 1\nassets:\n  a:\n    matrix: { \(keyValue): [x, y] }\n    prompt: hi\n",
                        says: "its matrix axis name contains the value of OPENAI_API_KEY"),
            HostileCase("key value as a header name", "version: 1\nproviders:\n  openai: { headers: { \(keyValue): x } }\nassets:\n  a: { prompt: hi }\n",
                        says: "contains the value of OPENAI_API_KEY"),
            HostileCase("key value echoed by other errors", "version: 1\nassets:\n  a: { prompt: x, model: \(keyValue), preset: \(keyValue) }\n  c: { images: [\"@\(keyValue)\", \"inputs/\(keyValue).png\"], prompt: x }\n",
                        says: "[value of OPENAI_API_KEY]"),
            HostileCase("another credential's value in a prompt", "version: 1\nvars: { k: \"ghp_0123456789abcdefSECRET\" }\nassets:\n  a: { prompt: \"{{k}}\" }\n",
                        says: "contains the value of GITHUB_TOKEN")
                .with { $0.environment["GITHUB_TOKEN"] = "ghp_0123456789abcdefSECRET"; $0.secrets = ["ghp_0123456789abcdefSECRET"] },
            HostileCase("a credential read in a header value",
                        "version: 1\nenv: [GITHUB_TOKEN]\nproviders:\n  openai: { headers: { X-Echo: \"{{env.GITHUB_TOKEN}}\" } }\nassets:\n  a: { prompt: hi }\n",
                        after: "{{env.GITHUB_TOKEN", onNeedle: true, says: "credential")
                .with { $0.environment["GITHUB_TOKEN"] = "ghp_0123456789abcdefSECRET"; $0.secrets = ["ghp_0123456789abcdefSECRET"] },
            HostileCase("a credential read in base_url",
                        "version: 1\nenv: [PROXY_TOKEN]\nproviders:\n  openai: { base_url: \"https://proxy.example/{{env.PROXY_TOKEN}}/v1\" }\nassets:\n  a: { prompt: hi }\n",
                        after: "{{env.PROXY_TOKEN", onNeedle: true, says: "credential")
                .with { $0.environment["PROXY_TOKEN"] = "proxy-0123456789abcdefSECRET"; $0.secrets = ["proxy-0123456789abcdefSECRET"] },
            HostileCase("a header value whose environment value splits the request",
                        "version: 1\nenv: [TEAM]\nproviders:\n  openai: { headers: { X-Team: \"{{env.TEAM}}\" } }\nassets:\n  a: { prompt: hi }\n",
                        after: "X-Team: ", says: "control character")
                .with { $0.environment["TEAM"] = "art\r\nX-Evil: 1" },
            HostileCase("an Authorization header", "version: 1\nproviders:\n  openai: { headers: { Authorization: \"Bearer x\" } }\nassets:\n  a: { prompt: hi }\n",
                        after: "Authorization", onNeedle: true, says: "the API key comes only from OPENAI_API_KEY"),
            HostileCase("an X-Api-Token header", "version: 1\nproviders:\n  openai: { headers: { X-Api-Token: abc } }\nassets:\n  a: { prompt: hi }\n",
                        after: "X-Api-Token", onNeedle: true, says: "may not be set here"),
        ]
    }
}
