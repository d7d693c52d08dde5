import Foundation
import Raft
import SandboxWire

extension RaftDriver {
    /// Handles the node's `Ready`s in the order of `docs/raft.md`'s persistence contract, at
    /// most 16 per loop iteration (then the loop takes new events again).
    func processReadies() {
        var rounds = 0
        while stopReason == nil, node.hasReady, rounds < 16 {
            rounds += 1
            let ready = node.ready()
            if let failure = ready.failure { return fail("\(failure)") }
            noteLeader()
            // 1. Messages that vouch for nothing unpersisted: at once. On a host (the transport's
            //    event loop) a frame sent is only queued until the pass returns, after the sync
            //    below: written out now, so a leader's appends travel while it syncs them.
            send(ready.messages)
            if config.seam.sendBeforePersist { send(ready.messagesAfterPersist) }
            host?.flushOutput()
            // 5, early: committed entries already in the log go to the apply thread before the
            //    write, so that applying them does not wait for the sync of later entries (under
            //    load nearly every commit arrives with new entries to write). The applied index
            //    stored with their effects stays within the durable log; a crash before the write
            //    leaves it above the stored commit index, which a restart raises to it
            //    (`raiseStoredCommit`). The rest (entries this write persists) after step 3.
            let early = ready.durableCommittedCount
            if early > 0 {
                handOut(Array(ready.committedEntries.prefix(early)))
                if !ready.entries.isEmpty { counters.entriesHandedOutBeforeWrite += UInt64(early) }
            }
            do {
                // 2. A snapshot: its state was installed (state first) before the message was
                //    stepped, and that install moved the log too: this is a no-op check.
                if let snapshot = ready.snapshot { try storage.log.applySnapshot(snapshot) }
                // 3. Entries and hard state: one synced write (group commit; the segment log
                //    syncs every write). A hard state that
                //    only moves the commit index, with no entries, is not written then: a commit
                //    index is learnt again from the leader, and a restart takes the applied index
                //    as a floor for it (`raiseStoredCommit`). It goes with the next entries.
                if !ready.entries.isEmpty { try config.seam.beforeEntriesWrite?(ready.entries.count) }
                var hardState = ready.hardState
                if ready.entries.isEmpty, let hard = hardState, hard.term == writtenHardState.term,
                    hard.vote == writtenHardState.vote
                {
                    unwrittenHardState = hard
                    hardState = nil
                } else if !ready.entries.isEmpty, hardState == nil {
                    hardState = unwrittenHardState
                }
                if !ready.entries.isEmpty || hardState != nil {
                    let started = config.clock()
                    try storage.log.append(ready.entries, hardState: hardState)
                    counters.syncedLogWrites += 1
                    counters.syncedWriteTime += config.clock() - started
                    counters.logWrites += 1
                    if let hardState {
                        writtenHardState = hardState
                        unwrittenHardState = nil
                    }
                    noteTimeStamps(of: ready.entries)
                    counters.entriesWritten += UInt64(ready.entries.count)
                }
            } catch {
                return fail("storage write failed: \(error)")
            }
            // 4. Only now the acknowledgements and votes.
            if !config.seam.sendBeforePersist { send(ready.messagesAfterPersist) }
            // 5. Apply in order: handed to the apply worker, acknowledged to Raft as it reports
            //    (`applied(_:)`); 6. reads once their index is applied.
            for read in ready.readStates { reads.answer(context: read.context, index: read.index) }
            if early < ready.committedEntries.count { handOut(Array(ready.committedEntries.dropFirst(early))) }
            // 7. Advance (what was persisted; applying is acknowledged apart), then what had to
            //    wait for it.
            node.acknowledgePersisted(ready)
            for report in deferredReports {
                switch report {
                case .unreachable(let peer): node.reportUnreachable(peer)
                case .snapshotSent(let peer, let failed, _): node.reportSnapshot(to: peer, failed: failed)
                default: break
                }
            }
            deferredReports.removeAll()
            reads.complete(applied: appliedIndex)
        }
    }

    /// Sends Raft messages grouped by peer, several to a frame; a dropped frame makes the peer
    /// unreachable for Raft (it probes again instead of pipelining into the void).
    func send(_ messages: [Message]) {
        var order: [NodeID] = []
        var byPeer: [NodeID: [Message]] = [:]
        for message in messages {
            if message.kind == .snapshot {
                startSnapshot(message)
                continue
            }
            if byPeer[message.to] == nil { order.append(message.to) }
            byPeer[message.to, default: []].append(markingSnapshotNeeded(message))
        }
        for peer in order {
            var frame: [Message] = []
            var bytes = 0
            for message in byPeer[peer] ?? [] {
                if !frame.isEmpty,
                    frame.count == config.wire.maxMessagesPerFrame
                        || bytes + message.byteSize > config.maxFrameMessageBytes
                {
                    sendFrame(.messages(frame), to: peer)
                    frame = []
                    bytes = 0
                }
                frame.append(message)
                bytes += message.byteSize
            }
            if !frame.isEmpty { sendFrame(.messages(frame), to: peer) }
        }
    }

    func sendFrame(_ frame: Frame, to peer: NodeID) {
        if !transport.send(frame, to: peer) { deferredReports.append(.unreachable(peer)) }
    }
}
