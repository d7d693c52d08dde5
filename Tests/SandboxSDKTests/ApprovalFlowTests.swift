import Foundation
import JSON
import SandboxSDK
import ServerTestSupport
import Testing

/// `execute` with an approval on a live 3-node cluster: the call needs approval, an approver
/// votes through another node, the client's long poll sees it, asks again with the same request
/// id and runs the action once; without a wait the action is not run.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ApprovalFlowTests {
    static let policy = LocalCluster.approvalPolicy

    @Test func executeWaitsForTheApprovalThenRunsOnce() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 100)
        let admin = ["Authorization": "Bearer \(cluster.adminToken)"]
        let published = await cluster.raw(
            2, "PUT", "/v1/policies/sales", body: Self.policy,
            headers: admin.merging(["Content-Type": "application/x-yaml"]) { $1 })
        #expect(published?.status == 200)
        let token = await cluster.raw(
            1, "POST", "/v1/tokens", body: #"{"id": "ann", "role": "approver"}"#, headers: admin)
        let approver = try #require(token?.json["token"] as? String)
        #expect(await cluster.raw(1, "PUT", "/v1/groups/human/members/ann", headers: admin)?.status == 200)

        try await withClient(try cluster.client()) { client in
            let params: JSONValue = ["recipient": "dana@example.com", "subject": "hi"]
            let runs = Counter()
            await #expect(throws: SandboxSDKError.self) {
                try await client.execute(tool: "email.send", params: params) { runs.add() }
            }
            let action = Task {
                try await client.execute(tool: "email.send", params: params, approvalTimeout: .seconds(60)) {
                    runs.add()
                }
            }
            var pending: [[String: Any]] = []
            try await waitFor("a pending approval") {
                let answer = await cluster.raw(3, "GET", "/v1/approvals?status=pending", headers: admin)
                pending = answer?.json["approvals"] as? [[String: Any]] ?? []
                return pending.count == 1  // both requests wait for the same one (same binding)
            }
            for approval in pending {
                let id = try #require(approval["id"] as? Int)
                let vote = await cluster.raw(
                    3, "POST", "/v1/approvals/\(id)/decision", body: #"{"decision": "approve"}"#,
                    headers: ["Authorization": "Bearer \(approver)", "Content-Type": "application/json"])
                #expect(vote?.status == 200, "\(String(describing: vote?.json))")
            }
            try await action.value
            #expect(runs.value == 1, "run once, after the approval")
            let inside = await client.toolCall("email.send", params: ["recipient": "lee@company.com", "subject": "hi"])
            #expect(inside.isAllowed, "no approval inside the company")
        }
    }
}

/// A count shared with `@Sendable` closures.
final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
