import Foundation
import Logging
import Raft
import SandboxStorage
import SandboxWire

extension RaftDriver {
    /// Streams the state to a follower that needs a snapshot, on a thread of its own (RocksDB
    /// reads from a point-in-time view; the loop keeps applying meanwhile). One transfer per
    /// peer at a time, until it is installed or over (`SnapshotTransfers`): Raft asks again
    /// after a failure or a timeout, and a request during a transfer is ignored. After a failed
    /// or lost transfer, a request is held until the peer's wait is over (`SnapshotRetries`).
    func startSnapshot(_ message: Message) {
        let peer = message.to
        // A request while a transfer of this term is under way is ignored: Raft hears how that
        // one ended (a failure at once; a stream that ended well by the follower's answer, or by
        // `prune` after the install timeout), then asks again. One of an earlier term is the
        // follower's to refuse: a sent one is forgotten here, a streaming one cancelled.
        guard !snapshotTransfers.forgetEarlierTerm(to: peer, term: node.term) else { return }
        let now = config.clock()
        guard snapshotRetries.mayStart(to: peer, now: now) else {
            if snapshotRetries.hold(message) {
                logger.info("snapshot request held: the last transfer to this peer failed", metadata: ["to": "\(peer)"])
            }
            return
        }
        let reader: SnapshotReader
        do {
            reader = try storage.state.makeSnapshot()
        } catch {
            logger.warning("snapshot stream not started: \(error)", metadata: ["to": "\(peer)"])
            snapshotRetries.failed(to: peer, now: now)
            deferredReports.append(.snapshotSent(to: peer, failed: true, bytes: 0))
            return
        }
        let transfer = snapshotTransfers.started(to: peer, index: reader.metadata.index, term: node.term, now: now)
        let cancel = transfer.cancel
        var message = message
        // The state's own metadata (its applied index, never behind Raft's compaction point).
        message.snapshot = Snapshot(metadata: reader.metadata)
        message.context = SnapshotStreamMark.context(stream: transfer.stream)
        logger.info(
            "snapshot stream started",
            metadata: [
                "to": "\(peer)", "index": "\(reader.metadata.index)", "term": "\(node.term)",
                "stream": "\(transfer.stream)",
            ])
        let stream = SnapshotStream(reader: reader, message: message)
        snapshotStreams.enter()
        let thread = Thread { [transport, inbox, snapshotStreams] in
            let (sent, bytes) = stream.send(
                through: transport, to: peer, until: { inbox.isClosed || cancel.isSet })
            inbox.post(.snapshotSent(to: peer, failed: !sent, bytes: bytes), force: true)
            snapshotStreams.leave()
        }
        thread.name = "snapshot-\(id)-to-\(peer)"
        thread.start()
    }

    /// Receives an incoming snapshot chunk by chunk: the loop checks the stream (order, size,
    /// whether Raft wants it) and hands each chunk to `snapshotReceiver`, whose thread stores it
    /// and, after the last, flushes the state and hands it back (`snapshotReceived`).
    ///
    /// A stream whose every chunk is in (`complete`: stored or being flushed) is kept against a
    /// later stream of the same snapshot, or of one Raft would not take, which is refused: a
    /// leader whose install timeout passed while this node flushed sends the same snapshot
    /// again, and dropping the complete one for it could repeat for as long as a flush outlasts
    /// that timeout. Stray chunks (of a stream that ended or was refused) leave it alone too.
    func receiveSnapshotChunk(_ frame: SnapshotChunkFrame) {
        let metadata = frame.message.snapshot?.metadata ?? SnapshotMetadata()
        let step: SnapshotAssembly.Step
        do {
            step = try assembly.accept(frame)
        } catch {
            if receiving?.complete == true, frame.sequence != 0 { return }  // a stray chunk
            // A gap, or over the size cap: abandon the stream; the leader sends it again.
            if receiving != nil || frame.sequence == 0 {
                logger.info("snapshot stream abandoned: \(error)", metadata: snapshotMetadata(frame.message))
                // Over the size cap is told to the leader (once per stream: its later chunks find
                // no stream), as a dropped chunk is, so that it does not wait out its install
                // timeout. Not a gap, nor a chunk of no stream being received: they follow a
                // chunk the full inbox dropped, already told by `receive`; this second notice
                // could come late enough to end the next stream of the same snapshot of a leader
                // that does not number its streams (an earlier release).
                if case .invalidValue = error {} else { tellAbandoned(frame) }
            }
            if receiving?.complete != true { abandonReceiving() }
            return
        }
        if step == .begin {
            let accepted = acceptsSnapshot(frame.message)
            // The same snapshot from the same leader's term: one of a later term is taken instead
            // (Raft would refuse the kept one's message of an earlier term at its step).
            if let kept = receiving, kept.complete,
                !accepted
                    || (kept.index == metadata.index && kept.term == metadata.term
                        && kept.leaderTerm >= frame.message.term)
            {
                logger.info(
                    "snapshot refused: the same snapshot is being stored, or Raft would not take this one",
                    metadata: snapshotMetadata(frame.message))
                return tellAbandoned(frame)
            }
            abandonReceiving()
            guard accepted else {
                logger.info(
                    "snapshot refused: not needed or of an older term", metadata: snapshotMetadata(frame.message))
                // Its later chunks find no stream: told once, as for a stream abandoned.
                return tellAbandoned(frame)
            }
            receivedStreams += 1
            receiving = ReceivingStream(
                generation: receivedStreams, index: metadata.index, term: metadata.term, leaderTerm: frame.message.term)
            logger.info("snapshot stream receiving", metadata: snapshotMetadata(frame.message))
        }
        guard let stream = receiving, !stream.complete, stream.index == metadata.index, stream.term == metadata.term
        else { return }  // a chunk of a stream refused, or after a complete one
        switch snapshotReceiver.submit(frame, generation: stream.generation) {
        case .queued: break
        case .full:
            logger.warning(
                "snapshot stream abandoned: \(snapshotReceiver.maxQueuedChunks) chunks wait to be stored",
                metadata: snapshotMetadata(frame.message))
            tellAbandoned(frame)
            return abandonReceiving()
        case .stopped:
            logger.info("snapshot stream dropped: the node is stopping", metadata: snapshotMetadata(frame.message))
            return abandonReceiving()
        }
        if frame.isLast { receiving?.complete = true }
    }

    /// Drops the stream being received, if any: the receiver clears what it stored.
    private func abandonReceiving() {
        guard let stream = receiving else { return }
        receiving = nil
        snapshotReceiver.abandon(generation: stream.generation)
    }

    /// The receiver stored a stream (or failed to). A stored one is installed if it is still the
    /// stream being received: its message is stepped first, and only if Raft took the snapshot
    /// (it then holds it as pending) does the installer's commit switch the state and move the
    /// log, in one synced write, before anything else touches the node — state first, and Raft's
    /// view and the store's agree.
    ///
    /// The order matters: stepped after the store moved, Raft would read the snapshot's index and
    /// term from the store, conclude it already holds that entry, only advance its commit index,
    /// and keep its unstable log where it was — behind the store's last index, so the next entry
    /// appended (a new leader's, or its own as leader) lands past the end of its log.
    func snapshotReceived(_ outcome: SnapshotReceiver.Outcome) {
        switch outcome {
        case .failed(let generation, let frame, let reason):
            guard receiving?.generation == generation else { return }
            receiving = nil
            logger.info("snapshot stream abandoned: \(reason)", metadata: snapshotMetadata(frame.message))
            tellAbandoned(frame)
        case .staged(let generation, let frame):
            // Not the stream being received (abandoned, or superseded since): dropped.
            let wanted = receiving?.generation == generation
            if wanted { receiving = nil }
            snapshotReceiver.withStaged(generation: generation, wanted: wanted) { install($0, message: frame.message) }
        }
    }

    private func install(_ completed: SnapshotInstaller, message: Message) {
        let firstBefore = node.firstIndex
        node.step(message)
        // Raft took it when its log now starts after the snapshot and did not before: the
        // store's does not yet. A log already compacted to exactly the snapshot's index (caught
        // up by appends while the stream came in) starts there too, but then Raft refused the
        // snapshot (its index is not above the commit index), and installing it would take the
        // state back and drop the entries after it.
        guard firstBefore != completed.metadata.index + 1, node.firstIndex == completed.metadata.index + 1 else {
            logger.info("snapshot not taken by Raft", metadata: snapshotMetadata(message))
            return completed.abort()
        }
        // The entries handed out before are all below the snapshot: let the worker finish them
        // before the state changes under it (it is idle from here until new entries commit).
        applier.waitUntilIdle()
        do {
            try completed.commit()
        } catch {
            return fail("installing a snapshot failed: \(error)")
        }
        do {
            try machine.reloadAfterSnapshot()
        } catch {
            return fail("reloading the state machine after a snapshot failed: \(error)")
        }
        appliedIndex = max(appliedIndex, completed.metadata.index)
        membershipWaiters.passed(bySnapshotAt: completed.metadata.index)
        proposals.passed(bySnapshotAt: completed.metadata.index)
        counters.snapshotsInstalled += 1
        logger.info("snapshot installed", metadata: snapshotMetadata(message))
    }

    /// Tells the leader of `frame`'s stream that this node abandoned or refused it: the leader
    /// stops waiting for an install that cannot come and streams again after its retry wait.
    private func tellAbandoned(_ frame: SnapshotChunkFrame) {
        counters.snapshotStreamsRefused += 1
        _ = transport.send(.snapshotAbandoned(frame.abandoningNotice), to: frame.message.from)
    }

    private func snapshotMetadata(_ message: Message) -> Logger.Metadata {
        [
            "from": "\(message.from)", "index": "\(message.snapshot?.metadata.index ?? 0)",
            "term": "\(message.term)", "localTerm": "\(node.term)", "commit": "\(node.commitIndex)",
        ]
    }

    /// Whether Raft would take this snapshot now: a stream it would refuse is not received (Raft
    /// decides again when the last chunk is in).
    private func acceptsSnapshot(_ message: Message) -> Bool {
        guard let metadata = message.snapshot?.metadata else { return false }
        return message.term >= node.term && metadata.index > node.commitIndex
            && node.term(at: metadata.index) != metadata.term
    }
}

/// A snapshot reader handed from the loop thread to the thread that streams it.
///
/// `@unchecked Sendable`: the reader is used by exactly one thread — created on the loop
/// thread, which never touches it again after handing it over.
final class SnapshotStream: @unchecked Sendable {
    private let reader: SnapshotReader
    private let message: Message

    init(reader: SnapshotReader, message: Message) {
        self.reader = reader
        self.message = message
    }

    /// Sends every chunk; whether all went (false when reading failed, the transport dropped a
    /// chunk or `cancelled` turned true: the driver is stopping or the stream's term ended,
    /// checked before each chunk and while a chunk waits for queue room), and the encoded bytes
    /// sent.
    func send(
        through transport: any PeerTransport, to peer: NodeID, until cancelled: () -> Bool
    ) -> (sent: Bool, bytes: Int) {
        defer { reader.close() }
        var bytes = 0
        do {
            while !cancelled(), let chunk = try reader.nextChunk() {
                let encoded = chunk.encoded()
                let frame = SnapshotChunkFrame(
                    message: message, sequence: chunk.sequence, isLast: chunk.isLast, chunk: encoded)
                guard transport.sendSnapshotChunk(.snapshotChunk(frame), to: peer, until: cancelled) else {
                    return (false, bytes)
                }
                bytes += encoded.count
                if chunk.isLast { return (true, bytes) }
            }
            return (false, bytes)
        } catch {
            return (false, bytes)
        }
    }
}
