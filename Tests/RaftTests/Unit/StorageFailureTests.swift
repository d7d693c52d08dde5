import Raft
import Testing

/// A storage whose reads can be made to fail with an error that is neither `compacted` nor
/// `unavailable` (a broken disk); writes go to the memory storage it wraps.
final class FailingStorage: RaftLogStorage {
    struct DiskError: Error, CustomStringConvertible {
        var description: String { "injected read error" }
    }

    let inner: MemoryLogStorage
    var failsReads = false
    /// Thrown by `snapshot()` when set.
    var snapshotError: (any Error)?

    init(_ inner: MemoryLogStorage) { self.inner = inner }

    func check() throws { if failsReads { throw DiskError() } }

    func initialState() throws -> (HardState, ConfState) { try inner.initialState() }
    func entries(from low: UInt64, to high: UInt64, maxBytes: Int) throws -> [Entry] {
        try check()
        return try inner.entries(from: low, to: high, maxBytes: maxBytes)
    }
    func term(at index: UInt64) throws -> UInt64 {
        try check()
        return try inner.term(at: index)
    }
    func firstIndex() throws -> UInt64 {
        try check()
        return try inner.firstIndex()
    }
    func lastIndex() throws -> UInt64 {
        try check()
        return try inner.lastIndex()
    }
    func snapshot() throws -> Snapshot {
        try check()
        if let snapshotError { throw snapshotError }
        return try inner.snapshot()
    }
    func append(_ entries: [Entry]) throws { try inner.append(entries) }
    func setHardState(_ state: HardState) throws { try inner.setHardState(state) }
    func setConfState(_ conf: ConfState) throws { try inner.setConfState(conf) }
    func applySnapshot(_ snapshot: Snapshot) throws { try inner.applySnapshot(snapshot) }
    func compact(upTo index: UInt64) throws { try inner.compact(upTo: index) }
}

/// A storage read failure stops the node cleanly instead of the process.
@Suite struct StorageFailureTests {
    func follower(_ storage: FailingStorage) throws -> RaftNode {
        try RaftNode(config: RaftConfig(id: 2), storage: storage, seed: 2)
    }

    @Test func aFailedReadStopsTheNodeAndIsReportedOnce() throws {
        let storage = FailingStorage(MemoryLogStorage(bootstrap: ConfState(voters: [1, 2, 3])))
        let node = try follower(storage)
        #expect(node.failure == nil)
        // An append from the leader of term 2: checking it reads the term at index 1.
        storage.failsReads = true
        node.step(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 1, commit: 1))
        guard case .storageFailed(let detail) = node.failure else {
            Issue.record("no failure recorded: \(String(describing: node.failure))")
            return
        }
        #expect(detail.contains("injected read error"))
        #expect(node.hasReady)
        let ready = node.ready()
        #expect(ready.failure == node.failure)
        // Nothing computed from the failed read goes out: no (reject) response, no hard state.
        #expect(ready.messages.isEmpty && ready.messagesAfterPersist.isEmpty)
        #expect(ready.hardState == nil && ready.entries.isEmpty && ready.committedEntries.isEmpty)
        #expect(!ready.isEmpty)
        node.advance(ready)
        #expect(!node.hasReady)
    }

    @Test func aStoppedNodeIgnoresTimeAndMessagesAndRefusesRequests() throws {
        let storage = FailingStorage(MemoryLogStorage(bootstrap: ConfState(voters: [1, 2, 3])))
        let node = try follower(storage)
        storage.failsReads = true
        node.step(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 1, commit: 1))
        _ = node.ready()
        // Even with the storage repaired, the node stays stopped: it must be restarted.
        storage.failsReads = false
        for _ in 0..<100 { node.tick() }
        node.campaign()
        node.step(Message(kind: .heartbeat, from: 3, to: 2, term: 5, commit: 1))
        node.step(Message(kind: .vote, from: 3, to: 2, term: 6, logTerm: 1, index: 1))
        #expect(!node.hasReady)
        #expect(node.role == .follower)
        #expect(node.term == 2)
        #expect(throws: node.failure!) { try node.propose([1]) }
        #expect(throws: node.failure!) { try node.readIndex([1]) }
        #expect(throws: node.failure!) { try node.transferLeadership(to: 3) }
    }

    /// Carries out Readies against the wrapped memory storage until there are none (bounded).
    func settle(_ node: RaftNode, _ storage: FailingStorage) throws {
        for _ in 0..<10 where node.hasReady {
            let ready = node.ready()
            try storage.inner.append(ready.entries)
            if let hard = ready.hardState { try storage.inner.setHardState(hard) }
            node.advance(ready)
        }
    }

    @Test func aLeaderWhoseStorageFailsStopsReplicating() throws {
        let storage = FailingStorage(MemoryLogStorage(bootstrap: ConfState(voters: [1, 2])))
        var config = RaftConfig(id: 1)
        config.preVote = false
        let node = try RaftNode(config: config, storage: storage, seed: 1)
        node.campaign()
        try settle(node, storage)
        node.step(Message(kind: .voteResponse, from: 2, to: 1, term: node.term))
        try settle(node, storage)
        #expect(node.role == .leader)
        let last = node.lastIndex
        // The follower acknowledges the leader's entry: counting it reads the entry's term.
        storage.failsReads = true
        node.step(Message(kind: .appendResponse, from: 2, to: 1, term: node.term, index: last))
        #expect(node.failure != nil)
        let ready = node.ready()
        #expect(ready.failure != nil)
        #expect(ready.messages.isEmpty && ready.committedEntries.isEmpty && ready.hardState == nil)
        #expect(throws: node.failure!) { try node.propose([7]) }
    }

    /// A single voter leading, with learner 2 behind its compacted log: answering the
    /// learner's rejection needs a snapshot, read with `storage.snapshot()` throwing `error`.
    func leaderNeedingASnapshot(throwing error: any Error) throws -> RaftNode {
        let storage = FailingStorage(MemoryLogStorage(bootstrap: ConfState(voters: [1], learners: [2])))
        let node = try RaftNode(config: RaftConfig(id: 1), storage: storage, seed: 1)
        node.campaign()
        try settle(node, storage)  // it leads once its term and vote are durable
        for number in 1...3 { try node.propose([UInt8(number)]) }
        try settle(node, storage)
        #expect(node.role == .leader && node.commitIndex == 5)
        try storage.inner.setAppliedIndex(5)
        try storage.inner.createSnapshot(at: 5, conf: node.confState, data: [5])
        try storage.inner.compact(upTo: 5)
        storage.snapshotError = error
        // The learner rejects the leader's first probe (after index 1): entries from 1 on are
        // compacted, so only a snapshot can catch it up.
        node.step(Message(kind: .appendResponse, from: 2, to: 1, term: node.term, index: 1, reject: true))
        return node
    }

    @Test func aSnapshotTheStorageRefusesStopsTheNode() throws {
        let refusal = RaftStorageError.snapshotOutOfDate(current: 5, offered: 5)
        let node = try leaderNeedingASnapshot(throwing: refusal)
        guard case .storageFailed(let detail) = node.failure else {
            Issue.record("a refused snapshot read was taken for 'try later': \(String(describing: node.failure))")
            return
        }
        #expect(detail.contains("snapshot"))
        let ready = node.ready()
        #expect(ready.failure == node.failure)
        #expect(!ready.messages.contains { $0.kind == .snapshot })
    }

    @Test func aSnapshotNotReadyYetIsTriedLater() throws {
        let node = try leaderNeedingASnapshot(throwing: RaftStorageError.snapshotTemporarilyUnavailable)
        #expect(node.failure == nil)
        #expect(node.role == .leader)
        #expect(!node.ready().messages.contains { $0.kind == .snapshot })
    }

    @Test func aStorageThatCannotReadItsBoundsIsRefusedAtStart() throws {
        let storage = FailingStorage(MemoryLogStorage(bootstrap: ConfState(voters: [1, 2, 3])))
        storage.failsReads = true
        #expect(throws: RaftConfigError.self) { try follower(storage) }
    }
}
