import Foundation
import Logging
import Raft
import SandboxWire

/// How the loop follows the snapshots it streams: their ends, their losses, and on each tick
/// the transfers that are over and the held requests whose wait is over.
extension RaftDriver {
    /// A stream's thread reported its end.
    func snapshotStreamEnded(to peer: NodeID, failed: Bool, bytes: Int) {
        let now = config.clock()
        let (transfer, failed) = snapshotTransfers.finished(to: peer, failed: failed, now: now)
        counters.snapshotBytesSent += UInt64(bytes)
        var metadata: Logger.Metadata = ["to": "\(peer)", "bytes": "\(bytes)"]
        if let transfer {
            metadata["index"] = "\(transfer.index)"
            metadata["ms"] = "\(milliseconds(now - transfer.startedAt))"
        }
        guard failed else {
            counters.snapshotsSent += 1
            logger.info("snapshot stream sent, waiting for the install", metadata: metadata)
            return
        }
        counters.snapshotsFailed += 1
        let delay = snapshotRetries.failed(to: peer, now: now, endsWhenHeard: transfer?.abandonedByPeer != true)
        metadata["retryMs"] = "\(milliseconds(delay))"
        logger.info("snapshot stream failed", metadata: metadata)
        // Only a failure is news to Raft. A stream that ended well has queued its last chunk:
        // the follower is still receiving and installing it, and answers once installed.
        // Reported as sent, Raft went back to probing, and each heartbeat answer of the
        // installing follower made this loop read and send a message of entries it could
        // not use (the leaders deposed while feeding a new member, issue 11).
        node.reportSnapshot(to: peer, failed: true)
    }

    /// The transport lost its connection to `peer` (and the frames queued for it): a transfer
    /// to it is lost. A streaming one is cancelled (its thread reports the failure); a sent one
    /// is forgotten and reported failed to Raft now, which asks again (held until the peer's
    /// wait is over or it is heard from), instead of after the install timeout.
    func snapshotPeerUnreachable(_ peer: NodeID) {
        switch snapshotTransfers.lost(to: peer) {
        case nil:
            return
        case .streaming(let transfer):
            logger.info(
                "snapshot stream cancelled: peer unreachable",
                metadata: ["to": "\(peer)", "index": "\(transfer.index)"])
        case .sent(let transfer):
            let now = config.clock()
            let delay = snapshotRetries.failed(to: peer, now: now)
            logger.info(
                "snapshot transfer lost: peer unreachable before it answered",
                metadata: [
                    "to": "\(peer)", "index": "\(transfer.index)", "retryMs": "\(milliseconds(delay))",
                    "msSinceSent": "\(transfer.sentAt.map { milliseconds(now - $0) } ?? 0)",
                ])
            node.reportSnapshot(to: peer, failed: true)
        }
    }

    /// The follower abandoned the stream of `notice` (its full inbox dropped a chunk): the
    /// transfer is over. A streaming one is cancelled (its thread reports the failure); a sent one
    /// is forgotten and reported failed to Raft now. Either way the next stream waits for the
    /// retry delay, which the follower's own frames do not cut short. Before, the leader waited
    /// for an install that could not come until its install timeout (30 s).
    func snapshotAbandoned(_ notice: SnapshotNotice, by peer: NodeID) {
        guard let loss = snapshotTransfers.abandoned(by: peer, notice) else { return }
        counters.snapshotsAbandoned += 1
        var metadata: Logger.Metadata = ["to": "\(peer)", "index": "\(notice.index)", "term": "\(notice.term)"]
        switch loss {
        case .streaming:
            logger.info("snapshot stream cancelled: the peer abandoned it", metadata: metadata)
        case .sent:
            let delay = snapshotRetries.failed(to: peer, now: config.clock(), endsWhenHeard: false)
            metadata["retryMs"] = "\(milliseconds(delay))"
            logger.info("snapshot transfer failed: the peer abandoned it", metadata: metadata)
            node.reportSnapshot(to: peer, failed: true)
        }
    }

    /// A leader's heartbeat said this node needs a snapshot (news: a higher compaction point):
    /// it is not caught up (`/readyz`) until it has applied that index, whatever its own commit
    /// index says.
    func snapshotNeeded(by heartbeat: Message) {
        guard catchUp.awaitsSnapshot(applied: appliedIndex) else { return }
        logger.info(
            "snapshot needed: the leader's log starts after this node's",
            metadata: [
                "from": "\(heartbeat.from)", "index": "\(catchUp.snapshotIndex)", "term": "\(heartbeat.term)",
                "applied": "\(appliedIndex)",
            ])
    }

    /// On each tick: forgets the transfers that are over (`SnapshotTransfers.prune`), each
    /// reported to Raft as failed (a no-op once the follower answered), and starts the held
    /// requests whose wait is over.
    func tickSnapshotTransfers(now: ContinuousClock.Instant) {
        let abandoned = snapshotTransfers.prune(
            now: now, applied: appliedIndex, margin: config.compactionRetain, term: node.term
        ) {
            node.replicationState(of: $0)?.match
        }
        for (peer, transfer, ending) in abandoned {
            let metadata: Logger.Metadata = [
                "to": "\(peer)", "index": "\(transfer.index)", "ms": "\(milliseconds(now - transfer.startedAt))",
            ]
            switch ending {
            case .caughtUp:
                snapshotRetries.succeeded(to: peer)
                logger.info("snapshot transfer done: the peer caught up", metadata: metadata)
            case .installTimeout:
                snapshotRetries.failed(to: peer, now: now)
                logger.info("snapshot transfer forgotten: no answer within the install timeout", metadata: metadata)
            case .earlierTerm:
                logger.info("snapshot transfer forgotten: sent in an earlier term", metadata: metadata)
            case .notLeading:
                logger.info("snapshot transfer forgotten: this node no longer leads the peer", metadata: metadata)
            }
            node.reportSnapshot(to: peer, failed: true)
        }
        guard node.role == .leader else { return }
        for message in snapshotRetries.due(now: now, term: node.term) {
            logger.info("held snapshot request starting", metadata: ["to": "\(message.to)"])
            startSnapshot(message)
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        Int((duration / .milliseconds(1)).rounded())
    }
}
