import Foundation
import KilnCore
import MultipartKit
import NIOCore

/// A multipart/form-data body split into parts with their names, filenames and content types.
struct FakeMultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var body: [UInt8]
    }

    var parts: [Part] = []

    /// Parts made by hand: the images of a JSON edit, checked by the same code as multipart ones.
    init(parts: [Part]) {
        self.parts = parts
    }

    /// Parses `body` with multipart-kit's `MultipartParser`; nil when it is not well-formed.
    init?(contentType: String, body: ByteBuffer) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = HeaderParameter.value("boundary", in: contentType) else { return nil }
        let parser = MultipartParser(boundary: boundary)
        var headers: [String: String] = [:]
        var data: [UInt8] = []
        var collected: [Part] = []
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in data += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            let disposition = headers["content-disposition"] ?? ""
            collected.append(Part(name: HeaderParameter.value("name", in: disposition) ?? "",
                                  filename: HeaderParameter.value("filename", in: disposition),
                                  contentType: headers["content-type"], body: data))
            headers = [:]
            data = []
        }
        do { try parser.execute(body) } catch { return nil }
        guard !collected.isEmpty else { return nil }
        parts = collected
    }
}
