import Foundation

/// Requests that cannot succeed (blank or overlong prompts) and values that cannot be what they
/// claim (control characters, non-finite or absurd numbers, unknown providers, matrix typos).
enum ValueCases {
    static func asset(_ body: String, head: String = "") -> String {
        "version: 1\n\(head)assets:\n  a:\n\(body)"
    }

    static var prompts: [HostileCase] {
        let blank = "the prompt is empty"
        let rendered = "the prompt renders empty"
        var cases = [
            HostileCase("empty prompt", asset("    prompt: \"\"\n"), after: "prompt: ", says: blank),
            HostileCase("spaces-only prompt", asset("    prompt: \"   \"\n"), after: "prompt: ", says: blank),
            HostileCase("non-breaking spaces", asset("    prompt: \"\u{00A0}\u{00A0}\u{2007}\"\n"), after: "prompt: ", says: blank),
            HostileCase("zero-width spaces", asset("    prompt: \"\u{200B}\u{200B}\u{FEFF}\"\n"), after: "prompt: ", says: blank),
            HostileCase("empty bullets", asset("    prompt: [\"\", \" \", \"\\t\"]\n"), after: "prompt: ", says: blank),
            HostileCase("empty block scalar", asset("    prompt: |\n\n\n    output: a.png\n"), after: "prompt: ", says: blank),
            HostileCase("a var that renders empty", asset("    prompt: \"{{x}}\"\n", head: "vars: { x: \"  \" }\n"),
                        after: "prompt: ", says: rendered),
            HostileCase("an asset var that renders empty", asset("    vars: { x: \"\u{00A0}\" }\n    prompt: \"{{x}} {{x}}\"\n"),
                        after: "prompt: ", says: rendered),
            HostileCase("a matrix value that renders empty", asset("    matrix: { m: [\" \", cat] }\n    prompt: \"{{m}}\"\n"),
                        after: "prompt: ", says: rendered),
            HostileCase("an environment value that renders empty", asset("    prompt: \"{{env.BRAND}}\"\n", head: "env: [BRAND]\n"),
                        after: "prompt: ", says: rendered)
                .with { $0.environment["BRAND"] = " \u{00A0} " },
            HostileCase("32,001 characters", asset("    prompt: \"\(String(repeating: "a", count: 32_001))\"\n"),
                        after: "prompt: ", says: "32001 characters; the limit is 32,000"),
            HostileCase("over the limit after templating", asset("    prompt: \"{{x}} {{x}}\"\n", head: "vars: { x: \"\(String(repeating: "b", count: 20_000))\" }\n"),
                        after: "prompt: ", says: "40001 characters after templating"),
            HostileCase("code points, not grapheme clusters", asset("    prompt: \"\(String(repeating: "e\u{0301}", count: 16_001))\"\n"),
                        after: "prompt: ", says: "32002 characters"),
            HostileCase("emoji count by code points", asset("    prompt: \"\(String(repeating: "👩‍💻", count: 11_000))\"\n"),
                        after: "prompt: ", says: "33000 characters"),
            HostileCase("a NUL in a prompt", asset("    prompt: \"a\\0cat\"\n"), after: "prompt: ", says: "control character"),
            HostileCase("an escape character in a prompt", asset("    prompt: \"a\\ecat\"\n"), after: "prompt: ", says: "control character"),
        ]
        cases.append(HostileCase("a blank edit prompt", asset("    images: [inputs/p.png]\n    prompt: \" \"\n"),
                                 after: "prompt: ", says: blank).with { $0.items["pipelines/inputs/p.png"] = .image(.product) })
        return cases
    }

    static var strings: [HostileCase] {
        let body = "    prompt: a cat\n"
        return [
            HostileCase("NUL in an output path", asset(body + "    output: \"a\\0b.png\"\n"), after: "output: ", says: "NUL character"),
            HostileCase("a control character in an output path", asset(body + "    output: \"a\\x01b.png\"\n"), after: "output: ", says: "control character"),
            HostileCase("a newline in an output path", asset(body + "    output: \"a\\nb.png\"\n"), after: "output: ", says: "control character"),
            HostileCase("a control character in an input path", asset(body + "    images: [\"inputs/\\x07p.png\"]\n"),
                        after: "images: [", says: "control character"),
            HostileCase("CR LF in a header value", asset(body, head: "providers:\n  openai: { headers: { X-Team: \"a\\r\\nX-Evil: 1\" } }\n"),
                        after: "X-Team: ", says: "control character"),
            HostileCase("NUL in a header value", asset(body, head: "providers:\n  openai: { headers: { X-Team: \"a\\0b\" } }\n"),
                        after: "X-Team: ", says: "control character"),
            HostileCase("a space in a header name", asset(body, head: "providers:\n  openai: { headers: { \"X Team\": a } }\n"),
                        after: "\"X Team\"", onNeedle: true, says: "not a valid HTTP header name"),
            HostileCase("a colon in a header name", asset(body, head: "providers:\n  openai: { headers: { \"X-Team:\": a } }\n"),
                        after: "\"X-Team:\"", onNeedle: true, says: "not a valid HTTP header name"),
            HostileCase("a base_url that is not http", asset(body, head: "providers:\n  openai: { base_url: \"ftp://example.com/v1\" }\n"),
                        after: "base_url: ", says: "must be an http:// or https:// URL"),
            HostileCase("a base_url with a space", asset(body, head: "providers:\n  openai: { base_url: \"https://exa mple.com/v1\" }\n"),
                        after: "base_url: ", says: "must be an http:// or https:// URL"),
            HostileCase("a base_url with a newline", asset(body, head: "providers:\n  openai: { base_url: \"https://example.com/v1\\n\" }\n"),
                        after: "base_url: ", says: "must be an http:// or https:// URL"),
        ] + numbers
    }

    static var numbers: [HostileCase] {
        let body = "    prompt: a cat\n"
        var cases = [HostileCase]()
        for value in [".inf", "-.inf", ".nan", "1e300", "-1", "0", "100000"] {
            cases.append(HostileCase("timeout \(value)", asset(body, head: "providers:\n  openai: { timeout: \(value) }\n"),
                                     after: "timeout: ", says: "'timeout' must be a number greater than 0 and at most 86400"))
        }
        for value in [".inf", ".nan", "1e300", "-0.5"] {
            cases.append(HostileCase("price \(value)", asset(body, head: "prices:\n  gpt-image-1.5: { text_input: \(value), image_input: 1, image_output: 1 }\n"),
                                     after: "text_input: ", says: "'text_input' must be a number from 0 to 1000000"))
        }
        cases += [
            HostileCase("max_in_flight beyond 64 bits", asset(body, head: "providers:\n  openai: { max_in_flight: 99999999999999999999 }\n"),
                        after: "max_in_flight: ", says: "'max_in_flight' must be an integer 1–1000"),
            HostileCase("max_in_flight huge", asset(body, head: "providers:\n  openai: { max_in_flight: 5000000 }\n"),
                        after: "max_in_flight: ", says: "'max_in_flight' must be an integer 1–1000"),
            HostileCase("retries huge", asset(body, head: "providers:\n  openai: { retries: 1000000000 }\n"),
                        after: "retries: ", says: "'retries' must be an integer 0–100"),
            HostileCase("a resize box of 100,000", asset(body + "    derive:\n      - { resize: 100000, output: t.png }\n"),
                        after: "resize: ", says: "'resize' must be"),
            HostileCase("padding of a billion", asset(body + "    derive:\n      - { pad: 1000000000, output: t.png }\n"),
                        after: "pad: ", says: "'pad' must be"),
            HostileCase("a crop of 20000x20000", asset(body + "    derive:\n      - { crop: 20000x20000, output: t.png }\n"),
                        after: "crop: ", says: "crop"),
            HostileCase("sizes of 100,000", asset(body + "    sizes: [16, 100000]\n"), after: "100000", onNeedle: true, says: "'sizes' values must be 1–16384"),
        ]
        return cases
    }

    static var providers: [HostileCase] {
        [
            HostileCase("a misspelt provider", asset("    prompt: a cat\n    provider: opnai\n"),
                        after: "provider: ", says: "did you mean 'openai'?"),
            HostileCase("a provider in capitals", asset("    prompt: a cat\n    provider: OpenAI\n"),
                        after: "provider: ", says: "'provider' must be one of openai, placeholder"),
            HostileCase("an unknown provider in defaults", "version: 1\ndefaults: { provider: dall-e }\nassets:\n  a: { prompt: a cat }\n",
                        after: "provider: ", says: "'provider' must be one of openai, placeholder"),
            HostileCase("settings for a provider that does not exist", asset("    prompt: a cat\n", head: "providers:\n  opneai: { retries: 2 }\n"),
                        status: 0, after: "opneai", onNeedle: true, says: "settings for provider 'opneai', which does not exist"),
            HostileCase("--provider that does not exist", asset("    prompt: a cat\n"), status: 2,
                        says: "--provider must be one of openai, placeholder, not 'midjourney'")
                .with { $0.buildArguments = ["--provider", "midjourney"]; $0.validateStatus = 0 },
            HostileCase("--provider misspelt", asset("    prompt: a cat\n"), status: 2, says: "(did you mean 'openai'?)")
                .with { $0.buildArguments = ["--provider", "opneai"]; $0.validateStatus = 0 },
            HostileCase("--max-cost nan", asset("    prompt: a cat\n"), status: 2, says: "--max-cost must be a number")
                .with { $0.buildArguments = ["--max-cost", "nan"]; $0.validateStatus = 0 },
            HostileCase("--max-cost inf", asset("    prompt: a cat\n"), status: 2, says: "--max-cost must be a number")
                .with { $0.buildArguments = ["--max-cost", "inf"]; $0.validateStatus = 0 },
            HostileCase("--retries a million", asset("    prompt: a cat\n"), status: 2, says: "--retries must be 0–100")
                .with { $0.buildArguments = ["--retries", "1000000"]; $0.validateStatus = 0 },
            HostileCase("--jobs 0", asset("    prompt: a cat\n"), status: 2, says: "--jobs must be 1–1000")
                .with { $0.buildArguments = ["--jobs", "0"]; $0.validateStatus = 0 },
            HostileCase("a base_url port past 65535", asset("    prompt: a cat\n", head: "providers:\n  openai: { base_url: \"http://127.0.0.1:99999/v1\" }\n"),
                        after: "base_url: ", says: "has port 99999"),
            HostileCase("a base_url rendered from the environment that is not http", asset("    prompt: a cat\n", head: "env: [BU]\nproviders:\n  openai: { base_url: \"{{env.BU}}\" }\n"),
                        after: "base_url: ", says: "renders to a value that must start with http:// or https://")
                .with { $0.environment["BU"] = "ftp://example.com/v1" },
            HostileCase("OPENAI_BASE_URL that is not a URL", asset("    prompt: a cat\n"), status: 2, says: "OPENAI_BASE_URL must be an http:// or https:// URL")
                .with { $0.environment["OPENAI_BASE_URL"] = "http://127.0.0.1:99999/v1"; $0.validateStatus = 0 },
            HostileCase("a control character in an asset name", "version: 1\nassets:\n  \"a\\ec\": { prompt: x }\n",
                        after: "\"a", onNeedle: true, says: "\\u{1b}"),
        ]
    }

    static var matrix: [HostileCase] {
        [
            HostileCase("exlude", asset("    matrix:\n      c: [red, blue]\n      exlude: [{ c: red }]\n    prompt: \"{{c}}\"\n"),
                        after: "exlude", onNeedle: true, says: "did you mean 'exclude'?"),
            HostileCase("inlcude", asset("    matrix:\n      c: [red, blue]\n      inlcude: [{ c: gold }]\n    prompt: \"{{c}}\"\n"),
                        after: "inlcude", onNeedle: true, says: "did you mean 'include'?"),
            HostileCase("Exclude", asset("    matrix:\n      c: [red, blue]\n      Exclude: [{ c: red }]\n    prompt: \"{{c}}\"\n"),
                        after: "Exclude", onNeedle: true, says: "did you mean 'exclude'?"),
            HostileCase("INCLUDE", asset("    matrix:\n      c: [red, blue]\n      INCLUDE: [{ c: gold }]\n    prompt: \"{{c}}\"\n"),
                        after: "INCLUDE", onNeedle: true, says: "did you mean 'include'?"),
            HostileCase("every combination excluded", asset("    matrix:\n      c: [red, blue]\n      exclude: [{ c: red }, { c: blue }]\n    prompt: \"{{c}}\"\n"),
                        after: "matrix:", onNeedle: true, says: "has no variants"),
            HostileCase("a product past 64 bits", asset("    matrix:\n" + (1...10).map { "      x\($0): [\((1...100).map(String.init).joined(separator: ", "))]\n" }.joined() + "    prompt: hi\n"),
                        after: "matrix:", onNeedle: true, says: "more than 10^18 variants"),
            HostileCase("an exact count with excludes", asset("    matrix:\n      x: [\((1...200).map(String.init).joined(separator: ", "))]\n      y: [\((1...200).map(String.init).joined(separator: ", "))]\n      exclude: [{ x: 1 }]\n    prompt: \"{{x}} {{y}}\"\n"),
                        after: "matrix:", onNeedle: true, says: "expands to 39,800 variants"),
            HostileCase("a duplicate include", asset("    matrix:\n      c: [red]\n      include: [{ c: gold }, { c: gold }]\n    prompt: \"{{c}}\"\n"),
                        status: 0, after: "include: [{ c: gold }, ", says: "duplicate include entry"),
            HostileCase("variant ids that differ only in case", asset("    matrix:\n      c: [Red, red]\n    prompt: \"{{c}}\"\n"),
                        status: 0, after: "c: [Red", onNeedle: true, says: "differ only in case"),
            HostileCase("outputs that differ only in case", "version: 1\nassets:\n  a: { prompt: a, output: x/A.png }\n  b: { prompt: b, output: x/a.png }\n",
                        status: 0, after: "output: ", occurrence: 2, says: "differ only in case"),
            HostileCase("an env name declared and never read", "version: 1\nenv: [BRAND]\nassets:\n  a: { prompt: a cat }\n",
                        status: 0, after: "BRAND", onNeedle: true, says: "no template reads it"),
        ]
    }

    static var all: [HostileCase] { prompts + strings + providers + matrix }
}
