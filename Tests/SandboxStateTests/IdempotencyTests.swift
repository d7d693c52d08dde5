import JSON
import SandboxState
import Testing

/// Request ids per agent: a retry inside the window and the count gets the stored answer and no
/// second debit; outside the window, or once the agent's newer answers pushed it out, it is a new
/// request. Time is entry time only.
@Suite struct IdempotencyTests {
    let read: JSONValue = ["customer": "c-1", "fields": ["name"], "limit": 10]

    func harness(perAgent: Int) throws -> Harness {
        var limits = StateLimits()
        limits.maxIdempotencyKeysPerAgent = perAgent
        let h = try Harness(limits: limits)
        try h.agent("a", policy: Policies.standard)
        try h.agent("b", policy: Policies.standard)
        return h
    }

    func stored(_ h: Harness, _ agent: String, _ requestID: String) throws -> Bool {
        try h.storage.value(for: StateKeys.idempotency(agent: agent, requestID: requestID)) != nil
    }

    @Test func eachAgentKeepsItsNewestRequestIDsUpToItsCount() throws {
        let h = try harness(perAgent: 2)
        let first = try h.decide("a", "r1", tool: "crm.read", read, cost: "0.1")
        let b1 = try h.decide("b", "r1", tool: "crm.read", read, cost: "0.1")
        _ = try h.decide("a", "r2", tool: "crm.read", read, cost: "0.1")
        let third = try h.decide("a", "r3", tool: "crm.read", read, cost: "0.1")
        // a's oldest (r1) went when r3 came; b's r1 is b's own and stays.
        #expect(try !stored(h, "a", "r1"))
        #expect(try stored(h, "a", "r2") && stored(h, "a", "r3") && stored(h, "b", "r1"))
        let again = try h.decide("a", "r3", tool: "crm.read", read, cost: "0.1")
        #expect(again.replayed && again.decisionID == third.decisionID)
        #expect(try h.decide("b", "r1", tool: "crm.read", read, cost: "0.1").decisionID == b1.decisionID)
        // The forgotten id is a new request: a new record and a second debit.
        let retried = try h.decide("a", "r1", tool: "crm.read", read, cost: "0.1")
        #expect(!retried.replayed && retried.decisionID != first.decisionID)
        #expect(try h.queries.budget(of: "a")?.requests == 4)
        // ... and it pushed out r2, now the oldest.
        #expect(try !stored(h, "a", "r2"))
        #expect(try stored(h, "a", "r3") && stored(h, "a", "r1"))
    }

    @Test func theWindowIsEntryTimeAndTheSweepForgetsInTimeOrder() throws {
        let h = try harness(perAgent: 100)
        let start = h.timeMillis
        let first = try h.decide("a", "r1", tool: "crm.read", read, cost: "0.1")
        h.timeMillis += 1000
        _ = try h.decide("b", "r2", tool: "crm.read", read, cost: "0.1")
        h.timeMillis = start + 24 * 3_600_000 - 1
        #expect(try h.decide("a", "r1", tool: "crm.read", read, cost: "0.1").decisionID == first.decisionID)
        // At 24 h the first id is out of the window (the sweep after this entry removes it);
        // the second is still kept for one more second.
        h.timeMillis = start + 24 * 3_600_000
        try h.must(.createTenant(id: "other", name: "Other", actor: "admin"))
        #expect(try !stored(h, "a", "r1"))
        #expect(try stored(h, "b", "r2"))
        let retried = try h.decide("a", "r1", tool: "crm.read", read, cost: "0.1")
        #expect(!retried.replayed && retried.decisionID != first.decisionID)
        h.timeMillis = start + 24 * 3_600_000 + 1000
        try h.must(.createTenant(id: "more", name: "More", actor: "admin"))
        #expect(try !stored(h, "b", "r2"))
        #expect(try stored(h, "a", "r1"))
    }
}
