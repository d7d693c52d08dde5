extension ConfChange: CustomStringConvertible {
    public var description: String {
        switch kind {
        case .addVoter: return "add-voter(\(node))"
        case .addLearner: return "add-learner(\(node))"
        case .removeNode: return "remove(\(node))"
        }
    }
}
