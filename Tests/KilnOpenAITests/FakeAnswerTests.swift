import Foundation
import KilnCore
import Testing
@testable import KilnFakeOpenAI

@Suite("The fake answers with real images of the requested size and format")
struct FakeAnswerTests {
    let server = FakeServerTests()

    @Test("Generations come back in the requested format and size, with alpha when transparent",
          arguments: ImageFormat.allCases)
    func generation(_ format: ImageFormat) async throws {
        var fields: [String: Any] = ["prompt": "a kiln", "size": "1536x1024", "output_format": format.rawValue, "n": 2]
        if format.supportsAlpha { fields["background"] = "transparent" }
        let answer = try await server.send(path: "/images/generations", contentType: "application/json",
                                           body: server.json(fields))
        #expect(answer.status == 200)
        #expect(answer.images.count == 2)
        for image in answer.images {
            #expect(ImageFormat(sniffing: image) == format)
            let info = try #require(ImageDimensions(Array(image)))
            #expect(info.width == 1536 && info.height == 1024)
            #expect(info.hasAlpha == format.supportsAlpha)
        }
    }

    @Test("An edit answers at the requested size, or at the first image's size for auto",
          arguments: [("1024x1536", 1024, 1536), (nil, 40, 30)] as [(String?, Int, Int)])
    func editSize(size: String?, width: Int, height: Int) async throws {
        var parts: [(name: String, filename: String?, type: String?, body: Data)] = [
            ("image[]", "a.png", "image/png", TinyImageSamples.png(width: 40, height: 30)),
            ("image[]", "b.jpg", "image/jpeg", TinyImageSamples.jpeg(width: 16, height: 16)),
            ("prompt", nil, nil, Data("x".utf8)),
        ]
        if let size { parts.append(("size", nil, nil, Data(size.utf8))) }
        let answer = try await server.send(path: "/images/edits", contentType: "multipart/form-data; boundary=XYZ",
                                           body: server.multipart(parts))
        #expect(answer.status == 200)
        let image = try #require(answer.images.first)
        let info = try #require(ImageDimensions(Array(image)))
        #expect(info.width == width && info.height == height)
    }
}
