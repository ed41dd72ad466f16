import ArgumentParser
import Foundation
import KilnServe

/// `kiln serve`: the image server apps call instead of holding the OpenAI key (docs/serve.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve images over HTTP: apps ask, Kiln applies the rules, calls OpenAI, caches and answers URLs.",
        discussion: """
        The OpenAI key comes from OPENAI_API_KEY or the file the configuration's api_key_file names; clients authenticate with tokens from `kiln serve token new NAME`. The first line on stdout is the URL the server listens on (with --port 0, the port the system picked). SIGTERM or Ctrl-C stops accepting, lets requests in flight finish and exits. Docs: docs/serve.md.

        Examples:
          kiln serve token new web --config serve.yaml
          kiln serve --config serve.yaml --port 8080
          kiln serve --provider placeholder --port 0
        """,
        subcommands: [ServeTokenCommand.self, ServeAuditCommand.self])

    @OptionGroup var serve: ServeArguments
    @OptionGroup var remote: RemoteCacheArguments

    func run() async throws {
        let status = await ServeSession(arguments: serve, remote: remote).run()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// `kiln serve token …`.
struct ServeTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage client tokens.",
                                                    subcommands: [ServeTokenNewCommand.self])
}

/// `kiln serve token new NAME`: prints a fresh token once and appends its SHA-256 to the config.
struct ServeTokenNewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Print a new client token once and add its hash to the configuration.",
        discussion: "The token is printed on stdout and never stored: only its SHA-256 goes into the file (the rest of the file is kept as written).")

    @Argument(help: "The client's name (letters, digits, '-', '_', '.'): audit lines and limits are kept by it.")
    var name: String

    @Option(help: "The configuration file (created when missing).")
    var config = "serve.yaml"

    func run() async throws {
        do {
            let token = try TokenIssuer.issue(name: name, configPath: config)
            Console.out(token + "\n")
            Console.err("added token '\(name)' to \(config); this is the only time it is shown")
        } catch {
            Console.err("error: \(error)")
            throw ExitCode(ExitStatus.invalid.rawValue)
        }
    }
}

/// `kiln serve`'s own flags.
struct ServeArguments: ParsableArguments {
    @Option(help: "The address to listen on (default: the configuration's listen.host, else 127.0.0.1).")
    var host: String?

    @Option(help: "The port (0: a free one, printed on the first line of stdout; default: listen.port, else 8080).")
    var port: Int?

    @Option(help: "The configuration file (default: serve.yaml when it exists).")
    var config: String?

    @Option(help: "openai or placeholder (offline, no key); default: the configuration's provider, else openai.")
    var provider: String?

    @Option(help: "Send OpenAI requests to this base URL (like https://api.openai.com/v1).")
    var baseURL: String?

    @Flag(help: "Log each request's failures in more detail.")
    var verbose = false

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0–65535, not \(port)") }
        if let provider { try ProviderArgument.check(provider) }
    }
}
