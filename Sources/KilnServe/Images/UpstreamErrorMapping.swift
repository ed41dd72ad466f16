import KilnCore

/// What a client is told when the image service fails after Kiln's retries. The provider's own
/// message is passed on only for a refusal of the request itself (moderation, an invalid value);
/// anything about the server's account or credentials stays in the server's log.
enum UpstreamErrorMapping {
    static func serveError(_ error: ProviderError) -> ServeError {
        let outcome = "upstream:\(error.kind.rawValue)"
        switch error.kind {
        case .moderationBlocked:
            return ServeError(status: 400, "The image service's safety system refused this request. Rephrase the prompt "
                + "and try again" + (error.requestID.map { " (upstream request id \($0))." } ?? "."),
                type: "image_generation_user_error", param: "prompt", code: "moderation_blocked",
                requestID: error.requestID, outcome: outcome)
        case .invalidRequest:
            return ServeError(status: 400, "The image service refused the request: \(error.message)",
                              code: "upstream_invalid_request", requestID: error.requestID, outcome: outcome)
        case .rateLimited:
            return ServeError(status: 503, "The image service is rate limiting this server; try again shortly.",
                              type: "server_error", code: "upstream_rate_limited", retryAfter: 10,
                              requestID: error.requestID, outcome: outcome)
        case .authentication, .permission, .quotaExhausted, .modelNotFound:
            return ServeError(status: 502, "The image service refused this server's account (\(error.kind.rawValue)); "
                + "the operator has been told in the server's log.", type: "server_error", code: "upstream_account",
                requestID: error.requestID, outcome: outcome)
        case .server, .transport, .timeout, .badResponse:
            return ServeError(status: 502, "The image service failed after retries (\(error.kind.rawValue))"
                + (error.requestID.map { "; upstream request id \($0)." } ?? "."),
                type: "server_error", code: "upstream_error", requestID: error.requestID, outcome: outcome)
        }
    }
}
