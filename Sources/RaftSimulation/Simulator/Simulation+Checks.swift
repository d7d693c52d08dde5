import Raft

// The safety checks run after every step (see `SafetyChecker`).
extension Simulation {
    // MARK: - Checks

    func checkSafety() {
        for node in nodes {
            guard let raft = node.raft else { continue }
            if let broken = raft.invariantViolation { return fail(.coreInvariant, "node \(node.id): \(broken)") }
            statistics.highestTerm = max(statistics.highestTerm, raft.term)
            if raft.role == .leader {
                let (isNew, problem) = checker.observeLeader(node.id, term: raft.term)
                if let problem { return fail(.electionSafety, problem) }
                if isNew {
                    note("node \(node.id) becomes leader of term \(raft.term)")
                    checkLeaderCompleteness(node, raft)
                    if violation != nil { return }
                }
            }
            let commit = raft.commitIndex
            if commit < node.lastCommit {
                return fail(
                    .monotonicity, "node \(node.id) commit index went back from \(node.lastCommit) to \(commit)")
            }
            if commit > node.lastCommit {
                let low = max(node.lastCommit + 1, raft.firstIndex)
                if low <= commit {
                    for index in low...commit {
                        guard let term = raft.term(at: index) else { continue }
                        if let problem = checker.observeCommitted(
                            index: index, term: term, on: node.id, inTerm: raft.term)
                        {
                            return fail(.stateMachineSafety, problem)
                        }
                    }
                }
                node.lastCommit = commit
            }
        }
    }

    func checkLeaderCompleteness(_ node: SimulatedNode, _ raft: RaftNode) {
        let high = checker.highestCommitted
        let low = max(raft.firstIndex, 1)
        guard low <= high else { return }
        for index in low...high {
            guard let term = checker.committedTerms[index] else { continue }
            // Only what was committed before this term: a candidate paused across elections may
            // win its older term after later terms committed more.
            guard (checker.committedInTerm[index] ?? .max) < raft.term else { continue }
            let held = raft.term(at: index)
            if held != term {
                return fail(
                    .leaderCompleteness,
                    "node \(node.id), leader of term \(raft.term), lacks committed entry \(term)/\(index) (holds \(held.map(String.init) ?? "nothing"))"
                )
            }
        }
    }
}
