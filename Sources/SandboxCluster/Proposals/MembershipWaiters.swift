import Foundation
import Raft

/// Membership changes proposed on this node, each waiting for its entry to be applied (loop
/// thread only). Every waiter is answered: by its entry applied, by another entry applied at its
/// index (a later leader replaced it), by a snapshot installed past it, by its deadline, or by
/// the node stopping.
///
/// Before, only a membership entry applied at the waiter's index answered it: a leader deposed
/// right after proposing a change (its entry replaced by the next leader's no-op or decisions, or
/// passed by a snapshot) left the caller waiting for ever — the chaos runs' membership adds on a
/// deposed leader that never ended.
struct MembershipWaiters {
    typealias Waiter = CheckedContinuation<ConfState, any Error>

    private var waiting: [UInt64: (term: UInt64, deadline: ContinuousClock.Instant, waiter: Waiter)] = [:]

    var count: Int { waiting.count }

    /// A change appended at `index` in `term`, its caller answered by `deadline` at the latest.
    mutating func add(index: UInt64, term: UInt64, deadline: ContinuousClock.Instant, _ waiter: Waiter) {
        // An index holds one entry of a term: a waiter there already was for a replaced entry.
        waiting.removeValue(forKey: index)?.waiter.resume(
            throwing: ClusterError.notApplied("replaced by a later leader's entry"))
        waiting[index] = (term, deadline, waiter)
    }

    /// The membership entry `entry` was applied, making the membership `conf`.
    mutating func applied(membership entry: Entry, conf: ConfState) {
        guard let found = waiting.removeValue(forKey: entry.index) else { return }
        if found.term == entry.term {
            found.waiter.resume(returning: conf)
        } else {
            found.waiter.resume(throwing: ClusterError.notApplied("replaced by a later leader's entry"))
        }
    }

    /// Entries that are not membership changes were applied: a change waiting at one of their
    /// indexes was replaced by a later leader's entry, so it certainly did not take effect.
    mutating func applied(entries: [Entry]) {
        guard !waiting.isEmpty else { return }
        for entry in entries {
            waiting.removeValue(forKey: entry.index)?.waiter.resume(
                throwing: ClusterError.notApplied("replaced by a later leader's entry"))
        }
    }

    /// A snapshot up to `index` was installed: the changes waiting at or below it may be in it
    /// or may have been replaced; their callers learn that the outcome is unknown.
    mutating func passed(bySnapshotAt index: UInt64) {
        for (waitingIndex, found) in waiting where waitingIndex <= index {
            waiting[waitingIndex] = nil
            found.waiter.resume(
                throwing: ClusterError.unknownOutcome("a snapshot up to index \(index) was installed over it"))
        }
    }

    /// Answers the waiters whose deadline passed (the change may still be applied later).
    mutating func expire(now: ContinuousClock.Instant) {
        for (index, found) in waiting where found.deadline <= now {
            waiting[index] = nil
            found.waiter.resume(
                throwing: ClusterError.unknownOutcome("membership change at index \(index) was not applied in time"))
        }
    }

    /// Fails every waiter (the node stopped).
    mutating func failAll(_ error: ClusterError) {
        for (_, found) in waiting { found.waiter.resume(throwing: error) }
        waiting = [:]
    }
}
