import Foundation
import Logging
import Raft
import SandboxStorage
import SandboxWire

/// Drives one Raft node: the only owner of its `RaftNode` and its log writes, on one dedicated
/// thread (never a shared event loop or the cooperative pool, since synced RocksDB writes
/// block): a thread of its own, or a `LoopHost`'s (the peer transport's own event loop, so that
/// the same thread reads and writes the peers' sockets); its
/// state machine is applied on a second dedicated thread (`ApplyWorker`), so that replication
/// and log writes go on while entries are applied. Other threads talk to the loop through a
/// bounded inbox.
///
/// Each loop iteration takes every waiting event (messages, proposals, reads, the apply
/// worker's reports), ticks when a tick is due, proposes everything queued as one batch (group
/// commit: one log append and one sync for all of them), and handles the node's `Ready`s as
/// `docs/raft.md`'s persistence contract says, handing committed entries to the apply worker.
/// A proposal is answered on the node that received it, once applied there.
///
/// `@unchecked Sendable`: after `start()`, every stored property except `inbox`, `host`,
/// `startRequested`, `published`
/// (its own lock), `finished`, `applier` (its own lock), `snapshotChunkDrops` (its own lock),
/// `snapshotReceiver` (its own lock),
/// `forwarded` (its own lock) and `snapshotStreams` is
/// read and written only on the loop thread (before `start()`, only by the thread that created
/// the driver); `machine` only by the apply worker, or by the loop while the worker is idle.
public final class RaftDriver<Machine: ReplicatedStateMachine>: FrameSink, @unchecked Sendable {
    public let id: NodeID
    let config: DriverConfig
    let storage: NodeStorage
    let transport: any PeerTransport
    let inbox: EventInbox<DriverEvent<Machine.Result>>
    /// Where the loop runs when not on a thread of its own (`init`'s `host`).
    let host: (any LoopHost)?
    private let published: PublishedStatus
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    // Loop-thread state.
    let node: RaftNode
    let machine: Machine
    var proposals = ProposalWaiters<Machine.Result>()
    /// Batches forwarded to the leader (any thread: proposing threads forward directly).
    let forwarded = ForwardedBatches<Machine.Result>()
    var reads = ReadWaiters()
    let applier: ApplyWorker<Machine>
    /// The index of the last entry the apply worker reported applied (the loop's view; the
    /// worker published it before answering the run's waiters), published at once: waiters the
    /// loop answers after a change see it in `status`.
    var appliedIndex: UInt64 {
        didSet { published.applied(upTo: appliedIndex) }
    }
    /// Snapshot streams to followers, on threads of their own: `stop()` waits for them.
    let snapshotStreams = DispatchGroup()
    var membershipWaiters = MembershipWaiters()
    var snapshotTransfers: SnapshotTransfers
    /// The waits before streaming again to a follower whose transfer failed or was lost.
    var snapshotRetries: SnapshotRetries
    /// `config.logger` with this node's id.
    let logger: Logger
    /// What the published status counts (writes, syncs, snapshot transfers).
    var counters = DriverCounters()
    var assembly: SnapshotAssembly
    /// Chunks dropped by the full inbox, and the streams whose leader was told (any thread).
    let snapshotChunkDrops = SnapshotChunkDrops()
    /// How far the leader is, beyond this node's own commit index (readiness).
    var catchUp = CatchUp()
    /// Stores incoming snapshot streams off the loop thread (its own lock).
    let snapshotReceiver: SnapshotReceiver
    /// The stream being received (handed to `snapshotReceiver` chunk by chunk).
    var receiving: ReceivingStream?
    var receivedStreams: UInt64 = 0
    /// Reports to Raft that must wait until the current `Ready` is advanced.
    var deferredReports: [DriverEvent<Machine.Result>] = []
    var stopReason: String?
    /// When the next tick is due.
    var nextTick = ContinuousClock.Instant.now
    /// On a host: whether `start()` was called (any thread), whether the loop has started or
    /// ended (the host's thread), and the tick its timer is armed for.
    let startRequested = StartFlag()
    var hostedLoop = HostedLoop.notStarted
    var armedTick: ContinuousClock.Instant?
    /// The leader and term the forwarded batches were last told about (`noteLeader`).
    var forwardingLeader: (leader: NodeID, term: UInt64) = (0, 0)
    /// The newest entry time stamp in this node's log (see `RaftDriver+TimeStamps`).
    var newestTimeStamp: UInt64 = 0
    /// The hard state last written, and a newer one that only moved the commit index and was not
    /// written then (a `Ready` with no entries writes nothing for it; see `processReadies`): it
    /// goes with the next write of entries, which costs nothing more, so the stored commit index
    /// (which storage checks appends against) stays close to the node's.
    var writtenHardState = HardState.empty
    var unwrittenHardState: HardState?

    /// Opens the node on `storage` (bootstrapped, joining empty, or restarting) and `machine`
    /// (which must sit on `storage.state`). The caller keeps ownership of `storage`: close it
    /// after `stop()`. The loop runs on a thread of its own, or on `host` (the peer transport's
    /// event loop, `TCPPeerTransport.makeLoopHost()`): then stop the driver before the host.
    public init(
        config: DriverConfig, storage: NodeStorage, machine: Machine, transport: any PeerTransport,
        host: (any LoopHost)? = nil
    ) throws {
        var raft = config.raft
        raft.applied = machine.appliedIndex
        // A snapshot streams in chunks for seconds, then installs: Raft must not take it as lost
        // (and probe the follower with entries it cannot use) before the transfer's own bound.
        raft.snapshotTimeoutTicks = raft.snapshotTimeoutTicks ?? config.snapshotTimeoutTicks
        self.id = raft.id
        self.config = config
        self.storage = storage
        self.machine = machine
        self.transport = transport
        try Self.raiseStoredCommit(to: machine.appliedIndex, in: storage)
        node = try RaftNode(config: raft, storage: storage.log, seed: config.seed)
        writtenHardState = node.hardState
        let inbox = EventInbox<DriverEvent<Machine.Result>>(capacity: config.maxInboxEvents, waker: host?.wake)
        self.inbox = inbox
        self.host = host
        let published = PublishedStatus(ClusterStatus(node: raft.id))
        self.published = published
        appliedIndex = machine.appliedIndex
        applier = ApplyWorker(
            machine: machine, name: "apply-\(raft.id)", publish: { published.applied(upTo: $0) },
            report: { inbox.post(.applied($0), force: true, quiet: $0.isRoutine) })
        assembly = SnapshotAssembly(maxTotalBytes: config.wire.maxSnapshotBytes)
        snapshotReceiver = SnapshotReceiver(
            state: storage.state, name: "snapshot-in-\(raft.id)", maxQueuedChunks: config.maxQueuedSnapshotChunks,
            maxWait: config.snapshotChunkWait, beforePrepare: config.seam.beforeSnapshotPrepare,
            report: { inbox.post(.snapshotReceived($0), force: true) })
        snapshotTransfers = SnapshotTransfers(installTimeout: config.snapshotInstallTimeout)
        snapshotRetries = SnapshotRetries(
            initialDelay: config.snapshotRetryDelay, maximumDelay: config.snapshotRetryMaxDelay)
        var logger = config.logger
        logger[metadataKey: "node"] = "\(raft.id)"
        self.logger = logger
        newestTimeStamp = newestTimeStampInLog()
        publishStatus()
        // A pass before `start()` (a frame woke the host) finds the loop not started and does
        // nothing.
        host?.onWake { [weak self] in self?.hostedPass() }
    }

    /// The loop does not write a hard state that only moves the commit index, so the stored
    /// commit index may lag the state machine's applied index (which is written with the effects
    /// and is never beyond the commit index when written). Raft refuses to start with an applied
    /// index beyond its commit index: the stored one is raised to it first, which is safe since
    /// every applied entry was committed, and is in the log (entries are synced before they are
    /// applied; a committed entry is never truncated).
    static func raiseStoredCommit(to applied: UInt64, in storage: NodeStorage) throws {
        let status = try storage.log.status()
        guard applied > status.hardState.commit, applied <= status.lastIndex else { return }
        var raised = status.hardState
        raised.commit = applied
        try storage.log.setHardState(raised)
    }

    /// Starts the loop: on its host, or on a thread of its own.
    public func start() {
        precondition(!started, "a driver starts once")
        started = true
        applier.start()
        if let host {
            startRequested.set()
            host.wake()  // the first pass starts the loop
            return
        }
        let thread = Thread { [self] in run() }
        thread.name = "raft-\(id)"
        thread.start()
    }

    /// Stops the loop: every waiting request is answered with `ClusterError.stopped`. Returns
    /// once no thread of the driver (loop, apply worker, snapshot streams) touches the storage.
    public func stop() {
        guard started else { return }
        inbox.post(.stop, force: true)
        finished.wait()
        finished.signal()  // a second stop() returns at once
    }

    /// The node's latest published view of the cluster.
    public var status: ClusterStatus { published.current }

    /// Proposes a command; returns the state machine's result once the entry is applied on this
    /// node. Throws `ClusterError` (see `isRetryable`).
    public func propose(_ command: [UInt8]) async throws -> Machine.Result {
        try await withCheckedThrowingContinuation { continuation in
            propose(command, waiter: OnceWaiter(continuation))
        }
    }

    /// ``propose(_:)`` without a task: `completion` is called exactly once, on the apply thread,
    /// the driver's loop or the caller's thread (a refusal), so it must hand real work elsewhere
    /// at once (an event loop's `execute`). For callers that answer from an event loop and would
    /// otherwise pay a task and two thread hops per proposal (the HTTP decision path).
    public func propose(
        _ command: [UInt8], completion: @escaping @Sendable (Result<Machine.Result, any Error>) -> Void
    ) {
        propose(command, waiter: OnceWaiter(completion))
    }

    private func propose(_ command: [UInt8], waiter: OnceWaiter<Machine.Result>) {
        if forwardDirectly(command, waiter) { return }
        if !inbox.post(.propose(command, waiter)) { waiter.resume(throwing: refusal()) }
    }

    /// A linearizable read point (ReadIndex, batched): returns once this node's state machine
    /// has applied every write committed before the call; read the state after it returns.
    public func readIndex() async throws -> UInt64 {
        try await withCheckedThrowingContinuation { waiter in
            if !inbox.post(.read(waiter)) { waiter.resume(throwing: refusal()) }
        }
    }

    /// Proposes a membership change (on the leader); returns the membership once applied here.
    public func changeMembership(_ change: ConfChange) async throws -> ConfState {
        try await withCheckedThrowingContinuation { waiter in
            if !inbox.post(.changeMembership(change, waiter)) { waiter.resume(throwing: refusal()) }
        }
    }

    /// Asks the leader (this node) to hand leadership to `target`.
    public func transferLeadership(to target: NodeID) {
        inbox.post(.transfer(to: target), force: true)
    }

    public func receive(_ frame: Frame, from peer: NodeID) {
        // Dropped when full: Raft retries. A snapshot chunk dropped leaves a gap: the stream is
        // abandoned here, so the leader is told at once (once per stream), stops waiting for an
        // install that cannot come and streams again after its retry wait, instead of after its
        // install timeout (30 s).
        let posted =
            if let index = Self.firstAcceptedIndex(frame) {
                inbox.post(.frame(frame, from: peer), wakingFrom: index)
            } else {
                inbox.post(.frame(frame, from: peer))
            }
        guard case .snapshotChunk(let chunk) = frame,
            let notice = snapshotChunkDrops.chunk(chunk, from: peer, posted: posted)
        else { return }
        let told = transport.send(.snapshotAbandoned(notice), to: peer)
        logger.warning(
            "snapshot chunk dropped: the inbox is full; stream abandoned",
            metadata: [
                "from": "\(peer)", "index": "\(notice.index)", "term": "\(notice.term)",
                "sequence": "\(chunk.sequence)", "leaderTold": "\(told)",
            ])
    }

    /// The first index of a leader's outcomes that accept every proposal, which need not wake
    /// the loop before that index is handed out here: the loop cannot hand it out without taking
    /// its inbox again, which takes the outcomes first (and normally the leader sent them before
    /// the entries, whose commit wakes the loop). Nil for any other frame, and for outcomes with
    /// a refusal (the proposals go to the queue again at once).
    static func firstAcceptedIndex(_ frame: Frame) -> UInt64? {
        guard case .outcomes(let batch) = frame else { return nil }
        var first = UInt64.max
        for outcome in batch.outcomes {
            guard case .accepted(let index, _) = outcome else { return nil }
            first = min(first, index)
        }
        return batch.outcomes.isEmpty ? nil : first
    }

    public func reportUnreachable(_ peer: NodeID) {
        // Never dropped: a transfer to that peer is lost with the connection, and only this
        // report ends it before the install timeout. At most one per connection attempt.
        inbox.post(.unreachable(peer), force: true)
    }

    /// Why the inbox refused a request: the node stopped, or the inbox is full.
    private func refusal() -> ClusterError {
        inbox.isClosed ? .stopped(status.stopped ?? "shut down") : .overloaded("the node's inbox is full")
    }

    func publishStatus() {
        var status = ClusterStatus(node: id)
        status.role = node.role
        status.leader = node.leader
        status.term = node.term
        status.commitIndex = node.commitIndex
        status.appliedIndex = appliedIndex
        status.firstIndex = node.firstIndex
        status.lastIndex = node.lastIndex
        status.membership = node.confState
        status.stopped = stopReason
        status.counters = counters
        status.counters.snapshotChunksDropped = snapshotChunkDrops.count
        status.counters.proposalsForwardedDirectly = forwarded.forwardedDirectly
        status.leaderCommitIndex = catchUp.leaderCommit
        status.awaitsSnapshot = receiving != nil || catchUp.awaitsSnapshot(applied: appliedIndex)
        published.replace(with: status)
    }

    func loopFinished() { finished.signal() }

    enum HostedLoop { case notStarted, running, ended }

    /// Whether `start()` was called, for the host's thread (a lock, not `Atomic<Bool>`: a stored
    /// `Atomic` in this generic class crashed Swift 6.3.1's optimizer in release builds, where the
    /// driver is specialized across modules).
    ///
    /// `@unchecked Sendable`: `value` is guarded by `lock`.
    final class StartFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false

        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}
