import Raft
import Testing

/// A runtime that applies on a thread of its own acknowledges persistence (`acknowledgePersisted`)
/// and application (`acknowledgeApplied`) separately: committed entries are handed out once, the
/// applied index moves only when acknowledged, and what waits unacknowledged is bounded.
@Suite struct AppliedAcknowledgementTests {
    /// A single voter leading, its `Ready`s persisted and applied at once (as `advance` does).
    private func soleLeader(configure: (inout RaftConfig) -> Void = { _ in }) throws -> (RaftNode, MemoryLogStorage) {
        let (node, storage) = try standaloneNode(1, voters: [1], configure: configure)
        node.campaign()
        while node.hasReady { try persist(node, storage) }
        #expect(node.role == .leader)
        return (node, storage)
    }

    /// Persists every `Ready` without acknowledging its committed entries; returns them.
    private func persistOnly(_ node: RaftNode, _ storage: MemoryLogStorage) throws -> [Entry] {
        var handedOut: [Entry] = []
        var rounds = 0
        while node.hasReady, rounds < 100 {
            rounds += 1
            let ready = node.ready()
            try storage.append(ready.entries)
            if let hard = ready.hardState { try storage.setHardState(hard) }
            node.acknowledgePersisted(ready)
            handedOut += ready.committedEntries
        }
        return handedOut
    }

    @Test func committedEntriesAreHandedOutOnceAndAppliedOnlyWhenAcknowledged() throws {
        let (node, storage) = try soleLeader()
        let appliedBefore = node.appliedIndex
        let range = try node.propose(batch: [[1], [2], [3]])
        let handedOut = try persistOnly(node, storage)
        #expect(handedOut.map(\.index) == Array(range))
        #expect(node.commitIndex == range.upperBound)
        #expect(node.applyingIndex == range.upperBound)
        #expect(node.appliedIndex == appliedBefore)
        #expect(!node.hasReady)  // nothing handed out twice while the runtime applies

        node.acknowledgeApplied(upTo: range.lowerBound)
        #expect(node.appliedIndex == range.lowerBound)
        node.acknowledgeApplied(upTo: range.upperBound)
        node.acknowledgeApplied(upTo: range.lowerBound)  // late: ignored
        #expect(node.appliedIndex == range.upperBound)
        #expect(!node.hasReady)
    }

    @Test func handingOutPausesAtTheUnappliedByteLimitUntilAcknowledged() throws {
        let (node, storage) = try soleLeader { config in
            config.limits.maxCommittedBytesPerReady = 4
            config.limits.maxUnappliedBytes = 8
        }
        let range = try node.propose(batch: (1...6).map { [UInt8]([$0, $0, $0, $0]) })
        var handedOut = try persistOnly(node, storage)
        // Two batches of one 4-byte entry reach the 8-byte limit: handing out stops there.
        #expect(handedOut.map(\.index) == [range.lowerBound, range.lowerBound + 1])
        #expect(node.commitIndex == range.upperBound)
        #expect(!node.hasReady)

        node.acknowledgeApplied(upTo: range.lowerBound)
        handedOut = try persistOnly(node, storage)
        #expect(handedOut.map(\.index) == [range.lowerBound + 2])
        node.acknowledgeApplied(upTo: range.lowerBound + 2)
        handedOut = try persistOnly(node, storage)
        #expect(handedOut.map(\.index) == [range.lowerBound + 3, range.lowerBound + 4])
        node.acknowledgeApplied(upTo: range.lowerBound + 4)
        handedOut = try persistOnly(node, storage)
        #expect(handedOut.map(\.index) == [range.upperBound])
    }

    @Test func advanceStillAcknowledgesBoth() throws {
        let (node, storage) = try soleLeader()
        let range = try node.propose(batch: [[1], [2]])
        while node.hasReady { try persist(node, storage) }
        #expect(node.appliedIndex == range.upperBound && node.applyingIndex == range.upperBound)
    }
}
