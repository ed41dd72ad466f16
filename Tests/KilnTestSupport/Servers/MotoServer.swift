import Foundation
import Testing

/// moto's S3 on 127.0.0.1 with signatures checked: started with the first five calls free of
/// authentication, which `Fixtures/moto_setup.py` spends on an IAM user, its key, a policy allowing
/// everything and the two buckets; every later request must be signed with that key.
public struct MotoServer: ScopedServer {
    public let process: ServerProcess
    public let accessKeyID: String
    public let secretAccessKey: String

    /// A bucket used with a prefix, and one used at its root.
    public static let bucket = "kiln-test"
    public static let rootBucket = "kiln-root"

    /// The server a suite with `MotoServer.scope` runs against.
    @TaskLocal public static var current: MotoServer?

    public var endpoint: String { "http://127.0.0.1:\(process.port)" }

    /// The environment Kiln (or the AWS CLI) reads: the key, the endpoint, the region; no config
    /// files of the machine's.
    public func environment(secret: String? = nil) -> [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secret ?? secretAccessKey,
         "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
         "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
    }

    public static func start() async throws -> MotoServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-moto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let port = LoopbackPort.free()
        let process = try await ServerProcess.start("moto", ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"],
                                                    port: port, folder: folder,
                                                    environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "5"])
        let setup = Servers.fixtures.appendingPathComponent("moto_setup.py").path
        let (status, output) = try await Blocking.run {
            Blocking.command(["python3", setup, "\(port)", bucket, rootBucket])
        }
        guard status == 0, let line = output.split(separator: "\n").last,
              let key = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
              let id = key["id"], let secret = key["secret"] else {
            process.stop()
            throw ServerError("moto_setup.py failed (status \(status)):\n\(output)\nmoto said:\n\(process.output)")
        }
        return MotoServer(process: process, accessKeyID: id, secretAccessKey: secret)
    }

    /// `aws s3 ls s3://<bucket>/ --recursive` against this server: the keys, one a line.
    ///
    /// The bucket's root is listed, not `s3://bucket/prefix/`: the AWS CLI sends a listing's `prefix=`
    /// with its `/` unencoded while signing it encoded, and moto 5.2.1 checks the signature against
    /// the query as sent, so a listing of a prefix with a `/` gets 403 SignatureDoesNotMatch there.
    public func listKeys(bucket: String) async throws -> [String] {
        let environment = environment()
        let endpoint = endpoint
        let (status, output) = try await Blocking.run {
            Blocking.command(["aws", "--endpoint-url", endpoint, "s3", "ls", "s3://\(bucket)/", "--recursive"],
                             environment: environment)
        }
        guard status == 0 else { throw ServerError("aws s3 ls failed (status \(status)):\n\(output)") }
        // "2026-12-03 18:50:38          3 p/ac/0123456789": the key is the fourth field.
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
            return fields.count == 4 ? String(fields[3]) : nil
        }
    }

    /// Starts moto once for the suite it is attached to, and stops it after the suite's last test.
    public static var scope: ServerScope<MotoServer> { ServerScope() }
    public static var local: TaskLocal<MotoServer?> { $current }

    public static func checkInstalled() throws {
        try Servers.need(Servers.moto, "moto's server with boto3 (python3 -m pip install 'moto[server]' boto3)")
    }
}
