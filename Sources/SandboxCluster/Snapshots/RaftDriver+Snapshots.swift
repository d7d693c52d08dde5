import Foundation
import Raft
import SandboxStorage
import SandboxWire

extension RaftDriver {
    /// Streams the state to a follower that needs a snapshot, on a thread of its own (RocksDB
    /// reads from a point-in-time view; the loop keeps applying meanwhile). One stream per peer
    /// at a time: Raft asks again after a failure or a timeout.
    func startSnapshot(_ message: Message) {
        let peer = message.to
        guard !snapshotsInFlight.contains(peer) else { return }
        let reader: SnapshotReader
        do {
            reader = try storage.state.makeSnapshot()
        } catch {
            deferredReports.append(.snapshotSent(to: peer, failed: true))
            return
        }
        var message = message
        // The state's own metadata (its applied index, never behind Raft's compaction point).
        message.snapshot = Snapshot(metadata: reader.metadata)
        snapshotsInFlight.insert(peer)
        let stream = SnapshotStream(reader: reader, message: message)
        let thread = Thread { [transport, inbox] in
            let failed = !stream.send(through: transport, to: peer)
            inbox.post(.snapshotSent(to: peer, failed: failed), force: true)
        }
        thread.name = "snapshot-\(id)-to-\(peer)"
        thread.start()
    }

    /// Installs an incoming snapshot chunk by chunk (state first: `finish()` switches the state
    /// and moves the log in one synced write), then hands the message to Raft, which then
    /// finds the snapshot already installed.
    func receiveSnapshotChunk(_ frame: SnapshotChunkFrame) {
        do {
            if try assembly.accept(frame) == .begin {
                installer?.abort()
                installer = nil
                guard acceptsSnapshot(frame.message), let metadata = frame.message.snapshot?.metadata else { return }
                installer = try storage.state.beginInstall(metadata)
            }
            guard let current = installer else { return }
            try current.add(encoded: frame.chunk)
            guard frame.isLast else { return }
            installer = nil
            guard acceptsSnapshot(frame.message) else { return current.abort() }
            try current.finish()
        } catch {
            // A damaged or out-of-order stream: abandon it; the leader sends it again.
            installer?.abort()
            installer = nil
            return
        }
        // The store now holds the snapshot's state and log: Raft must learn of it before
        // anything else reads the log, or its view and the store's diverge.
        node.step(frame.message)
        do {
            try machine.reloadAfterSnapshot()
        } catch {
            fail("reloading the state machine after a snapshot failed: \(error)")
        }
    }

    /// Whether Raft will install this snapshot when stepped (otherwise installing its state
    /// would put the state ahead of a log Raft keeps using).
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

    /// Sends every chunk; false when reading failed or the transport dropped a chunk.
    func send(through transport: any PeerTransport, to peer: NodeID) -> Bool {
        defer { reader.close() }
        do {
            while let chunk = try reader.nextChunk() {
                let frame = SnapshotChunkFrame(
                    message: message, sequence: chunk.sequence, isLast: chunk.isLast, chunk: chunk.encoded())
                guard transport.sendSnapshotChunk(.snapshotChunk(frame), to: peer) else { return false }
                if chunk.isLast { return true }
            }
            return false
        } catch {
            return false
        }
    }
}
