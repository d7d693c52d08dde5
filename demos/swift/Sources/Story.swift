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
    let log = DecisionLog()
    /// A shell command that kills the cluster's leader (scripts/demo passes one).
    let killLeader: String?

    init(seed: DemoSeed, killLeader: String?) throws {
        guard seed.endpoints.count >= 3 else {
            throw DemoFailure("the demo needs a cluster of 3 nodes; the seed lists \(seed.endpoints.count)")
        }
        self.seed = seed
        self.killLeader = killLeader
        operators = Operators(seed: seed)
        sales = try AgentSession(agent: try seed.agent("sales_assistant"), seed: seed)
        billing = try AgentSession(agent: try seed.agent("billing_assistant"), seed: seed)
    }

    /// Tells the story, then closes both clients (also when a step fails).
    func run() async throws {
        let told: Result<Void, any Error>
        do {
            try await tell()
            told = .success(())
        } catch {
            told = .failure(error)
        }
        await sales.close()
        await billing.close()
        try told.get()
    }

    private func tell() async throws {
        narrator.note("cluster: \(seed.endpoints.joined(separator: " ")); tenant \(seed.tenant)")
        try await loadThePolicies()
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
        await log.record(step, agent: session.agentID, decision)
        if decision.isAllowed { narrator.tool(perform()) }
        return decision
    }

    /// Each agent's SandboxClient fetches its signed policy and verifies it with the cluster's key.
    func loadThePolicies() async throws {
        narrator.section("0. The agents start: SandboxSDK clients over all three nodes")
        for session in [sales, billing] {
            let snapshot = try await session.loadPolicy()
            narrator.outcome(
                "policy-\(session.agentID)", "verified",
                "version \(snapshot.version), signed by key \(snapshot.keyID): what it denies outright is denied "
                    + "locally, without a round trip, and reported to the audit")
        }
    }
}
