import Foundation
import KilnCore

extension OpenAIProvider {
    /// Runs attempts until one succeeds, a failure is not worth retrying, the retries are spent, or
    /// the step's overall deadline (`effectiveStepTimeout`, counted from the first attempt) passes.
    /// Each attempt's deadline is `requestTimeout`, or what is left of the step's when that is less.
    func runAttempts(_ body: OpenAIRequestBody, for request: ImageRequest) async throws -> ProviderResponse {
        let limiter = await limiters.limiter(for: request.model)
        let policy = RetryPolicy(retries: configuration.retries, backoffBase: configuration.backoffBase,
                                 backoffCap: configuration.backoffCap, maxRetryAfter: configuration.maxRetryAfter)
        let connectPolicy = RetryPolicy(retries: configuration.retries, backoffBase: configuration.connectBackoffBase,
                                        backoffCap: configuration.connectBackoffCap, maxRetryAfter: 0)
        let stepBudget = configuration.effectiveStepTimeout
        var start: Double?
        var attempt = 0
        while true {
            try await limiter.acquire()
            let began = start ?? runtime.monotonicSeconds()
            start = began
            let left = stepBudget - (runtime.monotonicSeconds() - began)
            let result: AttemptResult
            do {
                result = try await send(body, for: request, timeout: min(configuration.requestTimeout, left),
                                        cutByStep: left < configuration.requestTimeout)
            } catch {
                await limiter.release(.other)
                throw error
            }
            await limiter.observe(remainingRequests: result.remainingRequests, resetRequests: result.resetRequests)
            switch result.outcome {
            case let .success(response):
                await limiter.release(.success)
                return response
            case let .failure(error, retryable, hints):
                await limiter.release(error.kind == .rateLimited ? .throttled : .other)
                guard retryable, attempt < policy.retries else {
                    throw attempt == 0 ? error : Self.annotate(error, attempts: attempt + 1)
                }
                let delay = (hints.connectFailure ? connectPolicy : policy).delay(
                    attempt: attempt, retryAfterMs: hints.retryAfterMs, retryAfter: hints.retryAfter,
                    now: runtime.now(), random: runtime.random())
                let remaining = stepBudget - (runtime.monotonicSeconds() - began)
                guard delay < remaining else {
                    throw Self.stepDeadlinePassed(error, step: request.stepID, attempts: attempt + 1, budget: stepBudget)
                }
                logger.info("retrying OpenAI call", metadata: [
                    "step": "\(request.stepID)", "attempt": "\(attempt + 1)", "delay_s": "\(delay)",
                    "reason": "\(redactor.redact(error.description))",
                ])
                try await runtime.sleep(.fromSeconds(delay))
                attempt += 1
            }
        }
    }

    static func annotate(_ error: ProviderError, attempts: Int) -> ProviderError {
        var error = error
        error.message += " (gave up after \(attempts) attempts)"
        return error
    }

    /// The last attempt's error, turned into the step's deadline error (kind `timeout`).
    private static func stepDeadlinePassed(_ last: ProviderError, step: StepID, attempts: Int,
                                           budget: Double) -> ProviderError {
        let noun = attempts == 1 ? "attempt" : "attempts"
        return ProviderError(.timeout, "step \(step): gave up after "
            + "\(attempts) \(noun): the step's overall deadline of \(ConnectionStalled.format(budget)) "
            + "(providers.openai.step_timeout) left no time for another. Last error: \(last.message)",
            requestID: last.requestID, stopsRun: last.stopsRun)
    }
}
