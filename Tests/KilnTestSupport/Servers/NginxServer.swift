import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// nginx with WebDAV PUT on 127.0.0.1, as an HTTP cache is commonly run: everything under a temp
/// folder (config, logs, temp files, the document root), so it runs as an ordinary user too.
/// `/cache/` is open; `/basic/` wants basic auth and `/bearer/` a bearer token.
public struct NginxServer: ScopedServer {
    public let process: ServerProcess
    public var root: URL { process.folder.appendingPathComponent("root") }

    public static let user = "kiln"
    public static let password = "nginx-basic-s3cret"
    public static let token = "nginx-bearer-t0ken-9f1c"

    /// The server a suite with `NginxServer.scope` runs against.
    @TaskLocal public static var current: NginxServer?

    /// `http://127.0.0.1:PORT/<path>`.
    public func base(_ path: String = "cache") -> URL {
        URL(string: "http://127.0.0.1:\(process.port)/\(path)")!
    }

    public static func start() async throws -> NginxServer {
        let nginx = try #require(Servers.nginx, "nginx with the WebDAV module is not installed")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-nginx-\(UUID().uuidString)")
        for sub in ["root", "tmp"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let port = LoopbackPort.free()
        try "\(user):{PLAIN}\(password)\n".write(to: folder.appendingPathComponent("htpasswd"), atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("nginx.conf")
        try configuration(folder: folder.path, port: port).write(to: config, atomically: true, encoding: .utf8)
        let process = try await ServerProcess.start("nginx", [nginx, "-p", folder.path, "-c", config.path,
                                                              "-e", folder.path + "/error.log"], port: port, folder: folder,
                                                  stopSignal: SIGTERM)
        return NginxServer(process: process)
    }

    /// The config: one worker; as root, workers run as root (else they could not write the temp
    /// folder); WebDAV PUT with folders made as needed; bodies up to 64 MB.
    public static func configuration(folder: String, port: Int) -> String {
        """
        daemon off;
        \(geteuid() == 0 ? "user root;" : "")
        worker_processes 1;
        pid \(folder)/nginx.pid;
        error_log \(folder)/error.log warn;
        events { worker_connections 256; }
        http {
            access_log \(folder)/access.log;
            client_body_temp_path \(folder)/tmp/body;
            proxy_temp_path \(folder)/tmp/proxy;
            fastcgi_temp_path \(folder)/tmp/fastcgi;
            uwsgi_temp_path \(folder)/tmp/uwsgi;
            scgi_temp_path \(folder)/tmp/scgi;
            server {
                listen 127.0.0.1:\(port);
                root \(folder)/root;
                client_max_body_size 64m;
                dav_methods PUT;
                create_full_put_path on;
                location /basic/ {
                    auth_basic "kiln";
                    auth_basic_user_file \(folder)/htpasswd;
                }
                location /bearer/ {
                    if ($http_authorization != "Bearer \(token)") { return 401; }
                }
            }
        }

        """
    }

    /// The requests nginx logged so far (one line each).
    public var accessLog: String {
        (try? String(contentsOf: process.folder.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
    }

    /// Starts nginx once for the suite it is attached to, and stops it after the suite's last test.
    public static var scope: ServerScope<NginxServer> { ServerScope() }
    public static var local: TaskLocal<NginxServer?> { $current }

    public static func checkInstalled() throws {
        try Servers.need(Servers.nginx != nil, "nginx with the WebDAV module (nginx-light)")
    }
}
