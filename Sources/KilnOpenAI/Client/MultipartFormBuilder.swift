import Foundation
import KilnCore

/// Builds a multipart/form-data body in memory, so it is sent with a Content-Length (not chunked).
struct MultipartFormBuilder {
    let boundary: String
    private var body = Data()

    init(boundary: String) {
        self.boundary = boundary
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// A file part whose content type comes from the bytes (what the service checks), falling back
    /// to the declared format; the filename's extension is made to agree with it.
    mutating func addFile(name: String, image: InputImage, fallbackName: String) {
        let format = ImageFormat(sniffing: image.data) ?? image.format
        var filename = (image.name as NSString).lastPathComponent
        if filename.isEmpty { filename = fallbackName }
        if ImageFormat(pathExtension: (filename as NSString).pathExtension) != format {
            filename = (filename as NSString).deletingPathExtension + "." + format.fileExtension
        }
        filename = filename.replacingOccurrences(of: "\"", with: "_")
            .replacingOccurrences(of: "\r", with: "_").replacingOccurrences(of: "\n", with: "_")
        append("--\(boundary)\r\n")
        append("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        append("Content-Type: \(format.mimeType)\r\n\r\n")
        body.append(image.data)
        append("\r\n")
    }

    mutating func addText(name: String, value: String) {
        append("--\(boundary)\r\n")
        append("Content-Disposition: form-data; name=\"\(name)\"\r\n\r\n")
        append(value)
        append("\r\n")
    }

    mutating func finish() -> Data {
        append("--\(boundary)--\r\n")
        return body
    }

    private mutating func append(_ text: String) {
        body.append(contentsOf: Array(text.utf8))
    }
}
