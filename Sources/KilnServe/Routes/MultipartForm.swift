import Foundation
import KilnCore
import MultipartKit
import NIOCore

/// A `multipart/form-data` body split into parts (name, filename, content type, bytes), for the
/// edit routes. Anything that does not parse is a 400 naming the body, never a crash.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: Data
    }

    var parts: [Part] = []

    init(contentType: String?, body: ByteBuffer) throws {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw ServeError.invalid("body", "Send the edit as multipart/form-data (image, mask, prompt, …).", code: "invalid_content_type")
        }
        guard let boundary = HeaderParameter.value("boundary", in: contentType), !boundary.isEmpty else {
            throw ServeError.invalid("body", "The multipart Content-Type has no boundary.", code: "invalid_multipart")
        }
        let parser = MultipartParser(boundary: boundary)
        var headers: [String: String] = [:]
        var data = Data()
        var collected: [Part] = []
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in data.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            let disposition = headers["content-disposition"] ?? ""
            collected.append(Part(name: HeaderParameter.value("name", in: disposition) ?? "",
                                  filename: HeaderParameter.value("filename", in: disposition),
                                  contentType: headers["content-type"], data: data))
            headers = [:]
            data = Data()
        }
        do {
            try parser.execute(body)
        } catch {
            throw ServeError.invalid("body", "The multipart body is malformed (\(type(of: error))).", code: "invalid_multipart")
        }
        guard !collected.isEmpty else {
            throw ServeError.invalid("body", "The multipart body has no parts.", code: "invalid_multipart")
        }
        parts = collected
    }
}
