import Foundation

/// An error answer in the service's envelope: `{"error": {"message", "type", "param", "code"}}`.
struct FakeAPIError: Error {
    var status: Int
    var message: String
    var type: String = "invalid_request_error"
    var param: String?
    var code: String?
    var headers: [String: String] = [:]

    static func invalid(_ param: String, _ message: String, code: String = "invalid_value") -> FakeAPIError {
        FakeAPIError(status: 400, message: message, param: param, code: code)
    }

    static func unknown(_ param: String) -> FakeAPIError {
        FakeAPIError(status: 400, message: "Unknown parameter: '\(param)'.", param: param, code: "unknown_parameter")
    }

    var body: Data {
        let object: [String: Any] = ["error": [
            "message": message, "type": type, "param": param as Any? ?? NSNull(), "code": code as Any? ?? NSNull(),
        ]]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
