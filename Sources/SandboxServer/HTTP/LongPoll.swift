import Hummingbird

/// The `?wait=` parameter of long polls (`GET /v1/approvals/{id}?wait=30s`,
/// `GET /v1/policies/{agent_id}?wait=30s`).
enum LongPoll {
    /// The wait asked for: `30s`, `30` (seconds), `500ms` or `1m`; nil when absent or empty; longer
    /// than ``ApplyWatchers/maxWait`` is cut to it. Throws 400 for anything else.
    static func wait(_ request: Request) throws(APIError) -> Duration? {
        guard let text = request.uri.queryParameters.get("wait"), !text.isEmpty else { return nil }
        guard let duration = parse(text) else {
            throw APIError.badRequest(
                "wait=\(text.prefix(40)) is not a duration: give seconds (`30s` or `30`), `500ms` or `1m`",
                code: "bad_wait")
        }
        return min(duration, ApplyWatchers.maxWait)
    }

    static func parse(_ text: String) -> Duration? {
        var digits = Substring(text)
        var scale: Int64 = 1000
        if digits.hasSuffix("ms") {
            digits = digits.dropLast(2)
            scale = 1
        } else if digits.hasSuffix("s") {
            digits = digits.dropLast()
        } else if digits.hasSuffix("m") {
            digits = digits.dropLast()
            scale = 60_000
        }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), let value = Int64(digits),
            value >= 0
        else { return nil }
        return .milliseconds(value * scale)
    }

    /// The refusal of a poll over a bound: the caller's own share (429 `too_many_long_polls`) or
    /// the node's (503 `too_many_waiters`); both say to retry in a second.
    static func refusal(_ full: ApplyWatchers.Full) -> APIError {
        guard full.owner != nil else {
            return .unavailable("too many long polls wait on this node; retry", code: "too_many_waiters")
        }
        return .rateLimited(
            retryAfter: 1,
            "this caller already has \(full.capacity) long polls waiting on this node; retry when one ends",
            code: "too_many_long_polls")
    }
}
