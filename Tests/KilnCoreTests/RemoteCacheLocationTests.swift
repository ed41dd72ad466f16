import Foundation
@testable import KilnCore
import Testing

@Suite struct RemoteCacheLocationTests {
    @Test func httpAndS3LocationsParse() throws {
        #expect(try RemoteCacheLocation(parsing: "http://127.0.0.1:8080/kiln") == .http(URL(string: "http://127.0.0.1:8080/kiln")!))
        #expect(try RemoteCacheLocation(parsing: "s3://team-cache/kiln/v1/") == .s3(bucket: "team-cache", prefix: "kiln/v1"))
        #expect(try RemoteCacheLocation(parsing: "s3://team-cache") == .s3(bucket: "team-cache", prefix: ""))
        #expect(try RemoteCacheLocation(parsing: "file:///mnt/kiln-cache") == .folder(URL(fileURLWithPath: "/mnt/kiln-cache")))
    }

    @Test(arguments: ["", "ftp://host/x", "s3://", "s3://Bad_Bucket/x", "http://user:secret@host/x",
                      "http://host/x?token=secret", "http://user:secret@pw@cachehost/x", "/local/path", "s3://ab", "file://", "file://server/share"])
    func otherTextIsRefusedWithWhatIsAccepted(_ text: String) {
        #expect(throws: RemoteCacheLocationError.self) { try RemoteCacheLocation(parsing: text) }
        do {
            _ = try RemoteCacheLocation(parsing: text)
        } catch {
            #expect(error.description.contains("s3://BUCKET") && error.description.contains("http(s)://"))
            #expect(!error.description.contains("secret"), "a credential in the URL was echoed")
        }
    }
}
