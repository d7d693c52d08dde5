import Foundation
import Raft
import SandboxWire

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
///
/// A transfer whose follower becomes unreachable (`lost(to:)`: the transport lost the
/// connection, and with it the chunks still queued) is over too: a streaming one is cancelled,
/// a sent one forgotten, and Raft told at once. Before, a stream into a reconnecting link to a
/// killed node "ended well", its chunks were dropped at the next failed connect, and the
/// transfer held the restarted node for the whole `installTimeout` (30 s).
///
/// A transfer belongs to the term it started in. Once this node is in a later term (it lost
/// leadership, perhaps to lead again), the follower refuses that snapshot (its message is from
/// an older term): a sent one is forgotten and a streaming one cancelled, so that a new stream
/// can start. Before, a leader deposed and re-elected while streaming to a new member waited the
/// whole `installTimeout` (30 s) before streaming again: the 30 s catch-up of the seed-109
/// chaos run's slowest membership add.
struct SnapshotTransfers {
    struct Transfer {
        var index: UInt64
        var term: UInt64
        /// This leader's number for the stream (`SnapshotStreamMark`): a follower's notice names
        /// the stream it abandoned by it.
        let stream: UInt64
        let startedAt: ContinuousClock.Instant
        /// When the last chunk was sent (nil while streaming).
        var sentAt: ContinuousClock.Instant?
        let cancel: SnapshotCancel
        /// The follower said it abandoned the stream (`abandoned(by:_:)`).
        var abandonedByPeer = false
    }

    private(set) var byPeer: [NodeID: Transfer] = [:]
    /// The number of the last stream started (0: none yet). Numbers grow for the driver's
    /// lifetime; a restarted node leads only in a later term, so term and number name a stream.
    private(set) var lastStream: UInt64 = 0
    let installTimeout: Duration

    init(installTimeout: Duration) {
        self.installTimeout = installTimeout
    }

    /// Whether a transfer to `peer` is under way (streaming or being installed).
    func isUnderWay(to peer: NodeID) -> Bool { byPeer[peer] != nil }

    /// A stream to `peer` of the snapshot at `index` starts in `term`, numbered after the last
    /// one; its thread stops before its next chunk once the returned transfer's `cancel` is set.
    @discardableResult
    mutating func started(to peer: NodeID, index: UInt64, term: UInt64, now: ContinuousClock.Instant)
        -> Transfer
    {
        lastStream += 1
        let transfer = Transfer(
            index: index, term: term, stream: lastStream, startedAt: now, sentAt: nil, cancel: SnapshotCancel())
        byPeer[peer] = transfer
        return transfer
    }

    /// The stream ended: a failed one is forgotten; a sent one waits for the install. A
    /// cancelled stream failed, even if its thread queued the last chunk before it saw the flag
    /// (cancelled because its peer was lost, or its term ended). Returns the transfer (nil if
    /// none was under way) and whether it failed.
    @discardableResult
    mutating func finished(to peer: NodeID, failed: Bool, now: ContinuousClock.Instant)
        -> (transfer: Transfer?, failed: Bool)
    {
        if failed || byPeer[peer]?.cancel.isSet == true { return (byPeer.removeValue(forKey: peer), true) }
        byPeer[peer]?.sentAt = now
        return (byPeer[peer], false)
    }

    /// How a transfer ended when its follower became unreachable.
    enum Loss {
        /// Still streaming: cancelled, forgotten when its thread reports the failure.
        case streaming(Transfer)
        /// Sent, waiting for the install: forgotten now; the runtime tells Raft it failed.
        case sent(Transfer)
    }

    /// The transport reports `peer` unreachable (it lost the connection, dropping what was
    /// queued for it): a transfer to it is lost, whatever it got of the stream. Nil when none
    /// was under way, or its stream was already cancelled.
    mutating func lost(to peer: NodeID) -> Loss? {
        guard let transfer = byPeer[peer] else { return nil }
        if transfer.sentAt == nil {
            guard !transfer.cancel.isSet else { return nil }
            transfer.cancel.set()
            return .streaming(transfer)
        }
        byPeer[peer] = nil
        return .sent(transfer)
    }

    /// The follower reports it abandoned or refused the stream of `notice` (its full inbox
    /// dropped a chunk, a chunk it cannot install, a snapshot it does not take, the size cap):
    /// that transfer is lost as if the follower had become unreachable (`lost(to:)`), and marked
    /// `abandonedByPeer`. Nil when the notice is about another stream (another term, index or
    /// number) or the transfer is already over or cancelled.
    ///
    /// A notice names the stream by its number (`SnapshotStreamMark`), so one that arrives late,
    /// after the next stream of the same snapshot began, leaves that stream alone. A notice
    /// without a number (from a follower of an earlier release, during a rolling upgrade) is
    /// matched by term and index alone, as that release was: a late one would end the next
    /// stream of the same snapshot too, which then streams again after a longer wait.
    mutating func abandoned(by peer: NodeID, _ notice: SnapshotNotice) -> Loss? {
        guard let transfer = byPeer[peer], transfer.term == notice.term, transfer.index == notice.index,
            notice.stream.map({ $0 == transfer.stream }) ?? true, !transfer.cancel.isSet
        else { return nil }
        byPeer[peer]?.abandonedByPeer = true
        return lost(to: peer)
    }

    /// Why `prune` forgot a transfer.
    enum Ending: Equatable {
        case caughtUp, installTimeout, earlierTerm, notLeading
    }

    /// Forgets the transfers that are over: the follower caught up (its `match` reached the
    /// snapshot's index and is within `margin` of `applied`), timed out after sending, sent to a
    /// peer this node no longer leads (`match` nil), or sent in a term before `term`; cancels
    /// the streams of an earlier term (each is forgotten when its thread reports the failure).
    ///
    /// Returns the sent transfers forgotten, by peer, with why: the runtime reports each to Raft as
    /// a failed snapshot (`reportSnapshot(failed:)`, a no-op unless Raft still waits for a
    /// snapshot to that peer: not after the follower's answer), so Raft probes the follower and
    /// asks for another snapshot at once instead of waiting out its own snapshot timeout. A stream
    /// that ended well is not reported to Raft (the follower answers once installed), so this
    /// is what ends the wait when that answer never comes: the chunks were lost on a reconnect,
    /// the follower restarted before installing, or its answer was dropped.
    @discardableResult
    mutating func prune(
        now: ContinuousClock.Instant, applied: UInt64, margin: UInt64, term: UInt64, match: (NodeID) -> UInt64?
    ) -> [(peer: NodeID, transfer: Transfer, ending: Ending)] {
        var abandoned: [(peer: NodeID, transfer: Transfer, ending: Ending)] = []
        for (peer, transfer) in byPeer {
            if transfer.term < term {
                if transfer.sentAt == nil {
                    transfer.cancel.set()
                } else {
                    byPeer[peer] = nil
                    abandoned.append((peer, transfer, .earlierTerm))
                }
                continue
            }
            guard let sentAt = transfer.sentAt else { continue }  // still streaming
            let ending: Ending
            if let match = match(peer) {
                if match >= transfer.index && match + margin >= applied {
                    ending = .caughtUp
                } else if now - sentAt >= installTimeout {
                    ending = .installTimeout
                } else {
                    continue
                }
            } else {
                ending = .notLeading
            }
            byPeer[peer] = nil
            abandoned.append((peer, transfer, ending))
        }
        return abandoned.sorted { $0.peer < $1.peer }
    }

    /// Forgets a transfer to `peer` sent in a term before `term` (the follower refuses that
    /// snapshot), so that a request of the current term starts a stream at once rather than
    /// waiting for the next tick's `prune`. Whether a transfer to `peer` is still under way.
    mutating func forgetEarlierTerm(to peer: NodeID, term: UInt64) -> Bool {
        guard let transfer = byPeer[peer] else { return false }
        guard transfer.term < term else { return true }
        if transfer.sentAt == nil {
            transfer.cancel.set()  // forgotten when its thread reports the cancelled stream
            return true
        }
        byPeer[peer] = nil
        return false
    }

    /// The log must keep the entries after this index (nil: no transfer holds it): for each
    /// transfer, its snapshot's index or, once the follower is past it, the follower's match.
    func compactionFloor(match: (NodeID) -> UInt64?) -> UInt64? {
        byPeer.map { peer, transfer in max(transfer.index, match(peer) ?? 0) }.min()
    }
}

/// Set once to stop a snapshot stream before its next chunk (set on the loop thread, read on the
/// stream's).
///
/// `@unchecked Sendable`: `isSet` is read and written only under `lock`.
final class SnapshotCancel: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
