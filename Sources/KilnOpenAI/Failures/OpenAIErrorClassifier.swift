import Foundation
import KilnCore

/// The Images API's error envelope: `{"error": {"message", "type", "param", "code"}}`.
struct OpenAIErrorEnvelope: Decodable {
    struct Body: Decodable {
        var message: String?
        var type: String?
        var param: String?
        var code: String?
    }
    var error: Body
}

/// Turns a non-2xx answer into a `ProviderError` a person can act on, and says whether to retry.
struct OpenAIErrorClassifier {
    /// What the call was for, starting each message: `step demo/hero/generate`, `batch batch_abc`.
    var subject: String
    /// The model the call used; nil for calls that name none (the Files and Batches endpoints).
    var model: String?
    var redactor: SecretRedactor

    init(stepID: StepID, model: String, redactor: SecretRedactor) {
        self.init(subject: "step \(stepID)", model: model, redactor: redactor)
    }

    init(subject: String, model: String?, redactor: SecretRedactor) {
        self.subject = subject
        self.model = model
        self.redactor = redactor
    }

    struct Classified {
        var error: ProviderError
        var retryable: Bool
    }

    func classify(status: Int, body: Data, requestID: String?, shouldRetry: Bool?) -> Classified {
        let envelope = try? JSONDecoder().decode(OpenAIErrorEnvelope.self, from: body)
        let code = envelope?.error.code
        let param = envelope?.error.param
        let serverText = redactor.redact(envelope?.error.message
            ?? String(decoding: body.prefix(300), as: UTF8.self))
        let said = serverText.isEmpty ? "" : " OpenAI said: \(serverText)"
        let step = subject
        let forModel = model.map { " for model '\($0)'" } ?? ""

        func make(_ kind: ProviderError.Kind, _ text: String, stops: Bool = false, retry: Bool = false,
                  honourHeader: Bool = true) -> Classified {
            let retryable = honourHeader ? (shouldRetry ?? retry) : retry
            return Classified(error: ProviderError(kind, text, requestID: requestID, stopsRun: stops), retryable: retryable)
        }

        if code == "moderation_blocked" || envelope?.error.type == "image_generation_user_error" {
            return make(.moderationBlocked, "\(step): OpenAI's safety system rejected the request "
                + "(moderation_blocked). Reword the prompt (or replace the input images) and build again; "
                + "Kiln does not retry this.\(said)", honourHeader: false)
        }
        if status == 429, code == "insufficient_quota" || code == "credit_balance_exhausted"
            || envelope?.error.type == "insufficient_quota" {
            return make(.quotaExhausted, "\(step): the OpenAI account is out of quota or credit "
                + "(\(code ?? "insufficient_quota")). Add credit or raise the billing limit, then build again; "
                + "the run stops starting new calls and keeps the results already received.\(said)",
                stops: true, honourHeader: false)
        }
        switch status {
        case 400, 422:
            let named = param.map { "parameter '\($0)'" } ?? "the request"
            return make(.invalidRequest, "\(step): OpenAI rejected \(named)\(forModel) "
                + "(\(status) \(code ?? "invalid_request_error")). Fix the step's parameters in the manifest.\(said)")
        case 401:
            return make(.authentication, "\(step): OpenAI rejected the API key (401 \(code ?? "invalid_api_key")). "
                + "Set OPENAI_API_KEY to a valid key; the run stops because every call would fail the same way.\(said)",
                stops: true, honourHeader: false)
        case 403:
            return make(.permission, "\(step): this key has no access\(model.map { " to model '\($0)'" } ?? "") (403). Check that the "
                + "organization is verified and the project may use the model (OPENAI_ORG_ID, OPENAI_PROJECT_ID); "
                + "the run stops.\(said)", stops: true, honourHeader: false)
        case 404 where model == nil:
            return make(.invalidRequest, "\(step): OpenAI does not know it (404 \(code ?? "not_found")): the file or "
                + "batch is gone (deleted, expired) or belongs to another project.\(said)")
        case 404:
            return make(.modelNotFound, "\(step): model '\(model ?? "")' was not found or this key cannot use it (404 "
                + "\(code ?? "model_not_found")). Check the model name, or verify the organization for it.\(said)")
        case 408:
            return make(.timeout, "\(step): OpenAI timed out the request (408).\(said)", retry: true)
        case 409:
            return make(.server, "\(step): OpenAI reported a conflict (409); retrying is safe.\(said)", retry: true)
        case 429:
            return make(.rateLimited, "\(step): OpenAI rate limit reached (429 \(code ?? "rate_limit_exceeded")). "
                + "Lower providers.openai.max_in_flight or providers.openai.requests_per_minute.\(said)", retry: true)
        case 500...:
            return make(.server, "\(step): OpenAI had a server error (\(status) \(code ?? "server_error")). "
                + "This is usually temporary: build again later.\(said)", retry: true)
        default:
            return make(.invalidRequest, "\(step): OpenAI answered \(status) \(code ?? "").\(said)",
                        retry: RetryPolicy.isRetryable(status: status))
        }
    }
}
