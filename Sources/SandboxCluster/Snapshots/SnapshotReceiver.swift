import Foundation
import Raft
import SandboxStorage
import SandboxWire

/// Stores an incoming snapshot stream on a thread of its own, so that the driver's loop (which
/// on a `LoopHost` also serves the peers' sockets) keeps answering heartbeats, appends and reads
/// while a large state arrives: each chunk's decoding and memtable writes, and the flush of the
/// whole state to SST files after the last one (seconds for a large state), run here. The loop
/// keeps what must stay with Raft: which stream is wanted (`SnapshotAssembly`, Raft's view), the
/// step of the snapshot message once the state is ready, and the switch (one synced write).
///
/// The loop numbers each stream it accepts (`generation`) and queues its chunks here in order;
/// the thread begins an installer at chunk 0 (abandoning the one before), adds each chunk and,
/// after the last, prepares the installer, leaves it in `staged` and tells the loop
/// (`Outcome.staged`), which takes it (`withStaged`) to commit or abort it. A stream that fails
/// here (a damaged chunk, a storage error) is reported (`Outcome.failed`) and its later chunks are
/// dropped. The store holds one installation at a time: `slot` is held while an installer
/// begins, while a staged one is dropped, and while the loop takes and resolves one, so a new
/// stream's begin aborts a staged installer the loop has not taken, or waits until the loop is
/// done with the one it took.
///
/// An abandoned stream's queued chunks are dropped at once, and its installer is neither fed nor
/// flushed from then on (a flush already under way runs to its end, then the installer is aborted).
///
/// The queue holds at most `maxQueuedChunks` chunks (about 1 MiB of records each). A full queue
/// makes `submit` wait (at most `maxWait`) for room: the loop stops reading the peers' sockets
/// meanwhile, so the leader's stream slows to what this node stores (the TCP window), as when the
/// loop stored the chunks itself, but the loop runs between chunks instead of for the whole
/// stream and its flush (it may wait behind a flush under way when a newer stream fills the
/// queue meanwhile). After `maxWait` the loop abandons the stream.
///
/// `@unchecked Sendable`: `jobs`, `queuedChunks`, `stopped` and `started` are guarded by
/// `condition`; `staged` by `slot`; `installer` and `installing` are touched only by the thread.
final class SnapshotReceiver: @unchecked Sendable {
    /// What the thread reports to the loop (through its inbox, never dropped).
    enum Outcome: Sendable {
        /// Stream `generation` is stored and flushed: take it with `withStaged`.
        case staged(generation: UInt64, frame: SnapshotChunkFrame)
        case failed(generation: UInt64, frame: SnapshotChunkFrame, reason: String)
    }

    private enum Job {
        case chunk(SnapshotChunkFrame, generation: UInt64)
        case abandon(generation: UInt64)
    }

    private let state: StateStore
    private let report: @Sendable (Outcome) -> Void
    private let name: String
    let maxQueuedChunks: Int
    let maxWait: Duration
    /// Runs on the thread before each prepare (tests hold an install there).
    private let beforePrepare: (@Sendable () -> Void)?

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var queuedChunks = 0
    /// Every stream numbered up to this one was abandoned by the loop (it numbers streams in
    /// order and only ever abandons the one it receives).
    private var abandonedThrough: UInt64 = 0
    private var stopped = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)

    private let slot = NSLock()
    private var staged: (generation: UInt64, installer: SnapshotInstaller)?

    // The thread's own.
    private var installer: SnapshotInstaller?
    private var installing: UInt64?

    init(
        state: StateStore, name: String, maxQueuedChunks: Int, maxWait: Duration,
        beforePrepare: (@Sendable () -> Void)? = nil, report: @escaping @Sendable (Outcome) -> Void
    ) {
        self.state = state
        self.name = name
        self.maxQueuedChunks = maxQueuedChunks
        self.maxWait = maxWait
        self.beforePrepare = beforePrepare
        self.report = report
    }

    /// Whether `submit` queued a chunk, and if not, why.
    enum Submission: Equatable {
        case queued
        /// No room came within `maxWait`.
        case full
        /// The receiver stopped (the driver is stopping).
        case stopped
    }

    /// Queues a chunk of stream `generation` (chunk 0 begins it), waiting up to `maxWait` for
    /// room. The thread starts with the first chunk.
    func submit(_ frame: SnapshotChunkFrame, generation: UInt64) -> Submission {
        condition.lock()
        defer { condition.unlock() }
        if queuedChunks >= maxQueuedChunks, !stopped {
            let deadline = Date(timeIntervalSinceNow: maxWait / .seconds(1))
            while !stopped, queuedChunks >= maxQueuedChunks, condition.wait(until: deadline) {}
        }
        guard !stopped else { return .stopped }
        guard queuedChunks < maxQueuedChunks else { return .full }
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.name = name
            thread.start()
        }
        jobs.append(.chunk(frame, generation: generation))
        queuedChunks += 1
        condition.broadcast()
        return .queued
    }

    /// Abandons stream `generation` (and any before it): its queued chunks are dropped at once,
    /// the thread stores no more of it and does not flush it, and what it stored is cleared.
    func abandon(generation: UInt64) {
        condition.withLock {
            guard started, !stopped else { return }
            abandonedThrough = max(abandonedThrough, generation)
            let queued = jobs.count
            jobs.removeAll {
                guard case .chunk(_, let chunkGeneration) = $0 else { return false }
                return chunkGeneration <= abandonedThrough
            }
            queuedChunks -= queued - jobs.count
            jobs.append(.abandon(generation: generation))
            condition.broadcast()
        }
    }

    private func isAbandoned(_ generation: UInt64) -> Bool {
        condition.withLock { generation <= abandonedThrough }
    }

    /// Takes the staged installer of stream `generation`, if it is still there: `body` gets it
    /// to commit or abort when the loop still `wants` that stream, and it is aborted otherwise.
    /// The thread begins no installation meanwhile.
    func withStaged(generation: UInt64, wanted: Bool, _ body: (SnapshotInstaller) -> Void) {
        slot.withLock {
            guard let taken = staged, taken.generation == generation else { return }
            staged = nil
            if wanted { body(taken.installer) } else { taken.installer.abort() }
        }
    }

    /// The generation of the stream whose installer is staged (flushed, waiting for the loop),
    /// if any: for tests that stand in for the loop.
    var stagedGeneration: UInt64? { slot.withLock { staged?.generation } }

    /// Abandons the stream in progress and returns once the thread is gone (after a flush under
    /// way ends): nothing of the receiver touches the store afterwards.
    func stop() {
        let wait = condition.withLock {
            stopped = true
            jobs.removeAll()
            queuedChunks = 0
            condition.broadcast()
            return started
        }
        if wait {
            finished.wait()
            finished.signal()
        }
    }

    private func run() {
        OSThreadName.set(name)
        while let job = next() {
            switch job {
            case .abandon(let generation):
                if installing == generation { drop() }
                dropStaged(of: generation)
            case .chunk(let frame, let generation):
                receive(frame, generation: generation)
            }
        }
        drop()
        dropStaged(of: nil)
        finished.signal()
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped, jobs.isEmpty { condition.wait() }
        guard !stopped else { return nil }
        let job = jobs.removeFirst()
        if case .chunk = job {
            queuedChunks -= 1
            condition.broadcast()  // room for a waiting submit
        }
        return job
    }

    private func receive(_ frame: SnapshotChunkFrame, generation: UInt64) {
        if frame.sequence == 0 {
            drop()
            guard let metadata = frame.message.snapshot?.metadata else { return }
            do {
                installer = try slot.withLock {
                    abortStagedLocked(of: nil)  // a stream the loop has not taken: superseded
                    return try state.beginInstall(metadata)
                }
                installing = generation
            } catch {
                return report(.failed(generation: generation, frame: frame, reason: "\(error)"))
            }
        }
        guard installing == generation, let current = installer else { return }  // failed or abandoned
        guard !isAbandoned(generation) else { return drop() }
        do {
            try current.add(encoded: frame.chunk)
            guard frame.isLast else { return }
            beforePrepare?()
            // Not flushed once abandoned (a newer stream began meanwhile): the flush is the long part.
            guard !isAbandoned(generation) else { return drop() }
            try current.prepare()
        } catch {
            drop()
            return report(.failed(generation: generation, frame: frame, reason: "\(error)"))
        }
        installer = nil
        installing = nil
        slot.withLock {
            abortStagedLocked(of: nil)  // none: this stream's begin cleared the slot, and only this thread fills it
            staged = (generation, current)
        }
        report(.staged(generation: generation, frame: frame))
    }

    /// Aborts the staged installer (of `generation`, or any when nil).
    private func dropStaged(of generation: UInt64?) {
        slot.withLock { abortStagedLocked(of: generation) }
    }

    /// `dropStaged` with `slot` held.
    private func abortStagedLocked(of generation: UInt64?) {
        guard let taken = staged, generation == nil || taken.generation == generation else { return }
        taken.installer.abort()
        staged = nil
    }

    private func drop() {
        installer?.abort()
        installer = nil
        installing = nil
    }
}

/// The snapshot stream a follower's loop is receiving: its number (the receiver's generation),
/// the snapshot it carries (`index`, `term`) and the term of the leader that sends it, and
/// whether every chunk is in (the receiver stores or flushes it).
struct ReceivingStream: Sendable {
    let generation: UInt64
    let index: UInt64
    let term: UInt64
    let leaderTerm: UInt64
    var complete = false
}
