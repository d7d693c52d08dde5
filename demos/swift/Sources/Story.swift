import Foundation
import JSON

/// The demo's story, step by step: two agents with fake tools ask the sandbox before each action
/// and the narrator says what it answered. Node 1 is where the story starts, node 2 is where the
/// approver works, node 3 is where the auditor exports.
struct Story: Sendable {
    let seed: DemoSeed
    let narrator = Narrator()
    let operators: Operators
    let sales: AgentSession
    let billing: AgentSession
    /// A shell command that kills the cluster's leader (scripts/demo passes one).
    let killLeader: String?

    init(seed: DemoSeed, killLeader: String?) throws {
        guard seed.endpoints.count >= 3 else {
            throw DemoFailure("the demo needs a cluster of 3 nodes; the seed lists \(seed.endpoints.count)")
        }
        self.seed = seed
        self.killLeader = killLeader
        operators = Operators(seed: seed)
        sales = AgentSession(agent: try seed.agent("sales_assistant"), endpoints: seed.endpoints)
        billing = AgentSession(agent: try seed.agent("billing_assistant"), endpoints: seed.endpoints)
    }

    func run() async throws {
        narrator.note("cluster: \(seed.endpoints.joined(separator: " ")); tenant \(seed.tenant)")
        narrator.note("agents: sales_assistant and billing_assistant, asking any of the three nodes")
        await readTheCRM()
        try await sendAnEmailThatNeedsApproval()
        await chargeACard()
        await fetchOverHTTP()
        await goTooDeep()
        try await killTheLeader()
        await spendTheBudget()
        try await exportTheAudit()
        narrator.outcome("done", "ok", "the story is over")
    }

    /// Asks, narrates, and runs the fake tool only when allowed.
    @discardableResult
    func attempt(
        _ step: String, _ session: AgentSession, _ tool: String, _ params: JSONValue, chainDepth: Int = 0,
        budget: Bool = false, perform: () -> JSONValue
    ) async -> DemoDecision {
        narrator.agent("\(tool) \(params.serialized())\(chainDepth > 0 ? " at chain depth \(chainDepth)" : "")")
        let decision = await session.toolCall(tool, params: params, chainDepth: chainDepth)
        narrator.decision(step, decision, budget: budget)
        if decision.isAllowed { narrator.tool(perform()) }
        return decision
    }
}
