import Raft

/// The snapshots a leader is streaming, or has streamed and not yet seen installed, by peer.
///
/// While a follower receives and installs a snapshot at index `i` (seconds for a large state),
/// the leader keeps appending; if it compacted its log past `i + 1` meanwhile, the follower
/// would come out of the install needing another snapshot, and a large state would loop: one
/// full transfer after another, each eating both nodes' CPU, the follower never caught up (the
/// failover throughput collapse of issue 11). So a transfer holds compaction at `i`, then at
/// the follower's match as it catches up by appends (`compactionFloor`), and blocks a second
/// stream to the same peer, until the follower is caught up (its match past `i` and within
/// `margin` of the leader's applied index), the stream fails, or `installTimeout` passes after
/// the last chunk was sent.
struct SnapshotTransfers {
    struct Transfer {
        var index: UInt64
        /// When the last chunk was sent (nil while streaming).
        var sentAt: ContinuousClock.Instant?
    }

    private(set) var byPeer: [NodeID: Transfer] = [:]
    let installTimeout: Duration

    init(installTimeout: Duration) {
        self.installTimeout = installTimeout
    }

    /// Whether a transfer to `peer` is under way (streaming or being installed).
    func isUnderWay(to peer: NodeID) -> Bool { byPeer[peer] != nil }

    mutating func started(to peer: NodeID, index: UInt64) {
        byPeer[peer] = Transfer(index: index, sentAt: nil)
    }

    /// The stream ended: a failed one is forgotten; a sent one waits for the install.
    mutating func finished(to peer: NodeID, failed: Bool, now: ContinuousClock.Instant) {
        if failed {
            byPeer[peer] = nil
        } else {
            byPeer[peer]?.sentAt = now
        }
    }

    /// Forgets the transfers that are over: the follower caught up (its `match` reached the
    /// snapshot's index and is within `margin` of `applied`), timed out after sending, or sent
    /// to a peer this node no longer leads (`match` nil).
    mutating func prune(
        now: ContinuousClock.Instant, applied: UInt64, margin: UInt64, match: (NodeID) -> UInt64?
    ) {
        for (peer, transfer) in byPeer {
            guard let sentAt = transfer.sentAt else { continue }  // still streaming
            let caughtUp = match(peer).map { $0 >= transfer.index && $0 + margin >= applied } ?? true
            if caughtUp || now - sentAt >= installTimeout { byPeer[peer] = nil }
        }
    }

    /// The log must keep the entries after this index (nil: no transfer holds it): for each
    /// transfer, its snapshot's index or, once the follower is past it, the follower's match.
    func compactionFloor(match: (NodeID) -> UInt64?) -> UInt64? {
        byPeer.map { peer, transfer in max(transfer.index, match(peer) ?? 0) }.min()
    }
}
