import Foundation
import Logging
import Raft

/// How the loop follows the snapshots it streams: their ends, their losses, and on each tick
/// the transfers that are over and the held requests whose wait is over.
extension RaftDriver {
    /// A stream's thread reported its end.
    func snapshotStreamEnded(to peer: NodeID, failed: Bool, bytes: Int) {
        let now = config.clock()
        let transfer = snapshotTransfers.finished(to: peer, failed: failed, now: now)
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
        logger.info("snapshot stream failed", metadata: metadata)
        // Only a failure is news to Raft. A stream that ended well has queued its last chunk:
        // the follower is still receiving and installing it, and answers once installed.
        // Reported as sent, Raft went back to probing, and each heartbeat answer of the
        // installing follower made this loop read and send a message of entries it could
        // not use (the leaders deposed while feeding a new member, issue 11).
        node.reportSnapshot(to: peer, failed: true)
    }

    /// The transport lost its connection to `peer` (and the frames queued for it).
    func snapshotPeerUnreachable(_ peer: NodeID) {
        guard let transfer = snapshotTransfers.byPeer[peer] else { return }
        logger.info(
            "peer unreachable while a snapshot transfer is under way",
            metadata: ["to": "\(peer)", "index": "\(transfer.index)", "sent": "\(transfer.sentAt != nil)"])
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
                logger.info("snapshot transfer done: the peer caught up", metadata: metadata)
            case .installTimeout:
                logger.info("snapshot transfer forgotten: no answer within the install timeout", metadata: metadata)
            case .earlierTerm:
                logger.info("snapshot transfer forgotten: sent in an earlier term", metadata: metadata)
            case .notLeading:
                logger.info("snapshot transfer forgotten: this node no longer leads the peer", metadata: metadata)
            }
            node.reportSnapshot(to: peer, failed: true)
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        Int((duration / .milliseconds(1)).rounded())
    }
}
