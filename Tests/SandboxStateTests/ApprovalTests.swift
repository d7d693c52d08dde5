import JSON
import SandboxState
import Testing

@Suite struct ApprovalTests {
    let refund: JSONValue = ["amount": 500, "order": "o-1"]

    /// A bot, two finance approvers, one human approver, one approver of another group.
    func setUp() throws -> Harness {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        try h.approver("ann", groups: ["finance"])
        try h.approver("bob", groups: ["finance"])
        try h.approver("hal", groups: ["human"])
        return h
    }

    @Test func twoOfMApprovalsLetExactlyOneRequestThrough() throws {
        let h = try setUp()
        let asked = try h.decide("bot", "r1", tool: "payments.refund", refund)
        #expect(asked.outcome == .needsApproval)
        let id = try #require(asked.approvalID)
        #expect(try h.queries.approval(id)?.requiredApprovals == 2)
        // Asking again (a retry, or another request with the same parameters) waits for the same one.
        #expect(try h.decide("bot", "r1", tool: "payments.refund", refund).approvalID == id)
        #expect(try h.decide("bot", "r2", tool: "payments.refund", refund).approvalID == id)
        #expect(try h.vote(id, "ann").outcome == .applied(.approval(id: id, status: .pending)))
        #expect(try h.decide("bot", "r1", tool: "payments.refund", refund).outcome == .needsApproval)
        #expect(try h.vote(id, "bob").outcome == .applied(.approval(id: id, status: .approved)))
        // A request id is decided once: r1 (or a late duplicate of it) stays `needs_approval`
        // and consumes nothing. The agent collects with a new request id, once (single use).
        let replayed = try h.decide("bot", "r1", tool: "payments.refund", refund)
        #expect(replayed.outcome == .needsApproval && replayed.replayed)
        #expect(try h.queries.approval(id)?.status == .approved)
        let allowed = try h.decide("bot", "r3", tool: "payments.refund", refund)
        #expect(allowed.outcome == .allow)
        #expect(allowed.approvalID == id)
        #expect(try h.queries.approval(id)?.status == .consumed)
        #expect(try h.queries.approval(id)?.consumedBy == "r3")
        let again = try h.decide("bot", "r4", tool: "payments.refund", refund)
        #expect(again.outcome == .needsApproval)
        #expect(again.approvalID != id)
        // And r3 stays answered as allowed, r1 as waiting.
        #expect(try h.decide("bot", "r3", tool: "payments.refund", refund).outcome == .allow)
        #expect(try h.decide("bot", "r1", tool: "payments.refund", refund).approvalID == id)
    }

    @Test func anApprovalIsBoundToTheExactParameters() throws {
        let h = try setUp()
        let id = try #require(try h.decide("bot", "r1", tool: "payments.refund", refund).approvalID)
        _ = try h.vote(id, "ann")
        _ = try h.vote(id, "bob")
        let changed = try h.decide("bot", "r2", tool: "payments.refund", ["amount": 5000, "order": "o-1"])
        #expect(changed.outcome == .needsApproval)
        #expect(changed.approvalID != id)
        // Same parameters, keys in another order: the canonical hash is the same.
        let same = try h.decide("bot", "r3", tool: "payments.refund", ["order": "o-1", "amount": 500])
        #expect(same.outcome == .allow)
    }

    @Test func anyDenyWinsAndTheDeniedApprovalIsNeverUsed() throws {
        let h = try setUp()
        let id = try #require(try h.decide("bot", "r1", tool: "payments.refund", refund).approvalID)
        _ = try h.vote(id, "ann")
        #expect(try h.vote(id, "bob", approve: false).outcome == .applied(.approval(id: id, status: .denied)))
        #expect(try h.vote(id, "ann").error == .approvalClosed(id: id, status: "denied"))
        // The waiting request id keeps its answer; the same call again asks a person anew.
        #expect(try h.decide("bot", "r1", tool: "payments.refund", refund).replayed)
        let retry = try h.decide("bot", "r2", tool: "payments.refund", refund)
        #expect(retry.outcome == .needsApproval)
        #expect(retry.approvalID != id)
        #expect(try h.queries.approval(id)?.status == .denied)
    }

    @Test func votesFromTheWrongGroupRoleOrTwiceAreRefused() throws {
        let h = try setUp()
        try h.approver("vic", groups: ["finance"], role: .viewer)
        try h.must(.createTenant(id: "other", name: "Other", actor: "admin"))
        try h.approver("oth", groups: ["finance"], tenant: "other")
        let id = try #require(try h.decide("bot", "r1", tool: "payments.refund", refund).approvalID)
        func refusal(_ principal: String) throws -> String {
            guard case .notAllowedToVote(_, let why)? = (try h.vote(id, principal)).error else { return "accepted" }
            return why
        }
        #expect(try refusal("hal") == "not in the group `finance`")
        #expect(try refusal("vic") == "role viewer, not approver")
        #expect(try refusal("oth") == "scoped to another tenant")
        #expect(try h.vote(id, "nobody").error == .unknownPrincipal("nobody"))
        #expect(try h.vote(id, "ann").error == nil)
        #expect(try h.vote(id, "ann").error == .alreadyVoted(principal: "ann", approval: id))
        try h.must(.revokePrincipal(id: "bob", actor: "admin"))
        #expect(try refusal("bob") == "revoked or expired")
        #expect(try h.queries.approval(id)?.status == .pending)
    }

    @Test func expiredApprovalsRefuseVotesAndAreNotUsed() throws {
        let h = try setUp()
        let id = try #require(try h.decide("bot", "r1", tool: "payments.refund", refund).approvalID)
        _ = try h.vote(id, "ann")
        h.timeMillis += 31 * 60_000
        #expect(try h.vote(id, "bob").error == .approvalClosed(id: id, status: "expired"))
        let retry = try h.decide("bot", "r2", tool: "payments.refund", refund)
        #expect(retry.outcome == .needsApproval)
        #expect(retry.approvalID != id)
        #expect(try h.queries.approval(id)?.status == .expired)
        #expect(try h.queries.approvals(status: .expired).map(\.id) == [id])
        #expect(try h.queries.approvals(status: .pending).map(\.id) == [retry.approvalID!])
    }

    @Test func anApprovedApprovalExpiresUnused() throws {
        let h = try setUp()
        let id = try #require(try h.decide("bot", "r1", tool: "payments.refund", refund).approvalID)
        _ = try h.vote(id, "ann")
        _ = try h.vote(id, "bob")
        h.timeMillis += 30 * 60_000
        let late = try h.decide("bot", "r2", tool: "payments.refund", refund)
        #expect(late.outcome == .needsApproval)
        #expect(late.approvalID != id)
    }

    /// Requests `payments.refund` with `refund`'s hash directly, as `POST /v1/approvals` does.
    func requestDirectly(_ h: Harness, group: String, required: UInt8) throws -> UInt64? {
        let hash = SHA256.hash(Array(refund.serialized().utf8))
        let result = try h.must(
            .requestApproval(
                agent: "bot", tool: "payments.refund", parametersHash: hash, redactedPayload: "{}", group: group,
                requiredApprovals: required, ttlSeconds: 600, actor: "bot"))
        guard case .applied(.approval(let id, .pending)) = result.outcome else {
            Issue.record("expected a pending approval, got \(result)")
            return nil
        }
        return id
    }

    @Test func directlyRequestedApprovalsAreBoundToTheirHash() throws {
        let h = try setUp()
        let id = try #require(try requestDirectly(h, group: "finance", required: 2))
        _ = try h.vote(id, "ann")
        _ = try h.vote(id, "bob")
        let answer = try h.decide("bot", "r1", tool: "payments.refund", refund)
        #expect(answer.outcome == .allow)
        #expect(answer.approvalID == id)
    }

    /// The policy asks two votes of `finance`: an approval the agent requested with a smaller
    /// quorum, or from another group, does not stand for it, approved or not.
    @Test func aDirectRequestWeakerThanThePolicyDoesNotStandForIt() throws {
        for (group, required, voters) in [("finance", UInt8(1), ["ann"]), ("human", UInt8(2), ["hal"])] {
            let h = try setUp()
            let weak = try #require(try requestDirectly(h, group: group, required: required))
            for voter in voters { _ = try h.vote(weak, voter) }
            let answer = try h.decide("bot", "r1", tool: "payments.refund", refund)
            #expect(answer.outcome == .needsApproval, "\(group) \(required)")
            #expect(answer.approvalID != weak)
            #expect(try h.queries.approval(weak)?.status != .consumed)
            #expect(try h.queries.approval(try #require(answer.approvalID))?.requiredApprovals == 2)
        }
    }
}
