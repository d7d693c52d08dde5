import Foundation
import ServerTestSupport
import Testing

/// Approvals, the console page, audit export and budgets on one real 3-node cluster: an
/// approval created by a decision on node 2 is approved on node 3 and consumed by a retry on
/// node 1; every refusal changes nothing.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ApprovalsOverHTTPTests {
    @Test func approvalCreatedOnTwoApprovedOnThreeConsumedOnOne() async throws {
        let fixture = ApprovalsFixture()
        defer { fixture.cluster.stopAll() }
        try await fixture.start()
        try await fixture.approvalCreatedOnTwoApprovedOnThreeConsumedOnOne()
        try await fixture.requestedApprovalsTakeVotesAndWaitsTimeOut()
        try await fixture.auditExportedFromAnyNodeIsTheSameAndVerifies()
        try await fixture.budgetsAreReadOnAnyNode()
        try await fixture.theConsolePageVotesWithItsCSRFTokenOnly()
    }
}

/// One cluster shared by the scenarios, in order (`@unchecked Sendable`: one test task uses
/// it; the long-poll task only reads `tokens`, written before it starts).
final class ApprovalsFixture: @unchecked Sendable {
    let cluster = LocalCluster()
    let http = RawHTTP()
    var tokens: [String: String] = [:]
    static let agentKey = "agent-key-0123456789"

    static let policy = LocalCluster.approvalPolicy

    /// The cluster with tenant `acme`, agent `sales`, the policy above, an approver `alice` and
    /// a second approver `bob` (group `human`), and a viewer `vic`.
    func start() async throws {
        try await cluster.startProvisioned(budget: 1000)
        tokens["admin-cluster"] = cluster.adminToken
        let published = await cluster.call(
            3, "PUT", "/v1/policies/sales", json: Self.policy,
            headers: ["Authorization": "Bearer \(cluster.adminToken)", "Content-Type": "application/x-yaml"])
        #expect(published?.status == 200, "\(String(describing: published))")
        for (id, role) in [("alice", "approver"), ("bob", "approver"), ("vic", "viewer")] {
            let created = await cluster.admin(
                1, "POST", "/v1/tokens", #"{"id": "\#(id)", "role": "\#(role)", "tenant": "acme"}"#)
            tokens[id] = created?.body["token"] as? String
            #expect(tokens[id] != nil, "\(String(describing: created))")
            if role == "approver" {
                let member = await cluster.admin(2, "PUT", "/v1/groups/human/members/\(id)", "")
                #expect(member?.status == 200, "\(String(describing: member))")
            }
        }
    }

    func bearer(_ who: String) -> [String: String] { ["Authorization": "Bearer \(tokens[who] ?? "")"] }

    func get(_ node: Int, _ path: String, as who: String, timeout: TimeInterval = 5) async -> RawHTTP.Answer? {
        await http.retrying(cluster.url(node, path), headers: bearer(who), timeout: timeout)
    }

    func vote(_ node: Int, _ id: Int, _ decision: String, as who: String) async -> RawHTTP.Answer? {
        await http.retrying(
            cluster.url(node, "/v1/approvals/\(id)/decision"), "POST", body: #"{"decision": "\#(decision)"}"#,
            headers: bearer(who).merging(["Content-Type": "application/json"]) { $1 })
    }

    func emailDecision(_ node: Int, id: String) async -> RawHTTP.Answer? {
        await http.retrying(
            cluster.url(node, "/v1/decisions"), "POST",
            body: #"{"tool": "email.send", "params": {"recipient": "eve@outside.example", "body": "hi"}}"#,
            headers: ["X-Agent-Key": Self.agentKey, "Idempotency-Key": id, "Content-Type": "application/json"],
            idempotent: true)
    }

    func approvalCreatedOnTwoApprovedOnThreeConsumedOnOne() async throws {
        let asked = await emailDecision(2, id: "mail-1")
        #expect(asked?.json["decision"] as? String == "needs_approval", "\(String(describing: asked))")
        let id = try #require(asked?.json["approval_id"] as? Int)

        // A long poll on node 1 wakes when node 3 applies the vote.
        let poll = Task { await self.get(1, "/v1/approvals/\(id)?wait=25s", as: "vic", timeout: 40) }
        let queue = await get(3, "/v1/approvals?status=pending", as: "vic")
        let listed = (queue?.json["approvals"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
        #expect(listed.contains(id), "\(String(describing: queue))")

        let byViewer = await vote(3, id, "approve", as: "vic")
        #expect(byViewer?.status == 403 && byViewer?.errorCode == "forbidden", "\(String(describing: byViewer))")
        let stillPending = await get(2, "/v1/approvals/\(id)", as: "vic")
        #expect(stillPending?.json["status"] as? String == "pending")

        let started = ContinuousClock.now
        let approved = await vote(3, id, "approve", as: "alice")
        #expect(
            approved?.status == 200 && approved?.json["status"] as? String == "approved",
            "\(String(describing: approved))")
        let woken = await poll.value
        #expect(woken?.json["status"] as? String == "approved", "\(String(describing: woken))")
        #expect(ContinuousClock.now - started < .seconds(15), "the long poll woke on the vote, not at its timeout")
        let votes = woken?.json["votes"] as? [[String: Any]]
        #expect(votes?.first?["principal"] as? String == "alice")

        let again = await vote(1, id, "deny", as: "bob")
        #expect(again?.status == 409 && again?.errorCode == "approval_closed", "\(String(describing: again))")

        // The agent's retry (a new request id, the same call) on node 1 goes through, once.
        let retried = await emailDecision(1, id: "mail-2")
        #expect(retried?.json["decision"] as? String == "allow", "\(String(describing: retried))")
        let consumed = await get(2, "/v1/approvals/\(id)", as: "alice")
        #expect(consumed?.json["status"] as? String == "consumed")
        #expect(consumed?.json["consumed_by"] as? String == "mail-2")
        let third = await emailDecision(3, id: "mail-3")
        #expect(third?.json["decision"] as? String == "needs_approval", "single use")
    }
}
