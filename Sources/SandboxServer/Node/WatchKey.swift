import SandboxState

/// What a long poll waits on: one agent's policy, or one approval.
enum WatchKey: Hashable, Sendable {
    case policy(agent: String)
    case approval(UInt64)

    /// The keys an applied entry changed (a snapshot changes everything: see
    /// ``ApplyWatchers/notifyAll()``).
    static func changed(by result: EntryResult) -> [WatchKey] {
        switch result.outcome {
        case .applied(.policy(let agent, _, _, _)): return [.policy(agent: agent)]
        case .applied(.approval(let id, _)): return [.approval(id)]
        case .decided(let answer): return answer.approvalID.map { [.approval($0)] } ?? []
        case .applied(.done), .applied(.localDenials), .noop, .rejected: return []
        }
    }
}
