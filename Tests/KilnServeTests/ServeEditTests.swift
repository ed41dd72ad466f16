import Foundation
import KilnCore
import KilnTestSupport
import Testing
@testable import KilnServe

/// A multipart/form-data body built by hand, as a browser or the SDK sends it.
struct Form {
    let boundary = "kiln-test-boundary-7d1f"
    var data = Data()

    mutating func field(_ name: String, _ value: String) {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    mutating func file(_ name: String, _ filename: String, _ bytes: Data, type: String = "image/png") {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8))
        data.append(bytes)
        data.append(Data("\r\n".utf8))
    }

    /// An edit's form: the images under `field`, the mask, the prompt and more text fields.
    static func edit(_ images: [Data], field: String = "image", mask: Data? = nil, prompt: String = "add a hat",
                     _ fields: [(String, String)] = []) -> Form {
        var form = Form()
        for (i, image) in images.enumerated() { form.file(field, i == 0 ? "photo.png" : "p\(i).png", image) }
        if let mask { form.file("mask", "mask.png", mask) }
        form.field("prompt", prompt)
        for (name, value) in fields { form.field(name, value) }
        return form
    }

    var body: Data { data + Data("--\(boundary)--\r\n".utf8) }
    var contentType: (String, String) { ("Content-Type", "multipart/form-data; boundary=\(boundary)") }
}

@Suite("kiln serve: edits")
struct ServeEditTests {
    func post(_ serve: ServeHarness, _ form: Form, path: String = "/api/images/edits") async throws -> Reply {
        try await serve.send(.POST, path, headers: [form.contentType], body: form.body)
    }

    @Test("an edit with a mask is paid once and cached by its inputs' digests")
    func editWithMask() async throws {
        try await withServe { serve in
            let low = [("size", "1024x1024"), ("quality", "low")]
            let form = Form.edit([TestPNG.make(width: 64, height: 64)], mask: TestPNG.make(width: 64, height: 64, alpha: true), low)
            let reply = try await post(serve, form)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.digests.count == 1)
            #expect(try await post(serve, form).digests == reply.digests)
            #expect(await serve.upstreamCalls == 1)
            // Other input images are another request.
            let other = Form.edit([TestPNG.make(width: 64, height: 64, seed: 9), TestPNG.make(width: 32, height: 32)], field: "image[]", low)
            #expect(try await post(serve, other).status == 200)
            #expect(await serve.upstreamCalls == 2)
        }
    }

    @Test("pre-flight refusals come before any paid call")
    func preflight() async throws {
        try await withServe { serve in
            let photo = TestPNG.make(width: 64, height: 64)
            let mask = try await post(serve, .edit([photo], mask: TestPNG.make(width: 32, height: 32, alpha: true)))
            #expect(mask.status == 400)
            #expect(mask.errorParam == "mask")
            #expect(mask.text.contains("must match the first image"))
            #expect(try await post(serve, .edit([photo], mask: TestPNG.make(width: 64, height: 64))).errorParam == "mask")

            var text = Form()
            text.file("image", "notes.png", Data("just some text, not an image at all".utf8))
            text.field("prompt", "add a hat")
            let notImage = try await post(serve, text)
            #expect(notImage.status == 400)
            #expect(notImage.errorParam == "image")
            #expect(notImage.text.contains("notes.png"))

            let tooMany = try await post(serve, .edit(Array(repeating: TestPNG.make(width: 16, height: 16), count: 17), field: "image[]"))
            #expect(tooMany.status == 400)
            #expect(tooMany.errorParam == "image")
            #expect(try await post(serve, .edit([])).errorParam == "image")
            #expect(try await post(serve, .edit([photo], [("moderation", "low")])).errorCode == "unknown_parameter")

            let garbage = try await serve.send(.POST, "/api/images/edits", headers: [("Content-Type", "multipart/form-data; boundary=zz")],
                                               body: Data("this is not multipart".utf8))
            #expect(garbage.status == 400)
            #expect(garbage.errorParam == "body")
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("the gateway's edits take the SDK's form (image[] parts) and answer b64_json")
    func gatewayEdit() async throws {
        try await withServe { serve in
            var form = Form()
            form.file("image[]", "a.png", TestPNG.make(width: 64, height: 64))
            form.field("prompt", "make it blue")
            form.field("model", "gpt-image-1.5")
            form.field("n", "1")
            form.field("quality", "low")
            let reply = try await post(serve, form, path: "/v1/images/edits")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.string("data", "0", "b64_json") != nil)
            #expect(await serve.upstreamCalls == 1)
        }
    }
}
