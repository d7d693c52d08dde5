import Foundation

/// Everything a driver's clients wait for, on the loop thread only: proposals not yet sent,
/// entries appended and not yet applied, and the results of recently applied entries (for an
/// outcome that arrives after the entry was applied here). Batches forwarded to the leader wait
/// in `ForwardedBatches`, which the proposing threads share.
struct ProposalWaiters<Result: Sendable> {
    typealias Waiter = OnceWaiter<Result>

    struct Queued {
        var command: [UInt8]
        var waiter: Waiter
        var deadline: ContinuousClock.Instant
    }

    struct Appended {
        var term: UInt64
        var queued: Queued
    }

    /// Waiting for a leader (or for the next loop iteration).
    var queue: [Queued] = []
    /// In the log at an index, with the term they were appended in: waiting to be applied.
    var appended = IndexedWaiters<Appended>()
    /// The highest index at which a waiter joined `appended` after the entry there was handed
    /// to the apply worker (a follower's, whose leader answered late): only the loop answers
    /// it, on the worker's report, which must then wake the loop (`awaitsApplyReports`).
    var appendedAfterHandOut: UInt64 = 0
    /// Handed to the apply thread with their entry (which answers them), in index order: kept
    /// here only so that their deadline still bounds the wait (a stalled apply: `expire`), and
    /// dropped once the loop hears their index applied.
    var handedOut: [(index: UInt64, deadline: ContinuousClock.Instant, waiter: Waiter)] = []
    /// Results of the last applied entries, by index (bounded ring).
    private var recent: [UInt64: (term: UInt64, result: Result)] = [:]
    /// The indexes in `recent`, oldest at `recentOldest` once the ring is full (a ring: dropping
    /// the oldest moves nothing; `removeFirst` moved all 4,096 on every applied entry).
    private var recentOrder: [UInt64] = []
    private var recentOldest = 0
    private let recentCapacity = 4096

    var count: Int {
        queue.count + appended.count + handedOut.count
    }

    mutating func remember(_ result: Result, index: UInt64, term: UInt64) {
        recent[index] = (term, result)
        guard recentOrder.count == recentCapacity else { return recentOrder.append(index) }
        if recentOrder[recentOldest] != index { recent[recentOrder[recentOldest]] = nil }
        recentOrder[recentOldest] = index
        recentOldest = (recentOldest + 1) % recentCapacity
    }

    func recentResult(at index: UInt64) -> (term: UInt64, result: Result)? { recent[index] }

    /// Fails every waiter (the node stopped).
    mutating func failAll(_ error: ClusterError) {
        for queued in queue { queued.waiter.resume(throwing: error) }
        for (_, waiting) in appended.byIndex {
            for appended in waiting { appended.queued.waiter.resume(throwing: error) }
        }
        for handed in handedOut { handed.waiter.resume(throwing: error) }  // unless applied first
        queue = []
        appended.removeAll()
        handedOut = []
    }

    /// Answers the waiters of entries at or below an installed snapshot at once (they may be in
    /// it: unknownOutcome), rather than at their deadline.
    mutating func passed(bySnapshotAt index: UInt64) {
        for (waitingIndex, waiting) in appended.byIndex where waitingIndex <= index {
            _ = appended.removeValue(forKey: waitingIndex)
            for entry in waiting {
                entry.queued.waiter.resume(
                    throwing: ClusterError.unknownOutcome("a snapshot up to index \(index) was installed over it"))
            }
        }
    }

    /// A waiter whose index holds another term's entry (certainly not applied): queued to be
    /// proposed again while its deadline allows, else answered `notApplied`; one that was
    /// answered meanwhile (its deadline passed on the apply thread) is left alone.
    mutating func replaced(_ queued: Queued, now: ContinuousClock.Instant) {
        guard !queued.waiter.isAnswered else { return }
        if queued.deadline > now {
            queue.append(queued)
        } else {
            queued.waiter.resume(throwing: ClusterError.notApplied("replaced by a later leader's entry"))
        }
    }

    /// Forgets the handed-out waiters whose index is applied (the apply thread answered them).
    mutating func applied(upTo index: UInt64) {
        var drop = 0
        while drop < handedOut.count, handedOut[drop].index <= index { drop += 1 }
        if drop > 0 { handedOut.removeFirst(drop) }
    }

    /// Answers the waiters whose deadline passed: queued ones were never sent (not applied),
    /// appended ones may have been.
    mutating func expire(now: ContinuousClock.Instant) {
        queue.removeAll { queued in
            guard queued.deadline <= now else { return false }
            queued.waiter.resume(throwing: ClusterError.notApplied("no leader accepted it in time"))
            return true
        }
        for (index, waiting) in appended.byIndex where waiting.contains(where: { $0.queued.deadline <= now }) {
            let (late, onTime) = (
                waiting.filter { $0.queued.deadline <= now }, waiting.filter { $0.queued.deadline > now }
            )
            for appended in late {
                appended.queued.waiter.resume(
                    throwing: ClusterError.unknownOutcome("entry \(index) was not applied in time"))
            }
            self.appended.replace(at: index, with: onTime)
        }
        // On the apply thread and late (a stalled apply): answered here; the apply thread's
        // answer, if it comes, is then ignored.
        handedOut.removeAll { handed in
            guard handed.deadline <= now else { return false }
            handed.waiter.resume(throwing: ClusterError.unknownOutcome("entry \(handed.index) was not applied in time"))
            return true
        }
    }
}
