/// The story's record of the denials the SDK decided locally, to find each in the audit later.
actor DecisionLog {
    struct LocalDenial: Sendable {
        var step: String
        var agent: String
        var requestID: String
    }

    private(set) var localDenials: [LocalDenial] = []

    func record(_ step: String, agent: String, _ decision: DemoDecision) {
        guard decision.decidedLocally, let requestID = decision.requestID else { return }
        localDenials.append(LocalDenial(step: step, agent: agent, requestID: requestID))
    }
}
