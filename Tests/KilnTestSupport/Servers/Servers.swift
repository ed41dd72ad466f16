import Foundation

/// Which real servers this machine can run for the backend tests. `make test` installs them when it
/// can (nginx-light; `pip install moto[server] awscli boto3`); without them the suites are skipped,
/// unless `KILN_REQUIRE_SERVERS=1` (CI) makes a missing one a failure.
public enum Servers {
    public static var required: Bool { ProcessInfo.processInfo.environment["KILN_REQUIRE_SERVERS"] == "1" }

    /// nginx with the WebDAV module (Debian's nginx-light has it).
    public static let nginx: String? = {
        guard let path = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile)
        else { return nil }
        return Blocking.command([path, "-V"]).output.contains("http_dav_module") ? path : nil
    }()

    /// moto's server and boto3 (for the IAM set-up) in python3.
    public static let moto: Bool = Blocking.command(["python3", "-c", "import moto.server, boto3"]).status == 0

    /// The AWS CLI, to list what Kiln wrote as another S3 client sees it.
    public static let awsCLI: Bool = Blocking.command(["aws", "--version"]).status == 0

    /// Python 3 alone, for the scripted misbehaving server.
    public static let python: Bool = Blocking.command(["python3", "-c", "import socket"]).status == 0

    /// Where the servers' helper scripts are (this folder).
    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// Fails with what to install when a required server cannot run here.
    public static func need(_ available: Bool, _ what: String) throws {
        guard available else {
            throw ServerError("\(what) is not installed here, and KILN_REQUIRE_SERVERS=1 requires it: "
                + "apt-get install nginx-light; python3 -m pip install 'moto[server]' awscli boto3")
        }
    }
}
