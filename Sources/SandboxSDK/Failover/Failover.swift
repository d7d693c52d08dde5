import Foundation

/// One request over the cluster: asked of a node, and on a retryable failure (no connection,
/// no answer in time, 503, 429, another 5xx) asked again of the next node, with the very
/// request the caller built (the same request id), until a definite answer, the attempts
/// are used up or the deadline passes. A definite answer (2xx, 3xx, 4xx but 429) is never
/// asked again. A node's `Retry-After` (seconds or a date, cut to `maxRetryAfter`) is honoured:
/// that node rests at least that long, and the pause before the next round is at least the
/// longest one given (cut to the time left); the other nodes are still asked meanwhile.
struct Failover: Sendable {
    let ring: NodeRing
    let transport: any HTTPTransport
    let options: SandboxClientOptions

    enum Result: Sendable {
        case answer(TransportResponse, node: URL)
        /// No definite answer in time: the last failure, for the reason.
        case unreachable(String)
    }

    /// - Parameters:
    ///   - deadline: for the whole exchange (default: the options' deadline).
    ///   - attemptTimeout: for one attempt (default: the options', cut to this node's share of
    ///     what is left: that time over the nodes still to try in the round), cut to what is left.
    func send(
        deadline: Duration? = nil, attemptTimeout: Duration? = nil, _ build: @Sendable (URL) -> TransportRequest
    ) async -> Result {
        let end = ContinuousClock.now + (deadline ?? options.deadline)
        var attempts = 0
        var pause = options.backoff
        var last = "no node was asked"
        while attempts < options.maxAttempts {
            // The longest `Retry-After` a node gave this round (capped): the pause before the next
            // round is at least that.
            var asked = Duration.zero
            let order = await ring.order()
            for (index, node) in order.enumerated() {
                let left = end - ContinuousClock.now
                guard left > .zero, attempts < options.maxAttempts, !Task.isCancelled else { return .unreachable(last) }
                // Each node still to try in this round gets its share of the time left, so one
                // hung node cannot eat the deadline (a long poll gives its own limit).
                let untried = min(order.count - index, options.maxAttempts - attempts)
                attempts += 1
                do {
                    let limit = min(attemptTimeout ?? min(options.attemptTimeout, left / untried), left)
                    let (transport, request) = (transport, build(node))
                    let answer = try await AttemptLimit.run(limit) { try await transport.send(request, timeout: limit) }
                    guard Self.isRetryable(answer.status) else {
                        await ring.answered(node)
                        return .answer(answer, node: node)
                    }
                    last = "\(Self.name(node)) answered \(answer.status) \(WireError(answer.body)?.code ?? "")"
                    let wait = RetryAfter.duration(answer.headers["retry-after"], now: Date()).map {
                        min($0, options.maxRetryAfter)
                    }
                    asked = max(asked, wait ?? .zero)
                    await ring.failed(node, restingAtLeast: wait ?? .zero)
                    continue
                } catch {
                    last = "\(Self.name(node)): \(error)"
                }
                await ring.failed(node)
            }
            let left = end - ContinuousClock.now
            guard left > .zero, attempts < options.maxAttempts else { break }
            try? await Task.sleep(for: min(max(pause, asked), left))
            pause = min(pause * 2, options.maxBackoff)
        }
        return .unreachable(last)
    }

    static func isRetryable(_ status: Int) -> Bool { status == 429 || status >= 500 }

    static func name(_ node: URL) -> String { "\(node.host ?? "?"):\(node.port.map(String.init) ?? "")" }
}
