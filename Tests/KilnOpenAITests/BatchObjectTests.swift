import Foundation
import Testing
@testable import KilnOpenAI

@Suite("Batch and file objects decode as the service sends them")
struct BatchObjectTests {
    @Test("Every field of Batch, nulls where not yet set, and an unknown status kept")
    func decodes() throws {
        let json = """
        {"id":"batch_1","object":"batch","endpoint":"/v1/images/generations","errors":null,"input_file_id":"file-1",
         "completion_window":"24h","status":"paused_for_review","output_file_id":null,"error_file_id":null,
         "created_at":1711471533,"in_progress_at":null,"expires_at":null,"finalizing_at":null,"completed_at":null,
         "failed_at":null,"expired_at":null,"cancelling_at":null,"cancelled_at":null,"model":null,"usage":null,
         "request_counts":{"total":0,"completed":0,"failed":0},"metadata":null,"some_new_field":{"x":1}}
        """
        let batch = try JSONDecoder.batchAPI.decode(BatchObject.self, from: Data(json.utf8))
        #expect(batch.status == .other("paused_for_review"))
        #expect(!batch.status.isFinal)
        #expect(batch.outputFileId == nil && batch.model == nil && batch.metadata == nil)
        let full = """
        {"id":"batch_2","object":"batch","endpoint":"/v1/images/edits","model":"gpt-image-1.5",
         "errors":{"object":"list","data":[{"code":"url_mismatch","message":"m","param":null,"line":4}]},
         "input_file_id":"file-2","completion_window":"24h","status":"failed","created_at":1,"failed_at":2,
         "usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":7,
                  "output_tokens_details":{"reasoning_tokens":0},"total_tokens":12},
         "metadata":{"build":"b1"}}
        """
        let failed = try JSONDecoder.batchAPI.decode(BatchObject.self, from: Data(full.utf8))
        #expect(failed.status == .failed && failed.status.isFinal)
        #expect(failed.validationErrors == [BatchErrorItem(code: "url_mismatch", message: "m", param: nil, line: 4)])
        #expect(failed.usage?.totalTokens == 12)
        #expect(failed.requestCounts == nil)
        #expect(failed.metadata == ["build": "b1"])
        for status in ["validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled"] {
            #expect(BatchStatus(status).description == status)
            if case .other = BatchStatus(status) { Issue.record("\(status) not known") }
        }
    }
}
