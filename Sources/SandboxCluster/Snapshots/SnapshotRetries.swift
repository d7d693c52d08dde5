import Raft

/// When a snapshot stream to a follower may start again after one failed or was lost, and the
/// requests Raft made meanwhile.
///
/// A transfer is lost when its follower becomes unreachable while the chunks stream or wait for
/// the install (a killed node: the chunks queued for it are dropped at the next failed connect);
/// the runtime then reports it failed and Raft asks again. Started at once, a member that stays
/// down would cost a full snapshot read, and a queue of chunks thrown away, per ask. So each
/// failure opens a wait (`initialDelay`, doubled per further failure up to `maximumDelay`); a
/// request during the wait is held (Raft keeps waiting for it) and started when the wait is
/// over, or as soon as a frame arrives from the follower: it is back, and a restarted node gets
/// its snapshot within a tick instead of after a whole wait.
struct SnapshotRetries {
    struct Wait {
        /// Failed or lost transfers since the last one that went through.
        var failures: Int
        /// No stream before this instant (nil: the follower was heard from since).
        var until: ContinuousClock.Instant?
        /// Whether a frame from the follower ends the wait: not after the follower abandoned
        /// the stream itself (it is up, and talking; its inbox was full).
        var endsWhenHeard = true
    }

    private(set) var waits: [NodeID: Wait] = [:]
    private(set) var held: [NodeID: Message] = [:]
    let initialDelay: Duration
    let maximumDelay: Duration

    init(initialDelay: Duration, maximumDelay: Duration) {
        precondition(initialDelay > .zero && maximumDelay >= initialDelay, "snapshot retry delays out of order")
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// A transfer to `peer` failed or was lost at `now`: no stream to it for the returned delay
    /// (cut short by a frame from the peer if `endsWhenHeard`).
    @discardableResult
    mutating func failed(to peer: NodeID, now: ContinuousClock.Instant, endsWhenHeard: Bool = true) -> Duration {
        var wait = waits[peer] ?? Wait(failures: 0, until: nil)
        let delay = min(initialDelay * (1 << min(wait.failures, 20)), maximumDelay)
        wait.failures += 1
        wait.until = now + delay
        wait.endsWhenHeard = endsWhenHeard
        waits[peer] = wait
        return delay
    }

    /// A transfer to `peer` went through (the follower caught up): the next failure starts
    /// from `initialDelay` again.
    mutating func succeeded(to peer: NodeID) {
        waits[peer] = nil
    }

    /// A frame arrived from `peer`: it is up, so the wait ends now (the failure count stays, so
    /// a peer that keeps losing its transfers still waits longer each time it goes quiet) —
    /// unless the peer itself abandoned the last stream: it was up all along, and a stream
    /// started at its next heartbeat answer would meet the same full inbox.
    mutating func heard(from peer: NodeID) {
        if let wait = waits[peer], wait.until != nil, wait.endsWhenHeard { waits[peer]?.until = nil }
    }

    /// Whether a stream to `peer` may start at `now`.
    func mayStart(to peer: NodeID, now: ContinuousClock.Instant) -> Bool {
        guard let until = waits[peer]?.until else { return true }
        return now >= until
    }

    /// Holds a request that came during a wait; whether none was held for that peer before (a
    /// later request replaces an earlier one).
    @discardableResult
    mutating func hold(_ message: Message) -> Bool {
        held.updateValue(message, forKey: message.to) == nil
    }

    /// Takes out the held requests whose wait is over at `now`, by peer; drops those of a term
    /// other than `term` (that leadership is over: its Raft no longer waits for them).
    mutating func due(now: ContinuousClock.Instant, term: UInt64) -> [Message] {
        guard !held.isEmpty else { return [] }
        var ready: [Message] = []
        for (peer, message) in held where message.term != term || mayStart(to: peer, now: now) {
            held[peer] = nil
            if message.term == term { ready.append(message) }
        }
        return ready.sorted { $0.to < $1.to }
    }
}
