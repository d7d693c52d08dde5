import Foundation
import Raft
import SandboxWire

extension RaftDriver {
    func enqueue(_ command: [UInt8], _ waiter: OnceWaiter<Machine.Result>) {
        guard fitsAnEntry(command) else {
            waiter.resume(
                throwing: ClusterError.invalid(
                    "a command of \(command.count) bytes exceeds the entry limit of \(config.raft.limits.maxEntryBytes)"
                ))
            return
        }
        let waiting = proposals.count + forwarded.count
        guard waiting < config.maxWaitingProposals else {
            waiter.resume(throwing: ClusterError.overloaded("\(waiting) proposals are waiting"))
            return
        }
        let deadline = config.clock() + config.proposalTimeout
        proposals.queue.append(.init(command: command, waiter: waiter, deadline: deadline))
    }

    private func fitsAnEntry(_ command: [UInt8]) -> Bool {
        command.count <= config.raft.limits.maxEntryBytes && command.count <= config.wire.maxEntryBytes
    }

    /// On the proposing thread: a follower that knows its leader sends the proposal to it at
    /// once, as a batch of one, instead of waking the loop to forward it (the loop may be in a
    /// log sync; the peer link coalesces the frames of concurrent proposals into one write). The
    /// leader's outcome reaches the loop like any other. False when the loop must take it: no
    /// leader named, this node the leader, a command the loop refuses, the node's proposals at
    /// their bound, `maxDirectForwards` already in flight, or the leader's link full.
    func forwardDirectly(_ command: [UInt8], _ waiter: OnceWaiter<Machine.Result>) -> Bool {
        guard fitsAnEntry(command) else { return false }
        let queued = ProposalWaiters<Machine.Result>.Queued(
            command: command, waiter: waiter, deadline: config.clock() + config.proposalTimeout)
        guard
            let (batch, leader) = forwarded.registerDirect(
                queued, limit: config.maxWaitingProposals, inFlightLimit: config.maxDirectForwards)
        else { return false }
        if transport.send(.proposals(ProposalBatch(id: batch, proposals: [command])), to: leader) { return true }
        // Not sent: the loop takes it, unless the batch was failed meanwhile (answered).
        return forwarded.withdraw(batch) == nil
    }

    /// Proposes what is queued here and what followers forwarded, as one batch on a leader;
    /// forwards what is queued here to the leader otherwise; keeps it while there is no leader.
    func submitProposals(forwardedIn: [(peer: NodeID, batch: ProposalBatch)]) {
        if node.role == .leader {
            proposeAsLeader(forwardedIn: forwardedIn)
            return
        }
        for (peer, batch) in forwardedIn {
            let refusal = ProposalRefusal(.notLeader, leader: node.leader, message: "node \(id) is not the leader")
            sendFrame(
                .outcomes(OutcomeBatch(id: batch.id, outcomes: batch.proposals.map { _ in .refused(refusal) })),
                to: peer)
        }
        if node.leader != 0, node.leader != id, !proposals.queue.isEmpty { forwardQueue(to: node.leader) }
    }

    private enum Origin {
        case local(ProposalWaiters<Machine.Result>.Queued)
        case forwarded(batch: Int, position: Int)
    }

    private func proposeAsLeader(forwardedIn: [(peer: NodeID, batch: ProposalBatch)]) {
        var items: [(command: [UInt8], origin: Origin)] = proposals.queue.map { ($0.command, .local($0)) }
        proposals.queue = []
        var answers: [[ProposalOutcome?]] = forwardedIn.map { Array(repeating: nil, count: $0.batch.proposals.count) }
        for (batch, forwarded) in forwardedIn.enumerated() {
            for (position, command) in forwarded.batch.proposals.enumerated() {
                if command.count > config.raft.limits.maxEntryBytes {
                    answers[batch][position] = .refused(ProposalRefusal(.invalid, message: "command too large"))
                } else {
                    items.append((command, .forwarded(batch: batch, position: position)))
                }
            }
        }
        if !items.isEmpty {
            let now = nextTimeStamp()
            for position in items.indices { _ = Machine.stamp(&items[position].command, timeMillis: now) }
        }
        let chunkSize = config.raft.limits.maxEntriesPerProposal
        for start in stride(from: 0, to: items.count, by: chunkSize) {
            let chunk = items[start..<min(start + chunkSize, items.count)]
            do {
                let range = try node.propose(batch: chunk.map { $0.command })
                for (offset, item) in chunk.enumerated() {
                    let index = range.lowerBound + UInt64(offset)
                    switch item.origin {
                    case .local(let queued):
                        proposals.appended.append(.init(term: node.term, queued: queued), at: index)
                    case .forwarded(let batch, let position):
                        answers[batch][position] = .accepted(index: index, term: node.term)
                    }
                }
            } catch {
                for item in chunk {
                    switch item.origin {
                    case .local(let queued): refuse(queued, error)
                    case .forwarded(let batch, let position): answers[batch][position] = .refused(refusal(for: error))
                    }
                }
            }
        }
        for (batch, forwarded) in forwardedIn.enumerated() {
            let outcomes = answers[batch].map { $0 ?? .refused(ProposalRefusal(.invalid, message: "not proposed")) }
            sendFrame(.outcomes(OutcomeBatch(id: forwarded.batch.id, outcomes: outcomes)), to: forwarded.peer)
        }
    }

    /// A refusal that may pass (leadership moving) keeps the proposal queued; others answer it.
    private func refuse(_ queued: ProposalWaiters<Machine.Result>.Queued, _ error: RaftError) {
        switch error {
        case .notLeader, .noLeader, .transferInProgress: proposals.queue.append(queued)
        default: queued.waiter.resume(throwing: ClusterError.refused(error))
        }
    }

    private func refusal(for error: RaftError) -> ProposalRefusal {
        switch error {
        case .notLeader(let leader): return ProposalRefusal(.notLeader, leader: leader, message: "\(error)")
        case .noLeader: return ProposalRefusal(.notLeader, message: "\(error)")
        case .transferInProgress: return ProposalRefusal(.transferInProgress, message: "\(error)")
        case .tooManyUncommitted, .tooManyPendingReads: return ProposalRefusal(.overloaded, message: "\(error)")
        case .storageFailed: return ProposalRefusal(.stopped, message: "\(error)")
        default: return ProposalRefusal(.invalid, message: "\(error)")
        }
    }

    /// Sends the queue to the leader in batches; each batch waits for the leader's outcomes.
    private func forwardQueue(to leader: NodeID) {
        let queued = proposals.queue
        proposals.queue = []
        let chunkSize = config.wire.maxProposalsPerBatch
        for start in stride(from: 0, to: queued.count, by: chunkSize) {
            let chunk = Array(queued[start..<min(start + chunkSize, queued.count)])
            let id = forwarded.register(chunk, to: leader, term: node.term)
            if !transport.send(.proposals(ProposalBatch(id: id, proposals: chunk.map { $0.command })), to: leader),
                forwarded.withdraw(id) != nil
            {
                proposals.queue.append(contentsOf: chunk)  // the leader's queue is full: retry on a later tick
            }
        }
    }

    /// The leader's answer to a batch this node forwarded.
    func receiveOutcomes(_ batch: OutcomeBatch, from peer: NodeID) {
        guard let sent = forwarded.take(batch.id, answeredBy: peer) else { return }  // expired, or stale
        guard sent.proposals.count == batch.outcomes.count else {
            for queued in sent.proposals {
                queued.waiter.resume(
                    throwing: ClusterError.unknownOutcome("the leader's answer did not match the batch"))
            }
            return
        }
        for (queued, outcome) in zip(sent.proposals, batch.outcomes) {
            switch outcome {
            case .accepted(let index, let term): awaitApply(queued, index: index, term: term)
            case .refused(let refusal):
                switch refusal.code {
                case .notLeader, .transferInProgress: proposals.queue.append(queued)
                case .overloaded: queued.waiter.resume(throwing: ClusterError.overloaded(refusal.message))
                case .invalid: queued.waiter.resume(throwing: ClusterError.invalid(refusal.message))
                case .stopped: queued.waiter.resume(throwing: ClusterError.notApplied(refusal.message))
                }
            }
        }
    }

    private func awaitApply(_ queued: ProposalWaiters<Machine.Result>.Queued, index: UInt64, term: UInt64) {
        guard index <= appliedIndex else {
            proposals.appended.append(.init(term: term, queued: queued), at: index)
            if index <= node.applyingIndex {
                proposals.appendedAfterHandOut = max(proposals.appendedAfterHandOut, index)
            }
            return
        }
        // Applied here before the leader's answer arrived.
        if let recent = proposals.recentResult(at: index) {
            if recent.term == term {
                queued.waiter.resume(returning: recent.result)
            } else {
                proposals.queue.append(queued)  // replaced: certainly not applied
            }
        } else {
            queued.waiter.resume(throwing: ClusterError.unknownOutcome("entry \(index) was applied too long ago"))
        }
    }

    /// Tells the forwarded batches when the leader or the term moved. Not only when the `Ready`'s
    /// soft state changed: a leader that restarted and won the next term can lead again before
    /// this node's soft state ever left it (a learner never campaigns; a voter whose loop was in
    /// a long sync may take the new term's vote request and the leader's first append in one
    /// pass). Batches forwarded to a leader that is no longer the leader (another one is known,
    /// or the same node leads in a later term) will get no answer: their outcome is unknown now
    /// (answering at once lets clients retry within the failover).
    func noteLeader() {
        let current = (leader: node.leader, term: node.term)
        guard current != forwardingLeader else { return }
        forwardingLeader = current
        for batch in forwarded.leaderChanged(to: current.leader, term: current.term, this: id) {
            for queued in batch.proposals {
                queued.waiter.resume(
                    throwing: ClusterError.unknownOutcome("leader \(batch.leader) lost leadership before answering"))
            }
        }
    }

    /// Answers the forwarded proposals whose deadline passed (they may have been applied).
    func expireForwarded(now: ContinuousClock.Instant) {
        for batch in forwarded.expire(now: now) {
            for queued in batch.proposals {
                queued.waiter.resume(
                    throwing: ClusterError.unknownOutcome(
                        "leader \(batch.leader) did not answer the forwarded proposal"))
            }
        }
    }
}
