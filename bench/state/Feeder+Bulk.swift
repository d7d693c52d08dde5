import JSON
import SandboxState
import SandboxStateStore

extension Feeder {
    /// Appends `count` allowed decisions' audit records directly (``BulkAuditLoader``: the same
    /// record encoding and chain as apply, without the decide path), spread over `agents` agents,
    /// one millisecond apart, committed `perCommit` at a time; then reloads the state machine.
    func bulkAudit(_ count: Int, agents: Int, perCommit: Int = 50_000) throws {
        var loader = try BulkAuditLoader(storage: RocksStateStorage(storage.state))
        let parameters: JSONValue = ["customer": "c-1", "fields": ["name", "email"], "limit": 10]
        let request = DecisionRequest.tool(
            name: "crm.read", parameters: parameters, chainDepth: 0, costUSD: JSONNumber(literal: "0.001"))
        for i in 0..<count {
            time += 1
            let day = UInt32(time / 86_400_000)
            let requests = UInt64(i / agents + 1)
            loader.appendAllowedDecision(
                requestID: "bulk-\(i)", agent: "agent-\(i % agents)", tenant: "t", request: request, node: 1,
                timeMillis: time, policyVersion: 1,
                budget: BudgetStatus(
                    day: day, requests: requests, maxRequests: 1_000_000_000, microdollars: requests * 1_000,
                    maxMicrodollars: 1_000_000_000_000))
            if loader.pending >= perCommit { try loader.commit() }
        }
        try loader.commit()
        try machine.reload()
        index = machine.appliedIndex
    }
}
