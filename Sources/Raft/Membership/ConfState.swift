/// The membership of the cluster as of some log position.
public struct ConfState: Sendable, Hashable {
    public var voters: [NodeID]
    public var learners: [NodeID]

    public init(voters: [NodeID] = [], learners: [NodeID] = []) {
        self.voters = voters
        self.learners = learners
    }
}
