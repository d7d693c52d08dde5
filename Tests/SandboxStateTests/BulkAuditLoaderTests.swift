import JSON
import SandboxState
import Testing

/// The benchmark's bulk loader builds a state that reads like one apply built: the chain
/// verifies, the stored digest is the recomputed one, and apply continues the chain after it.
@Suite struct BulkAuditLoaderTests {
    @Test func aBulkLoadedLogVerifiesAndApplyContinuesIt() throws {
        let h = try Harness()
        try h.agent("a", policy: Policies.standard)
        let before = try h.queries.auditHead().nextSequence
        var loader = try BulkAuditLoader(storage: h.storage)
        let request = DecisionRequest.tool(
            name: "crm.read", parameters: ["customer": "c-1", "fields": ["name"], "limit": 10], chainDepth: 0,
            costUSD: nil)
        for i in 0..<250 {
            loader.appendAllowedDecision(
                requestID: "bulk-\(i)", agent: "a", tenant: "acme", request: request, node: 1,
                timeMillis: h.timeMillis + UInt64(i), policyVersion: 1, budget: nil)
            if loader.pending == 100 { try loader.commit() }
        }
        try loader.commit()
        #expect(try h.queries.auditHead().nextSequence == before + 250)
        #expect(try h.queries.recomputeDigest() == h.queries.storedDigest())
        let record = try #require(try h.queries.auditRecord(before + 10)?.body)
        #expect(record["request_id"] == "bulk-10" && record["agent"] == "a" && record["outcome"] == "allow")
        // The state machine picks the state up where the loader left it.
        try h.machine.reload()
        h.nextIndex = try h.storage.appliedIndex() + 1
        h.timeMillis += 1_000
        let answer = try h.decide("a", "after", tool: "crm.read", ["customer": "c-1", "fields": ["name"], "limit": 10])
        #expect(answer.decisionID == before + 250)
        let verification = try h.queries.verifyAudit()
        #expect(verification.failure == nil && verification.checked == Int(before + 250))
        #expect(try h.queries.recomputeDigest() == h.queries.storedDigest())
    }
}
