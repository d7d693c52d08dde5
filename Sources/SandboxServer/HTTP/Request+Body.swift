import Hummingbird
import JSON
import NIOCore

extension Request {
    /// The body's bytes, at most `limit` (413 `too_large` beyond), sent within
    /// `APILimits.bodyDeadline` (408 `request_timeout` otherwise).
    func bodyBytes(upTo limit: Int = APILimits.maxBodyBytes) async throws(APIError) -> [UInt8] {
        let body = self.body
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { Array(try await body.collect(upTo: limit).readableBytesView) }
                group.addTask {
                    try await Task.sleep(for: APILimits.bodyDeadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let bytes = first else {
                    throw APIError(
                        .requestTimeout, code: "request_timeout",
                        "the body did not arrive within \(APILimits.bodyDeadline); send it at once")
                }
                return bytes
            }
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw .tooLarge("the request body is over \(limit) bytes")
        } catch is NIOTooManyBytesError {
            throw .tooLarge("the request body is over \(limit) bytes")
        } catch {
            throw .badRequest("cannot read the request body: \(error)")
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
