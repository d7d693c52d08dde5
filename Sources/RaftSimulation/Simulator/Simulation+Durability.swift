import Raft

// Checks made when a message leaves a node (the simulated runtime hands it to the network):
// durability at send time, and the acknowledgements that make an entry committed.
extension Simulation {
    /// Checks each message as it leaves its sender, then records the acknowledgements it
    /// carries. Called by `send(_:)` before the network takes the messages.
    func checkOutgoing(_ messages: [Message]) {
        for message in messages {
            guard violation == nil, let sender = node(message.from) else { return }
            if let problem = durabilityProblem(message, from: sender) { return fail(.durability, problem) }
            if message.isAcknowledgement { recordAcknowledgement(message, from: sender) }
        }
    }

    /// Durability at send time: an append acknowledgement (or a heartbeat answer stating an
    /// index) vouches for the entries up to its
    /// index as the sender's log holds them; a vote (and a vote request, the candidate's own
    /// vote) vouches for the term and the vote. Both must already be in the sender's storage.
    func durabilityProblem(_ message: Message, from sender: SimulatedNode) -> String? {
        let storage = sender.storage
        switch message.kind {
        case .appendResponse where !message.reject && message.index > 0, .heartbeatResponse where message.index > 0:
            // An acknowledgement of an older term than the stored one: a newer leader truncated
            // the entries before they were persisted. Harmless: the older term's leader cannot
            // commit with it (a voter of the newer term that acknowledged first would hold the
            // entries, so the newer leader would too).
            if sender.storedHardState.term > message.term { return nil }
            guard let first = try? storage.firstIndex(), let last = try? storage.lastIndex() else { return nil }
            if message.index < first - 1 { return nil }  // covered by the stored snapshot
            guard message.index <= last else {
                return
                    "node \(sender.id) acknowledges index \(message.index) (\(message)) but its storage ends at \(last)"
            }
            let stored = try? storage.term(at: message.index)
            if let held = sender.raft?.term(at: message.index), stored != held {
                return
                    "node \(sender.id) acknowledges \(held)/\(message.index) (\(message)) but its storage holds term \(stored.map(String.init) ?? "none") there"
            }
            return nil
        case .vote, .voteResponse:
            if message.kind == .voteResponse && message.reject { return nil }
            let hard = sender.storedHardState
            let votedFor = message.kind == .vote ? sender.id : message.to
            if hard.term > message.term || (hard.term == message.term && hard.vote == votedFor) { return nil }
            return
                "node \(sender.id) sends \(message) but its storage holds term \(hard.term) vote \(hard.vote)"
        default:
            return nil
        }
    }

    /// An acknowledgement to the leader of its term: once a quorum of the leader's voters (its own
    /// persisted copy included) holds an entry of that term, the entry and everything before it
    /// is committed, whether or not the leader ever learns it (Raft §5.4.2). Those entries are
    /// recorded as committed: no node may ever hold another entry at their index.
    func recordAcknowledgement(_ message: Message, from sender: SimulatedNode) {
        let term = message.term
        guard let leaderNode = node(message.to), let leader = leaderNode.raft, leader.role == .leader,
            leader.term == term
        else { return }
        guard message.index > acknowledgedUpTo[term] ?? 0 else { return }  // nothing new
        var acknowledged = acknowledgements[term] ?? [:]
        acknowledged[sender.id] = max(acknowledged[sender.id] ?? 0, message.index)
        acknowledged[leaderNode.id] = (try? leaderNode.storage.lastIndex()) ?? 0
        acknowledgements[term] = acknowledged
        let voters = leader.confState.voters
        guard !voters.isEmpty else { return }
        var counts = voters.map { acknowledged[$0] ?? 0 }
        counts.sort(by: >)
        var index = counts[voters.count / 2]
        let done = acknowledgedUpTo[term] ?? 0
        // The newest entry of the leader's own term at or below the quorum's index.
        while index > done, leader.term(at: index) != term { index -= 1 }
        guard index > done else { return }
        acknowledgedUpTo[term] = index
        let low = max(done + 1, leader.firstIndex)
        guard low <= index else { return }
        for position in low...index {
            guard let held = leader.term(at: position) else { continue }
            if let problem = checker.observeCommitted(
                index: position, term: held, on: leaderNode.id, inTerm: term)
            {
                return fail(.stateMachineSafety, problem)
            }
        }
    }

    /// A committed entry the node's storage holds must survive `entries` being appended (which
    /// replaces or truncates what it holds from the first new index on); and so must an entry of
    /// the node's current term `term`: only that term's leader makes such entries and its log
    /// only grows (Raft §5.3, Leader Append-Only), so nothing the node may accept in that term
    /// conflicts with them — a stale leader's append (§5.1) would.
    func overwriteProblem(_ entries: [Entry], on node: SimulatedNode, term: UInt64) -> (Violation.Property, String)? {
        guard let first = entries.first, let last = try? node.storage.lastIndex(), first.index <= last else {
            return nil
        }
        for index in first.index...last {
            guard let stored = try? node.storage.term(at: index) else { continue }
            let position = Int(index - first.index)
            let replacement = position < entries.count ? entries[position].term : nil
            if let problem = checker.overwriteProblem(
                index: index, stored: stored, replacement: replacement, nodeTerm: node.storedHardState.term,
                on: node.id)
            {
                return (.committedEntryKept, problem)
            }
            if stored == term && replacement != stored {
                let by = replacement.map { "with \($0)/\(index)" } ?? "by truncating its log"
                return (
                    .ownTermEntryKept,
                    "node \(node.id) in term \(term) replaces its term's entry \(stored)/\(index) \(by)"
                )
            }
        }
        return nil
    }

    /// Entry origin: an entry of term T carrying a client's payload must be the one that client
    /// proposed at the leader of T, at that index (no-op entries carry no payload).
    func originProblem(_ entry: Entry, on node: NodeID) -> String? {
        guard !entry.data.isEmpty else { return nil }
        guard let origins = proposals[entry.data] else {
            return "node \(node) holds \(entry.shortDescription), which no leader proposed"
        }
        if origins.contains(where: { $0.term == entry.term && $0.index == entry.index }) { return nil }
        return
            "node \(node) holds \(entry.shortDescription), but it was proposed as \(origins.map { "\($0.term)/\($0.index)" })"
    }

    /// Records what a leader accepted, for the origin check.
    func recordProposal(_ data: [UInt8], term: UInt64, index: UInt64) {
        proposals[data, default: []].append(ProposalOrigin(term: term, index: index))
    }
}

extension Message {
    /// An answer by which a follower vouches that its log matches the leader's up to `index`:
    /// an accepted append, or a heartbeat answer stating what the follower acknowledged before.
    var isAcknowledgement: Bool {
        switch kind {
        case .appendResponse: return !reject
        case .heartbeatResponse: return index > 0
        default: return false
        }
    }
}
