import Foundation
import Raft

extension RaftDriver {
    /// Hands committed entries to the apply worker, in order: each run of normal entries as one
    /// item (one state write) with the proposals waiting for its entries (the worker answers
    /// them), a membership change as an item of its own. Raft's view of the
    /// membership changes here, on the loop (which owns the node); the worker stores it in order
    /// with the entries around it.
    func handOut(_ entries: [Entry]) {
        var run: [Entry] = []
        var waiting: [(index: UInt64, waiting: ProposalWaiters<Machine.Result>.Appended)] = []
        for entry in entries {
            guard entry.kind == .configChange else {
                run.append(entry)
                for appended in proposals.appended.removeValue(forKey: entry.index) ?? [] {
                    waiting.append((entry.index, appended))
                    proposals.handedOut.append((entry.index, appended.queued.deadline, appended.queued.waiter))
                }
                continue
            }
            if !run.isEmpty { applier.submit(.entries(run, waiting)) }
            run = []
            waiting = []
            // A local proposal appended at this index by an earlier leader: replaced.
            let now = config.clock()
            for appended in proposals.appended.removeValue(forKey: entry.index) ?? [] {
                proposals.replaced(appended.queued, now: now)
            }
            let conf: ConfState
            if let change = try? ConfChange(decoding: entry.data) {
                conf = node.applyConfChange(change)
            } else {
                conf = node.confState  // the leader checked it; a damaged one changes nothing
            }
            applier.submit(.membership(entry, conf))
        }
        if !run.isEmpty { applier.submit(.entries(run, waiting)) }
    }

    /// The apply worker's report, on the loop: the applied index published first (a client that
    /// hears of its write or read then sees it in `status`), then acknowledged to Raft, the
    /// waiters that came after the hand-out answered (a follower's, whose leader answered
    /// late), replaced ones proposed again, reads released and the log compacted when due.
    func applied(_ report: ApplyReport<Machine.Result>) {
        let last: Entry
        switch report {
        case .failed(let reason): return fail(reason)
        case .entries(let entries, _, _):
            guard let final = entries.last else { return }
            last = final
        case .membership(let entry, _): last = entry
        }
        // A report from before a snapshot install is late: the snapshot moved past it.
        let advanced = last.index > appliedIndex
        if advanced { appliedIndex = last.index }
        proposals.applied(upTo: last.index)
        switch report {
        case .failed: return
        case .entries(let entries, let results, let replaced):
            answerProposals(entries, results)
            membershipWaiters.applied(entries: entries)
            let now = config.clock()
            for queued in replaced { proposals.replaced(queued, now: now) }
        case .membership(let entry, let conf): membershipWaiters.applied(membership: entry, conf: conf)
        }
        guard advanced else { return }
        node.acknowledgeApplied(upTo: last.index)
        reads.complete(applied: appliedIndex)
        compactIfDue()
    }

    /// Whether anything waits for the apply worker's next report, so that it must wake the loop;
    /// otherwise the report is quiet (`ApplyReport.isRoutine`) and the loop takes it at its next
    /// wake-up, a tick at the latest (the worker answered the run's proposals and published the
    /// applied index already). Something waits when entries are out on the worker and: a read
    /// waits for an applied index; a membership change waits (its index may hold a normal entry
    /// of a later leader); a proposal the leader answered after its entry was handed out waits
    /// for the loop to answer it (a follower's); or Raft holds back committed entries, its
    /// unapplied backlog at its limit, until applied ones are acknowledged. A snapshot install
    /// waits for the worker on the worker's own condition, and `stop` is an event of its own.
    var awaitsApplyReports: Bool {
        let applying = node.applyingIndex
        guard appliedIndex < applying else { return false }
        return !reads.answered.isEmpty || membershipWaiters.count > 0 || node.commitIndex > applying
            || proposals.appendedAfterHandOut > appliedIndex
    }

    private func answerProposals(_ entries: [Entry], _ results: [Machine.Result]) {
        let now = config.clock()
        for (entry, result) in zip(entries, results) {
            proposals.remember(result, index: entry.index, term: entry.term)
            for waiting in proposals.appended.removeValue(forKey: entry.index) ?? [] {
                if waiting.term == entry.term {
                    waiting.queued.waiter.resume(returning: result)
                } else {
                    proposals.replaced(waiting.queued, now: now)
                }
            }
        }
    }

    /// Compacts the log once it holds `compactionThreshold` applied entries, keeping
    /// `compactionRetain` for followers that are a little behind, every entry after a snapshot
    /// being sent or installed (`SnapshotTransfers.compactionFloor`), and every entry after the
    /// state's durable applied index: when that is behind the target, the state store flushes on
    /// a thread of its own (`StateStore.flushInBackground`) and a later report or tick compacts,
    /// so the loop never waits for a flush.
    func compactIfDue() {
        let first = node.firstIndex
        guard appliedIndex >= first + config.compactionThreshold, appliedIndex > config.compactionRetain else {
            return
        }
        let floor = snapshotTransfers.compactionFloor { node.replicationState(of: $0)?.match }
        var target = min(appliedIndex - config.compactionRetain, floor ?? .max)
        guard target >= first else { return }
        do {
            let durable = try storage.state.durableAppliedIndex()
            if durable < target {
                if storage.state.flushInBackground() { counters.stateFlushesStarted += 1 }
                target = durable
                guard target >= first else { return }
            }
            try storage.log.compact(upTo: target)
        } catch {
            fail("log compaction failed: \(error)")
        }
    }
}
