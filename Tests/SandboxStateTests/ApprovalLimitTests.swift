import JSON
import SandboxState
import Testing

/// Open approvals are capped per agent and per tenant (a flood of requests cannot fill the
/// approvers' queue without bound), and a tenant's queue is read from its own index (another
/// tenant's flood does not hide it).
@Suite struct ApprovalLimitTests {
    func setUp(perAgent: Int, perTenant: Int) throws -> Harness {
        var limits = StateLimits()
        limits.maxOpenApprovalsPerAgent = perAgent
        limits.maxOpenApprovalsPerTenant = perTenant
        let h = try Harness(limits: limits)
        try h.agent("bot", policy: Policies.standard)
        try h.agent("bot2", policy: Policies.standard)
        try h.agent("other", policy: Policies.standard, tenant: "globex")
        try h.approver("ann", groups: ["finance"])
        return h
    }

    func refund(_ order: Int) -> JSONValue { ["amount": 500, "order": .string("o-\(order)")] }

    func requestDirectly(_ h: Harness, _ agent: String, _ order: Int) throws -> EntryResult {
        try h.apply(
            .requestApproval(
                agent: agent, tool: "payments.refund", parametersHash: SHA256.hash(Array("\(order)".utf8)),
                redactedPayload: "{}", group: "finance", requiredApprovals: 1, ttlSeconds: 600, actor: agent))
    }

    @Test func anAgentAtItsCapIsDeniedUntilOneIsResolved() throws {
        let h = try setUp(perAgent: 2, perTenant: 100)
        let first = try #require(try h.decide("bot", "r1", tool: "payments.refund", refund(1)).approvalID)
        #expect(try requestDirectly(h, "bot", 2).error == nil)
        let capped = try h.decide("bot", "r3", tool: "payments.refund", refund(3))
        #expect(capped.outcome == .deny && capped.rule == "approval.limit", "\(capped)")
        #expect(capped.approvalID == nil && capped.reason.contains("agent `bot` already has 2 open approvals"))
        #expect(try requestDirectly(h, "bot", 4).error == .tooManyOpenApprovals(scope: "agent `bot`", limit: 2))
        // The same call again is not a new approval: it waits for the open one.
        #expect(try h.decide("bot", "r5", tool: "payments.refund", refund(1)).approvalID == first)
        // Another agent of the tenant is not capped by this one.
        #expect(try h.decide("bot2", "r1", tool: "payments.refund", refund(1)).outcome == .needsApproval)
        // A deny closes one: the next approval opens.
        #expect(try h.vote(first, "ann", approve: false).error == nil)
        #expect(try h.decide("bot", "r6", tool: "payments.refund", refund(6)).outcome == .needsApproval)
        #expect(try h.queries.approvals(status: .pending, tenant: "acme").count == 3)
    }

    @Test func aTenantAtItsCapIsRefusedAndExpiryFreesIt() throws {
        let h = try setUp(perAgent: 10, perTenant: 2)
        #expect(try requestDirectly(h, "bot", 1).error == nil)
        #expect(try requestDirectly(h, "bot2", 2).error == nil)
        #expect(try requestDirectly(h, "bot", 3).error == .tooManyOpenApprovals(scope: "tenant `acme`", limit: 2))
        #expect(try h.decide("bot2", "r1", tool: "payments.refund", refund(1)).rule == "approval.limit")
        #expect(try requestDirectly(h, "other", 1).error == nil, "another tenant is not capped by acme")
        // Expired, they are not open any more once the sweep (after each applied entry) records it.
        h.timeMillis += 11 * 60_000
        #expect(try requestDirectly(h, "other", 2).error == nil)
        #expect(try requestDirectly(h, "bot", 4).error == nil, "the sweep expired both")
        #expect(try h.queries.approvals(status: .expired, tenant: "acme").count == 2)
    }

    @Test func aTenantsQueueIsNotHiddenByAnotherTenantsFlood() throws {
        let h = try setUp(perAgent: 1_000, perTenant: 1_000)
        for order in 0..<300 { #expect(try requestDirectly(h, "bot", order).error == nil) }
        let theirs = try #require(try h.decide("other", "r1", tool: "payments.refund", refund(1)).approvalID)
        #expect(try h.queries.approvals(status: .pending, limit: 200).allSatisfy { $0.tenant == "acme" })
        #expect(try h.queries.approvals(status: .pending, tenant: "globex", limit: 1).map(\.id) == [theirs])
        let acme = try h.queries.approvals(status: .pending, tenant: "acme", limit: 500)
        #expect(acme.count == 300 && acme.allSatisfy { $0.tenant == "acme" })
        let page = try h.queries.approvals(status: .pending, tenant: "acme", after: acme[99].id, limit: 100)
        #expect(page.map(\.id) == acme[100..<200].map(\.id), "paged by id within the tenant")
    }
}
