import Hummingbird
import JSON
import NIOCore

extension Request {
    /// The body's bytes, at most `limit` (413 `too_large` beyond), sent within
    /// `APILimits.bodyDeadline` (408 `request_timeout` otherwise).
    func bodyBytes(upTo limit: Int = APILimits.maxBodyBytes) async throws(APIError) -> [UInt8] {
        let body = self.body
        // The read runs as a task of its own that the deadline cancels (a shared sweeper, not a
        // timer per request: `DeadlineWatch`); a cancelled read may end early or fail, so the
        // ticket, not the read's result, says whether the deadline passed.
        let reading = Task { Array(try await body.collect(upTo: limit).readableBytesView) }
        let deadline = DeadlineWatch.shared.watch(APILimits.bodyDeadline) { reading.cancel() }
        defer { DeadlineWatch.shared.end(deadline) }
        let result = await withTaskCancellationHandler {
            await reading.result
        } onCancel: {
            reading.cancel()
        }
        guard !deadline.fired else { throw .bodyTooSlow }
        switch result {
        case .success(let bytes): return bytes
        case .failure(let error as HTTPError) where error.status == .contentTooLarge:
            throw .tooLarge("the request body is over \(limit) bytes")
        case .failure(is NIOTooManyBytesError): throw .tooLarge("the request body is over \(limit) bytes")
        case .failure(let error): throw .badRequest("cannot read the request body: \(error)")
        }
    }

    /// The body as JSON (400 `bad_json` with where it fails; 413 beyond `limit`).
    func jsonBody(upTo limit: Int = APILimits.maxBodyBytes) async throws(APIError) -> JSONValue {
        let bytes = try await bodyBytes(upTo: limit)
        do {
            return try JSONValue(parsing: bytes, maxDepth: APILimits.maxJSONDepth, maxBytes: limit)
        } catch {
            throw .badRequest("the body is not valid JSON: \(error)", code: "bad_json")
        }
    }
}

extension APIError {
    /// 408: a body that did not arrive within `APILimits.bodyDeadline` (every path answers it alike).
    static var bodyTooSlow: APIError {
        APIError(
            .requestTimeout, code: "request_timeout",
            "the body did not arrive within \(APILimits.bodyDeadline); send it at once")
    }
}
