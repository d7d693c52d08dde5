import Foundation
import ServerTestSupport
import Testing

/// `POST /v1/audit/local-denials` on a real 3-node cluster: a report lands in the audit once,
/// whichever node a retry reaches, debits nothing, bad reports are refused with the denial and
/// field named, and only what the named policy version denies is recorded (with its rule).
@Suite(.serialized, .timeLimit(.minutes(3))) struct LocalDenialsOverHTTPTests {
    static let agentKey = ["X-Agent-Key": "agent-key-0123456789"]

    static let report = """
        {"denials": [
          {"request_id": "sdk-1", "kind": "tool", "tool": "payments.charge",
           "params": {"amount": 5, "email": "eve@evil.example"}, "rule": "tools.allow",
           "reason": "tool `payments.charge` is not allowed", "policy_version": 1},
          {"request_id": "sdk-2", "kind": "http", "method": "GET", "url": "https://evil.example/x",
           "rule": "network.deny", "reason": "egress to `evil.example` is not allowed", "policy_version": 1}
        ]}
        """

    /// The report sent to `node`, asked again (bounded) while the answer is a 503 or none: a
    /// report is idempotent, so even an unknown outcome is simply sent again.
    func send(_ cluster: LocalCluster, _ node: Int, _ body: String) async -> (status: Int, body: [String: Any])? {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let answer = await cluster.call(node, "POST", "/v1/audit/local-denials", json: body, headers: Self.agentKey)
            guard answer == nil || answer?.status == 503, ContinuousClock.now < deadline else { return answer }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func aReportIsAuditedOnceWhereverItIsRetriedAndDebitsNothing() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 5)
        let first = await send(cluster, 1, Self.report)
        #expect(first?.status == 200, "\(String(describing: first))")
        #expect(first?.body["recorded"] as? Int == 2 && first?.body["duplicates"] as? Int == 0)
        for node in [2, 3] {
            let again = await send(cluster, node, Self.report)
            #expect(again?.body["recorded"] as? Int == 0 && again?.body["duplicates"] as? Int == 2, "node \(node)")
        }
        let export = await RawHTTP().retrying(
            cluster.url(3, "/v1/audit/export"), headers: ["Authorization": "Bearer \(cluster.adminToken)"])
        let records =
            (try? JSONSerialization.jsonObject(with: Data((export?.text ?? "").utf8))) as? [[String: Any]] ?? []
        let local = records.filter { $0["decided_by"] as? String == "sdk" }
        #expect(local.map { $0["request_id"] as? String } == ["sdk-1", "sdk-2"], "\(local)")
        #expect(local.allSatisfy { $0["outcome"] as? String == "deny" && $0["kind"] as? String == "decision" })
        #expect(local.first?["node"] as? Int == 1, "the node that received the report")
        let params = (local.first?["request"] as? [String: Any])?["params"] as? [String: Any]
        #expect(params?["amount"] as? Int == 5, "\(String(describing: params))")
        let budget = await cluster.raw(2, "GET", "/v1/budgets/sales", headers: Self.agentKey)
        #expect(budget?.json["requests_today"] as? Int == 0, "\(String(describing: budget?.json))")
        // A decision with a reported request id replays the denial.
        let replay = await cluster.decideUntilDefinite(on: 2, id: "sdk-1")
        #expect(replay?.body["decision"] as? String == "deny" && replay?.body["replayed"] as? Bool == true)
        await badReportsAreRefusedWithTheFieldNamed(cluster)
        await onlyWhatThePolicyVersionDeniesIsRecorded(cluster)
    }

    /// The node decides each reported request again with the version named: an agent cannot
    /// record an "SDK denial" of what its policy allows, nor name a version that does not exist;
    /// the rule and reason recorded are the node's.
    func onlyWhatThePolicyVersionDeniesIsRecorded(_ cluster: LocalCluster) async {
        func denial(_ id: String, _ tool: String, version: Int) -> String {
            #"{"denials": [{"request_id": "\#(id)", "kind": "tool", "tool": "\#(tool)", "rule": "made.up","#
                + #" "reason": "the agent's words", "policy_version": \#(version)}]}"#
        }
        let allowed = await send(cluster, 1, denial("allowed-1", "crm.read", version: 1))
        let error = allowed?.body["error"] as? [String: Any]
        #expect(allowed?.status == 400 && error?["code"] as? String == "not_denied", "\(String(describing: allowed))")
        #expect("\(error?["message"] ?? "")".contains("denials[0]"))
        let zero = await send(cluster, 1, denial("zero-1", "payments.charge", version: 0))
        #expect(zero?.status == 400, "\(String(describing: zero))")
        let future = await cluster.call(
            2, "POST", "/v1/audit/local-denials", json: denial("future-1", "payments.charge", version: 99),
            headers: Self.agentKey)
        #expect(future?.status == 503, "a version this node has not applied: \(String(describing: future))")
        #expect((future?.body["error"] as? [String: Any])?["code"] as? String == "version_not_applied")
        let denied = await send(cluster, 3, denial("denied-1", "payments.charge", version: 1))
        #expect(denied?.body["recorded"] as? Int == 1, "\(String(describing: denied))")

        let export = await RawHTTP().retrying(
            cluster.url(1, "/v1/audit/export"), headers: ["Authorization": "Bearer \(cluster.adminToken)"])
        let records =
            (try? JSONSerialization.jsonObject(with: Data((export?.text ?? "").utf8))) as? [[String: Any]] ?? []
        let ids = Set(records.compactMap { $0["request_id"] as? String })
        #expect(!ids.contains("allowed-1") && !ids.contains("zero-1") && !ids.contains("future-1"), "\(ids)")
        let recorded = records.first { $0["request_id"] as? String == "denied-1" }
        #expect(recorded?["rule"] as? String != "made.up" && recorded?["reason"] as? String != "the agent's words")
        #expect(recorded?["decided_by"] as? String == "sdk", "\(String(describing: recorded))")
    }

    func badReportsAreRefusedWithTheFieldNamed(_ cluster: LocalCluster) async {
        let denial =
            #"{"request_id": "r", "kind": "tool", "tool": "x", "rule": "r", "reason": "r", "policy_version": 1}"#
        let cases: [(String, String)] = [
            (#"{"denials": []}"#, "bad_denial_count"),
            (
                "{\"denials\": [" + Array(repeating: denial, count: 101).joined(separator: ",") + "]}",
                "bad_denial_count"
            ),
            (
                #"{"denials": [{"request_id": "r", "rule": "r", "reason": "r", "policy_version": 1}]}"#,
                "denials[0]: kind"
            ),
            (
                #"{"denials": [\#(denial), {"request_id": "s", "kind": "http", "rule": "r", "reason": "r"}]}"#,
                "denials[1]"
            ),
            (
                #"{"denials": [{"request_id": "r", "kind": "tool", "tool": "x", "rule": "r", "policy_version": 1}]}"#,
                "reason"
            ),
        ]
        for (body, expected) in cases {
            let answer = await cluster.call(1, "POST", "/v1/audit/local-denials", json: body, headers: Self.agentKey)
            let error = answer?.body["error"] as? [String: Any]
            let text = "\(error?["code"] ?? "") \(error?["message"] ?? "")"
            #expect(answer?.status == 400 && text.contains(expected), "\(body.prefix(80)): \(text)")
        }
        let anonymous = await cluster.call(1, "POST", "/v1/audit/local-denials", json: Self.report)
        #expect(anonymous?.status == 401)
    }
}
