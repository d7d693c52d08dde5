// Handing work to the runtime: `hasReady`, `ready()` and `advance(_:)` (see `Ready`).
extension RaftNode {
    /// Whether `ready()` has anything for the runtime.
    public var hasReady: Bool {
        if failure != nil { return !failureReported }
        if needsBroadcast || !outbox.isEmpty || !outboxAfterPersist.isEmpty || !readStates.isEmpty { return true }
        if !log.unstable.entries.isEmpty || log.unstable.snapshot != nil
            || log.hasEntriesToApply(maxUnappliedBytes: config.limits.maxUnappliedBytes)
        {
            return true
        }
        return hardState != previousHardState || softState != previousSoftState
    }

    /// Collects what the runtime must persist, send and apply. Call `advance(_:)` once done.
    public func ready() -> Ready {
        if needsBroadcast {
            needsBroadcast = false
            if role == .leader { broadcastAppend() }
        }
        var ready = Ready()
        ready.entries = log.unstable.entries
        ready.snapshot = log.unstable.snapshot
        ready.committedEntries = log.takeEntriesToApply(
            maxBytes: config.limits.maxCommittedBytesPerReady, maxUnappliedBytes: config.limits.maxUnappliedBytes)
        let hard = hardState
        if hard != previousHardState { ready.hardState = hard }
        let soft = softState
        if soft != previousSoftState {
            ready.softState = soft
            previousSoftState = soft
        }
        ready.messages = outbox
        ready.messagesAfterPersist = outboxAfterPersist
        ready.readStates = readStates
        outbox.removeAll(keepingCapacity: true)
        outboxAfterPersist.removeAll(keepingCapacity: true)
        readStates.removeAll(keepingCapacity: true)
        if let failure {
            // Everything above may rest on placeholders for the failed read: hand out nothing.
            failureReported = true
            var stopped = Ready()
            stopped.failure = failure
            return stopped
        }
        return ready
    }

    /// Tells the node the runtime carried out `ready`: what it persisted is now stable and the
    /// committed entries it handed out are applied (`acknowledgePersisted` and
    /// `acknowledgeApplied` at once, for a runtime that applies on the thread that persists).
    public func advance(_ ready: Ready) {
        acknowledgePersisted(ready)
        if let last = ready.committedEntries.last { acknowledgeApplied(upTo: last.index) }
    }

    /// Tells the node the runtime persisted (and sent) what `ready` asked for: its entries, hard
    /// state and snapshot are stable. Its committed entries are not marked applied: they are
    /// never handed out again, and the runtime acknowledges them with `acknowledgeApplied(upTo:)`
    /// once applied (on a thread of its own, while the node goes on).
    public func acknowledgePersisted(_ ready: Ready) {
        if failure != nil { return }
        if let hard = ready.hardState { previousHardState = hard }
        if let snapshot = ready.snapshot { log.snapshotInstalled(at: snapshot.metadata.index) }
        if let last = ready.entries.last { log.unstable.markStable(upTo: last.index, term: last.term) }
        if !ready.committedEntries.isEmpty {
            var released = 0
            for entry in ready.committedEntries { released += entry.data.count }
            uncommittedBytes = max(0, uncommittedBytes - released)
        }
        if role == .leader, let me = progress[id], me.maybeUpdate(log.stableLastIndex) {
            // The leader counts its own copy only once it is durable.
            if maybeCommit() { needsBroadcast = true }
        }
        if role == .candidate { leadIfElectedDurably() }  // a single voter's own vote is durable now
    }

    /// Tells the node the state machine applied, in order, every committed entry handed out up to
    /// `index` (an index at or below `appliedIndex` is ignored: a snapshot moved past it).
    public func acknowledgeApplied(upTo index: UInt64) {
        if failure != nil { return }
        log.appliedTo(index)
    }
}
