import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import NIOCore

/// `POST /api/builds {target}`: a pipeline build of the served project, its progress streamed as
/// Server-Sent Events (`data: <event JSON>`), then `event: done` with the exit status.
extension ServeRoutes {
    func startBuild(_ request: Request) async -> Response {
        await handle("/api/builds", request) { _ in
            let name = try client(request)
            if let allowed = config.buildClients, !allowed.contains(name) {
                throw ServeError(status: 403, "This client may not start builds (build_clients in the server's configuration).",
                                 code: "builds_not_allowed", outcome: "refused:builds_not_allowed")
            }
            try admit(name)
            guard let builds else {
                throw ServeError(status: 404, "This server runs no builds (start it in a project folder with pipelines/).",
                                 code: "builds_unavailable")
            }
            let fields = try await jsonFields(request)
            for (name, _) in fields.values where name != "target" { throw ServeError.unknownParameter(name) }
            let target = try fields.string("target")
            guard await builds.take() else {
                throw ServeError(status: 409, "A build is already running; wait for it to finish.", code: "build_running",
                                 outcome: "refused:busy")
            }
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
            let runner = builds.runner
            Task {
                let status: Int32
                do {
                    status = try await runner.build(target: target) { line in
                        continuation.yield(ByteBuffer(string: "data: \(line)\n\n"))
                    }
                } catch {
                    continuation.yield(ByteBuffer(string: "event: error\ndata: \(JSONValue.string("\(error)").rendered())\n\n"))
                    status = 1
                }
                continuation.yield(ByteBuffer(string: "event: done\ndata: {\"status\": \(status)}\n\n"))
                continuation.finish()
                await builds.free()
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: .init(asyncSequence: stream))
        }
    }

    /// `/` and `/kiln-gallery/…`: the project's review page from `outputs/`, read-only. Each path
    /// segment must be a plain name (no `..`, no `%`, no hidden files), and the file must resolve
    /// inside `outputs/` after symbolic links.
    func gallery(_ request: Request, path: String) async -> Response {
        await handle("/gallery", request) { _ in
            _ = try client(request)
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("%") && !$0.contains("\\") }) else {
                throw ServeError.invalid("path", "Not a gallery path.", code: "invalid_path")
            }
            let outputs = URL(fileURLWithPath: config.projectDirectory).appendingPathComponent("outputs").resolvingSymlinksInPath()
            let file = outputs.appendingPathComponent(path).resolvingSymlinksInPath()
            guard file.path.hasPrefix(outputs.path + "/"), let data = PosixFile.read(file.path) else {
                throw ServeError(status: 404, "No such gallery file (run `kiln build` to make the gallery).", code: "not_found",
                                 outcome: "refused:not_found")
            }
            var headers = HTTPFields()
            headers[.contentType] = Self.contentType(file.pathExtension)
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static func contentType(_ ext: String) -> String {
        switch ext.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "webp": "image/webp"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }
}
