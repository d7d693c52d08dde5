import Foundation
import Raft

/// The proposals this node forwarded to the leader, by batch id, each waiting for the leader's
/// outcomes; shared by the loop and the proposing threads.
///
/// A follower that knows its leader forwards a proposal straight from the proposing thread (an
/// HTTP event loop): registered here, then sent, without waking the Raft loop and without
/// waiting for it to come out of a log sync (`RaftDriver.forwardDirectly`). The loop names that
/// leader (`leaderChanged`), forwards what queued up while there was none, hears the outcomes
/// (`take`), and expires and fails batches.
///
/// `@unchecked Sendable`: every stored property is read and written only with `lock` held.
/// Waiters are answered by the callers, outside the lock.
final class ForwardedBatches<Result: Sendable>: @unchecked Sendable {
    typealias Queued = ProposalWaiters<Result>.Queued
    typealias Batch = (leader: NodeID, proposals: [Queued])
    /// A batch and the term in which its leader led when it was sent.
    private typealias Sent = (batch: Batch, term: UInt64, direct: Bool)

    private let lock = NSLock()
    private var batches: [UInt64: Sent] = [:]
    private var proposalCount = 0
    /// Direct batches waiting for their outcomes (each of one proposal).
    private var directInFlight = 0
    /// Random at start: an answer to a batch of this node's previous run, delivered late by a
    /// leader's link that kept it queued across the restart, matches no batch of this run.
    private var nextID: UInt64
    /// The leader proposing threads forward to (0: none; proposals then go through the loop),
    /// and its term.
    private var directLeader: NodeID = 0
    private var directTerm: UInt64 = 0
    /// The proposals the loop holds (queued, appended, on the apply thread), as of its last
    /// tick: a direct forward counts them against the bound.
    private var loopWaiting = 0
    private var closed = false
    private var directCount: UInt64 = 0

    init(firstID: UInt64 = UInt64.random(in: 1...(UInt64.max >> 1))) {
        nextID = firstID
    }

    /// Proposals in forwarded batches, waiting for outcomes.
    var count: Int { lock.withLock { proposalCount } }

    /// Proposals forwarded straight from a proposing thread (sent) since the start.
    var forwardedDirectly: UInt64 { lock.withLock { directCount } }

    /// Registers a batch the loop forwards to `leader`, leader in `term`; its id goes in the
    /// frame.
    func register(_ proposals: [Queued], to leader: NodeID, term: UInt64) -> UInt64 {
        lock.withLock { add((leader, proposals), term: term, direct: false) }
    }

    /// Registers one proposal for a proposing thread to forward itself: the id and the leader,
    /// or nil when it must go through the loop: no leader named, this node the leader, stopped,
    /// `limit` proposals waiting on the node (the loop's as of its last tick, and the forwarded
    /// ones), or `inFlightLimit` direct batches already waiting for outcomes (beyond
    /// it the loop's batches carry the load: one frame each way per loop iteration, not per
    /// proposal, well within the peer links' frame bounds).
    func registerDirect(_ queued: Queued, limit: Int, inFlightLimit: Int) -> (id: UInt64, leader: NodeID)? {
        lock.withLock {
            guard !closed, directLeader != 0, loopWaiting + proposalCount < limit, directInFlight < inFlightLimit
            else { return nil }
            return (add((directLeader, [queued]), term: directTerm, direct: true), directLeader)
        }
    }

    /// The loop's count of the proposals it holds, once per tick.
    func loopHolds(_ count: Int) { lock.withLock { loopWaiting = count } }

    /// Removes the batch whose outcomes `leader` sent. Nil when it is not here (expired or
    /// failed, its waiters answered) or went to another node (a stale answer).
    func take(_ id: UInt64, answeredBy leader: NodeID) -> Batch? {
        lock.withLock {
            guard batches[id]?.batch.leader == leader else { return nil }
            return remove(id)
        }
    }

    /// Removes a batch whose frame could not be sent (a direct one is not counted as forwarded
    /// directly). Nil when it is no longer here (failed meanwhile, its waiter answered).
    func withdraw(_ id: UInt64) -> Batch? {
        lock.withLock {
            if batches[id]?.direct == true { directCount -= 1 }
            return remove(id)
        }
    }

    /// The loop's view of the leader changed: proposing threads forward to `leader` (leader in
    /// `term`) from now on (none when it is 0 or this node). Once a leader is known, the batches
    /// sent to another node, or to it in an earlier term (it may have restarted and lost them),
    /// are removed and returned: they will get no answer. While no leader is known they stay: a
    /// follower that missed a few heartbeats and hears from the same leader again gets its
    /// answers, and a batch whose leader is gone is answered when the next leader is known, or
    /// at its deadline.
    func leaderChanged(to leader: NodeID, term: UInt64, this node: NodeID) -> [Batch] {
        lock.withLock {
            directLeader = leader == node ? 0 : leader
            directTerm = term
            guard leader != 0 else { return [] }
            return removeAll { batch, sentIn in batch.leader != leader || sentIn != term }
        }
    }

    /// Removes and returns the batches with a proposal past its deadline.
    func expire(now: ContinuousClock.Instant) -> [Batch] {
        lock.withLock { removeAll { batch, _ in batch.proposals.contains { $0.deadline <= now } } }
    }

    /// Refuses every later direct forward and removes and returns every batch (the node stops).
    func close() -> [Batch] {
        lock.withLock {
            closed = true
            directLeader = 0
            return removeAll { _, _ in true }
        }
    }

    private func add(_ batch: Batch, term: UInt64, direct: Bool) -> UInt64 {
        let id = nextID
        nextID &+= 1
        batches[id] = (batch, term, direct)
        proposalCount += batch.proposals.count
        if direct {
            directInFlight += 1
            directCount += 1
        }
        return id
    }

    private func remove(_ id: UInt64) -> Batch? {
        guard let (batch, _, direct) = batches.removeValue(forKey: id) else { return nil }
        proposalCount -= batch.proposals.count
        if direct { directInFlight -= 1 }
        return batch
    }

    private func removeAll(where matches: (Batch, _ term: UInt64) -> Bool) -> [Batch] {
        let ids = batches.compactMap { id, sent in matches(sent.batch, sent.term) ? id : nil }
        return ids.compactMap(remove)
    }
}
