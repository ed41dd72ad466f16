import Foundation
import KilnCache
import NIOHTTP1

/// An S3 cache (AWS, MinIO, R2, moto, …): `<prefix>/cas/<sha256>` and `<prefix>/ac/<key>` in the
/// bucket (no leading slash when the prefix is empty), every request signed with SigV4 in headers.
/// The payload hash signed is the body's real SHA-256 (the store hashed an upload's file first, so
/// a streamed upload needs no `UNSIGNED-PAYLOAD`).
struct S3CacheLayout: RemoteLayout {
    let configuration: S3Configuration
    let signer: SigV4Signer
    /// The time a request is signed at (a test may fix it).
    let now: @Sendable () -> Date

    init(configuration: S3Configuration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.now = now
    }

    var name: String {
        "s3://\(configuration.bucket)" + (configuration.prefix.isEmpty ? "" : "/\(configuration.prefix)")
    }

    var secrets: [String] { configuration.credentials.secrets }

    /// The object key of `address`: `<prefix>/cas/<sha256>` or `<prefix>/ac/<key>`.
    func key(_ address: CacheAddress) -> String {
        Self.path(address, under: configuration.prefix)
    }

    func request(_ method: HTTPMethod, _ address: CacheAddress, payloadSHA256: String) -> RemoteRequest {
        let url = configuration.objectURL(key(address))
        let own: [(name: String, value: String)] = method == .PUT ? [("Content-Type", "application/octet-stream")] : []
        let signed = signer.sign(.init(method: method.rawValue, url: url, headers: own, payloadSHA256: payloadSHA256),
                                 at: now())
        return RemoteRequest(method: method, url: url.absoluteString, headers: HTTPHeaders((own + signed.headers).map { ($0.name, $0.value) }),
                             label: Self.label(method, address))
    }

    /// S3's error document (`<Code>` and `<Message>`; a HEAD's answer has none), with what to check.
    func explain(_ answer: RemoteAnswer) -> AnswerExplanation {
        let document = S3ErrorDocument(answer.errorBody)
        var explanation = AnswerExplanation(detail: document.summary)
        let credentials = "Check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), that the key may "
            + "read and write \(name), and the machine's clock."
        let region = "Set AWS_REGION to the bucket's region (now \(configuration.region))"
            + (configuration.endpoint == nil ? ", or AWS_ENDPOINT_URL for a store other than AWS." : ".")
        switch (answer.status, document.code) {
        case (_, "NoSuchBucket"):
            explanation.kind = .refused
            explanation.hint = "Create the bucket \(configuration.bucket), or name one that exists."
        case (_, "AuthorizationHeaderMalformed"), (_, "PermanentRedirect"), (301, _):
            explanation.kind = .refused
            explanation.hint = region
        case (401, _), (403, _):
            explanation.hint = credentials
        default:
            break
        }
        return explanation
    }
}

/// The `<Code>` and `<Message>` of an S3 error document. Nothing else of it is kept: a
/// `SignatureDoesNotMatch` answer quotes the canonical request, which may hold a session token.
struct S3ErrorDocument {
    var code: String?
    var message: String?

    init(_ body: Data) {
        let text = String(decoding: body, as: UTF8.self)
        code = Self.element("Code", in: text)
        message = Self.element("Message", in: text).map { $0.count > 200 ? String($0.prefix(200)) + "…" : $0 }
    }

    /// `Code: Message`, the code alone, or nil.
    var summary: String? {
        guard let code else { return message }
        return message.map { "\(code): \($0)" } ?? code
    }

    private static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        let value = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }
}
