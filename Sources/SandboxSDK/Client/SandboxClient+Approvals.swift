import Foundation
import JSON

extension SandboxClient {
    /// Waits until approval `id` is no longer pending, or `timeout` passes: long polls
    /// (`GET /v1/approvals/{id}?wait=`, at most 30 s each) over the nodes in turn. The status
    /// last seen; `pending` also when no node answered.
    public func waitForApproval(_ id: UInt64, timeout: Duration) async -> ApprovalStatus {
        let end = ContinuousClock.now + timeout
        var status = ApprovalStatus.pending
        var pause = options.backoff
        let headers = ["X-Agent-Key": apiKey]
        while !isClosed, !Task.isCancelled {
            let left = end - ContinuousClock.now
            guard left > .milliseconds(1) else { break }
            // A third of the time left at most, so that a hung node leaves time to ask another.
            let wait = min(left / 3, .seconds(30))
            let path = "/v1/approvals/\(id)?wait=\(waitParameter(wait))"
            let asked = ContinuousClock.now
            let result = await failover.send(
                deadline: left, attemptTimeout: wait + min(options.attemptTimeout, left / 3)
            ) {
                TransportRequest(method: "GET", url: endpoint($0, path), headers: headers)
            }
            if case .answer(let answer, _) = result {
                guard answer.status == 200 else { return .refused }  // unknown approval, not the agent's
                if let seen = Self.status(answer.body) { status = seen }
                if status != .pending { return status }
                // Still pending but answered early (a node not long-polling): not again at once.
                let early = Self.minimumPollInterval - (ContinuousClock.now - asked)
                if early > .zero { try? await Task.sleep(for: min(early, max(end - ContinuousClock.now, .zero))) }
            } else {
                try? await Task.sleep(for: min(pause, max(end - ContinuousClock.now, .zero)))
                pause = min(pause * 2, options.maxBackoff)
            }
        }
        return status
    }

    /// The least time between two polls that found nothing new.
    static let minimumPollInterval = Duration.milliseconds(500)

    static func status(_ body: [UInt8]) -> ApprovalStatus? {
        guard let json = try? JSONValue(parsing: body, maxDepth: 16, maxBytes: 1 << 20), case .object(let m) = json,
            let name = m["status"]?.string
        else { return nil }
        return ApprovalStatus(rawValue: name).flatMap { $0 == .refused ? nil : $0 }
    }

    /// Runs `perform` only if the sandbox allows the tool call. With `approvalTimeout`, a call
    /// that needs an approval waits for it (at most that long) and is asked again as a new
    /// request (a new request id: the first one keeps its `needs_approval` answer), which
    /// consumes the approval; without, it is not run. Throws
    /// ``SandboxSDKError/denied(_:)`` or ``SandboxSDKError/notApproved(_:status:)`` instead of
    /// running it; rethrows what `perform` throws.
    public func execute<T: Sendable>(
        tool: String, params: JSONValue = [:], chainDepth: Int = 0, costUSD: Decimal? = nil,
        approvalTimeout: Duration? = nil, perform: @Sendable () async throws -> T
    ) async throws -> T {
        var decision = await toolCall(tool, params: params, chainDepth: chainDepth, costUSD: costUSD)
        if let approval = decision.approvalID {
            guard let approvalTimeout else { throw SandboxSDKError.notApproved(decision, status: .pending) }
            let status = await waitForApproval(approval, timeout: approvalTimeout)
            guard status == .approved else { throw SandboxSDKError.notApproved(decision, status: status) }
            decision = await toolCall(tool, params: params, chainDepth: chainDepth, costUSD: costUSD)
        }
        guard decision.isAllowed else { throw SandboxSDKError.denied(decision) }
        return try await perform()
    }
}
