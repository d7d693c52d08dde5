import Foundation
import Raft
import SandboxWire

extension RaftDriver {
    /// The loop thread's body (a driver without a `LoopHost`).
    func run() {
        OSThreadName.set("raft-\(id)")
        nextTick = config.clock() + config.tickInterval
        while stopReason == nil {
            // `processReadies` stops after 16 `Ready`s: what is left goes on at once, not at the
            // next event or tick.
            let wait = node.hasReady ? .zero : nextTick - config.clock()
            let events = inbox.take(
                waitingAtMost: wait, wakingOnQuiet: awaitsApplyReports, handedOut: node.applyingIndex)
            pass(over: events)
        }
        shutDown()
    }

    /// On the host's thread, each time the host is woken (by the inbox, where a thread-run loop's
    /// `take` would be signalled; by `start()`; by the pass before) or a tick's timer fires: one
    /// pass of the loop over what is queued, if there is anything to do. After a pass that did
    /// something the host is woken again, so that another pass follows once the host has polled
    /// its sockets: it takes what came in meanwhile or, with nothing, sets the inbox's flags as
    /// the loop goes back to wait, as `take` does in `run` (a quiet report posted during a pass,
    /// under the flags of its start, is not left for the next tick).
    func hostedPass() {
        guard let host else { return }
        switch hostedLoop {
        case .ended: return
        case .running: break
        case .notStarted:
            guard startRequested.isSet else { return }
            OSThreadName.set("raft-\(id)")  // the host's thread is the loop's from now on
            nextTick = config.clock() + config.tickInterval
            hostedLoop = .running
        }
        let events = inbox.poll(wakingOnQuiet: awaitsApplyReports, handedOut: node.applyingIndex)
        if !events.isEmpty || node.hasReady || stopReason != nil || config.clock() >= nextTick {
            if stopReason == nil { pass(over: events) }
            guard stopReason == nil else {
                hostedLoop = .ended
                return shutDown()
            }
            host.wake()
        }
        armTick(on: host)
    }

    /// Keeps one timer armed for the next tick (a timer for an earlier one, from before a pass
    /// moved it, only runs a pass that finds nothing due). A timer that fires early, by its
    /// clock against the driver's, is armed again.
    private func armTick(on host: any LoopHost) {
        guard armedTick != nextTick else { return }
        let deadline = nextTick
        armedTick = deadline
        // At most one tick away: a test clock that jumps back does not hold the timer for long.
        let delay = min(max(deadline - config.clock(), .zero), config.tickInterval)
        host.execute(after: delay) { [self] in
            if armedTick == deadline { armedTick = nil }
            hostedPass()
        }
    }

    /// One pass of the loop: handles `events`, ticks when a tick is due, proposes and reads what
    /// is queued, handles the node's `Ready`s, and publishes the status.
    private func pass(over events: [DriverEvent<Machine.Result>]) {
        var forwardedIn: [(peer: NodeID, batch: ProposalBatch)] = []
        for event in events { handle(event, forwardedIn: &forwardedIn) }
        (counters.loopWakeUps, counters.applyReportWakeUps) = inbox.wakeUps
        let now = config.clock()
        if now >= nextTick {
            let tick = config.tickInterval
            var ticks = 0
            while nextTick <= now, ticks < 10 {
                node.tick()
                nextTick += tick
                ticks += 1
            }
            if nextTick <= now { nextTick = now + tick }
            proposals.expire(now: now)
            expireForwarded(now: now)
            forwarded.loopHolds(proposals.count)  // published once per tick (the batches' lock)
            reads.expire(now: now)
            membershipWaiters.expire(now: now)
            tickSnapshotTransfers(now: now)
            if stopReason == nil { compactIfDue() }  // a compaction that waited for the state's flush
        }
        if stopReason == nil {
            submitProposals(forwardedIn: forwardedIn)
            submitReads()
            processReadies()
        }
        publishStatus()
    }

    private func handle(_ event: DriverEvent<Machine.Result>, forwardedIn: inout [(peer: NodeID, batch: ProposalBatch)])
    {
        switch event {
        case .frame(let frame, let peer):
            if !snapshotRetries.waits.isEmpty { snapshotRetries.heard(from: peer) }
            switch frame {
            case .messages(let messages):
                for message in messages {
                    if catchUp.heard(message) { snapshotNeeded(by: message) }
                    node.step(message)
                }
            case .proposals(let batch): forwardedIn.append((peer, batch))
            case .outcomes(let batch): receiveOutcomes(batch, from: peer)
            case .snapshotChunk(let chunk): receiveSnapshotChunk(chunk)
            case .snapshotAbandoned(let notice): snapshotAbandoned(notice, by: peer)
            case .hello, .welcome, .refusal: break  // the transport's business
            }
        case .propose(let command, let waiter): enqueue(command, waiter)
        case .read(let waiter):
            guard reads.count < config.maxWaitingProposals else {
                return waiter.resume(throwing: ClusterError.overloaded("too many reads waiting"))
            }
            reads.queue.append((waiter, config.clock() + config.readTimeout))
        case .changeMembership(let change, let waiter):
            do {
                let index = try node.proposeConfChange(change)
                membershipWaiters.add(
                    index: index, term: node.term, deadline: config.clock() + config.membershipChangeTimeout, waiter)
            } catch {
                waiter.resume(throwing: ClusterError.refused(error))
            }
        case .transfer(let target): try? node.transferLeadership(to: target)
        case .unreachable(let peer):
            node.reportUnreachable(peer)
            snapshotPeerUnreachable(peer)
        case .snapshotSent(let peer, let failed, let bytes): snapshotStreamEnded(to: peer, failed: failed, bytes: bytes)
        case .snapshotReceived(let outcome): snapshotReceived(outcome)
        case .applied(let report): applied(report)
        case .stop: stopReason = "shut down"
        }
    }

    /// Stops the node because `reason` (a storage failure): nothing more is persisted or sent.
    func fail(_ reason: String) {
        if stopReason == nil { stopReason = reason }
    }

    private func shutDown() {
        let error = ClusterError.stopped(stopReason ?? "shut down")
        // Requests that arrived after the last iteration (or arrive from now on) get the error too.
        for event in inbox.close() {
            switch event {
            case .propose(_, let waiter): waiter.resume(throwing: error)
            case .read(let waiter): waiter.resume(throwing: error)
            case .changeMembership(_, let waiter): waiter.resume(throwing: error)
            default: break
            }
        }
        proposals.failAll(error)
        for batch in forwarded.close() { for queued in batch.proposals { queued.waiter.resume(throwing: error) } }
        reads.failAll(error)
        membershipWaiters.failAll(error)
        snapshotReceiver.stop()  // aborts an installation under way or staged
        applier.stop(error)
        snapshotStreams.wait()  // the streams see the closed inbox before their next chunk
        publishStatus()
        loopFinished()
    }
}
