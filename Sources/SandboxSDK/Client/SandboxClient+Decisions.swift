import Foundation
import JSON
import SandboxPolicy

extension SandboxClient {
    /// Asks before calling tool `name` with `params` (a JSON object) at `chainDepth` in an agent
    /// chain, with an optional cost estimate (`costUSD`, debited from the daily budget if allowed).
    /// `requestID`: give the one of an earlier call to ask again (after an approval); a new one
    /// is made otherwise.
    public func toolCall(
        _ name: String, params: JSONValue = [:], chainDepth: Int = 0, costUSD: Decimal? = nil,
        requestID: String? = nil
    ) async -> Decision {
        let id = requestID ?? Self.newRequestID()
        if let problem = Self.requestIDProblem(id) { return Self.invalidRequest(id, problem) }
        let costNumber: JSONNumber?
        switch Self.costNumber(costUSD) {
        case .success(let number): costNumber = number
        case .failure(let problem): return Self.invalidRequest(id, problem.text)
        }
        let request = PolicyRequest.toolCall(
            ToolCall(tool: name, parameters: params, chainDepth: chainDepth, costUSD: costNumber))
        if let local = await denyLocally(
            request, .tool(name: name, params: params, chainDepth: chainDepth), requestID: id)
        {
            return local
        }
        return await decide(DecisionWire.toolBody(name, params: params, chainDepth: chainDepth, cost: costNumber), id)
    }

    /// Asks before making an HTTP request (`GET`, `https://api.example.com/x`).
    public func httpRequest(method: String, url: String, chainDepth: Int? = nil, requestID: String? = nil) async
        -> Decision
    {
        let id = requestID ?? Self.newRequestID()
        if let problem = Self.requestIDProblem(id) { return Self.invalidRequest(id, problem) }
        let request = PolicyRequest.http(HTTPRequest(method: method, url: url, chainDepth: chainDepth))
        if let local = await denyLocally(
            request, .http(method: method, url: url, chainDepth: chainDepth), requestID: id)
        {
            return local
        }
        return await decide(DecisionWire.httpBody(method: method, url: url, chainDepth: chainDepth), id)
    }

    /// The cached policy's static denial, queued for the audit; nil when there is no cache, the
    /// policy does not deny it statically, or the report queue is full (then the server decides
    /// and audits it).
    private func denyLocally(_ request: PolicyRequest, _ wire: LocalDenialEntry.Request, requestID: String) async
        -> Decision?
    {
        guard !isClosed, let snapshot = await cache?.forLocalDenials,
            let denial = LocalVerdict.localDenial(snapshot.policy, request),
            let entry = LocalDenialEntry(
                requestID: requestID, request: wire, rule: denial.rule, reason: denial.explanation,
                policyVersion: snapshot.version),
            await reporter.enqueue(entry)
        else { return nil }
        return Decision(
            outcome: .deny, reason: denial.explanation, rule: denial.rule, requestID: requestID,
            policyVersion: UInt32(clamping: snapshot.version), source: .localPolicy)
    }

    /// `POST /v1/decisions` through the failover.
    private func decide(_ body: [UInt8], _ requestID: String) async -> Decision {
        guard !isClosed else {
            return Decision(
                outcome: .deny, reason: "the client is closed", rule: "sdk.closed", requestID: requestID,
                source: .refused)
        }
        let headers = ["X-Agent-Key": apiKey, "Idempotency-Key": requestID, "Content-Type": "application/json"]
        let result = await failover.send {
            TransportRequest(method: "POST", url: endpoint($0, "/v1/decisions"), headers: headers, body: body)
        }
        switch result {
        case .unreachable:
            return Decision(
                outcome: .deny, reason: "sandbox unreachable", rule: "sdk.unreachable", requestID: requestID,
                source: .unreachable)
        case .answer(let answer, _):
            if answer.status == 200, let decision = DecisionWire.decision(answer.body, requestID: requestID) {
                return decision
            }
            if answer.status == 200 {
                return Decision(
                    outcome: .deny, reason: "refused: the sandbox's answer is not a decision for this request",
                    rule: "sdk.refused", requestID: requestID, source: .refused)
            }
            return Decision(
                outcome: .deny, reason: "refused by the sandbox: \(WireError.describe(answer))", rule: "sdk.refused",
                requestID: requestID, source: .refused)
        }
    }
}
