/// What the decide path needs about an agent, cached: its record and its policy head.
struct AgentState: Sendable {
    var record: AgentRecord
    var head: PolicyHead
}
