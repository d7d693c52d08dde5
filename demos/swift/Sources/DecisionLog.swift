/// What the story remembers for its last step: the denials the SDK decided locally (to find
/// each in the audit) and the nodes the approval went through.
actor DecisionLog {
    struct LocalDenial: Sendable {
        var step: String
        var agent: String
        var requestID: String
    }

    private(set) var localDenials: [LocalDenial] = []
    /// The nodes (1-based) of the approval scene: where the agent's request was decided, and
    /// where the approver voted. The auditor exports from another one.
    private(set) var approvalNodes: Set<Int> = []

    func noteApprovalNodes(_ nodes: Int...) { approvalNodes.formUnion(nodes) }

    func record(_ step: String, agent: String, _ decision: DemoDecision) {
        guard decision.decidedLocally, let requestID = decision.requestID else { return }
        localDenials.append(LocalDenial(step: step, agent: agent, requestID: requestID))
    }
}
