/// The leader's view of one follower.
final class Progress {
    @exclusivity(unchecked) var match: UInt64 = 0
    @exclusivity(unchecked) var next: UInt64
    @exclusivity(unchecked) var state: ReplicationState = .probe
    /// In the snapshot state: the index of the snapshot sent.
    @exclusivity(unchecked) var pendingSnapshot: UInt64 = 0
    /// Ticks since the snapshot was sent (the leader retries after an election timeout).
    @exclusivity(unchecked) var snapshotTicks = 0
    /// Heard from since the last quorum check.
    @exclusivity(unchecked) var recentActive = false
    /// In the probe state: an append was sent and no answer came yet.
    @exclusivity(unchecked) var probeSent = false
    @exclusivity(unchecked) var inflights: Inflights
    @exclusivity(unchecked) var isLearner: Bool

    init(next: UInt64, isLearner: Bool, limits: RaftLimits) {
        self.next = next
        self.isLearner = isLearner
        inflights = Inflights(capacity: limits.maxInflightMessages, maxBytes: limits.maxInflightBytes)
    }

    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }

    func becomeProbe() {
        if state == .snapshot {
            let pending = pendingSnapshot
            reset(to: .probe)
            next = max(match + 1, pending + 1)
        } else {
            reset(to: .probe)
            next = match + 1
        }
    }

    func becomeReplicate() {
        reset(to: .replicate)
        next = match + 1
    }

    func becomeSnapshot(at index: UInt64) {
        reset(to: .snapshot)
        pendingSnapshot = index
    }

    private func reset(to newState: ReplicationState) {
        probeSent = false
        pendingSnapshot = 0
        snapshotTicks = 0
        state = newState
        inflights.reset()
    }

    /// An acknowledgement up to `index`; returns whether the match advanced.
    func maybeUpdate(_ index: UInt64) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index + 1)
        return updated
    }

    /// A rejection of the append at `rejected`; `hint` is where the follower says to probe.
    /// Returns false for a stale rejection.
    func maybeDecrease(rejected: UInt64, hint: UInt64) -> Bool {
        if state == .replicate {
            if rejected <= match { return false }
            next = match + 1
            return true
        }
        if next - 1 != rejected { return false }
        let decreased = max(min(rejected, hint + 1), match + 1)
        // A duplicated old rejection that teaches nothing: wait for the next heartbeat.
        if decreased == next { return false }
        next = decreased
        probeSent = false
        return true
    }
}
